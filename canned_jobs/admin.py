"""The canned-job page: the job and its labor and part lines, saved through
``canned_jobs.services`` as the API saves them (one call writes the job and
both lists). Lines keep the order they are shown in; a new line goes last."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from . import services
from .models import CannedJob, CannedJobLabor, CannedJobPart


class CannedJobLaborInline(admin.TabularInline):
    model = CannedJobLabor
    fields = ("description", "hours", "rate")
    extra = 1


class CannedJobPartInline(admin.TabularInline):
    model = CannedJobPart
    fields = ("part", "quantity")
    autocomplete_fields = ("part",)
    extra = 1


class CannedJobForm(forms.ModelForm):
    class Meta:
        model = CannedJob
        fields = ("name", "description")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name"):
            services.canned_job_name_check(name=cleaned["name"], canned_job=self.instance)
        return cleaned


@admin.register(CannedJob)
class CannedJobAdmin(admin.ModelAdmin):
    form = CannedJobForm
    list_display = ("name", "updated_at")
    search_fields = ("name",)
    ordering = ("name", "id")
    fields = ("name", "description", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = (CannedJobLaborInline, CannedJobPartInline)

    # What each list's items carry, as the services take them.
    LINE_FIELDS = {
        CannedJobLabor: ("labor", ("description", "hours", "rate")),
        CannedJobPart: ("parts", ("part", "quantity")),
    }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A rule the service refuses at save time (a name or part taken or
        # deleted meanwhile): the save is rolled back (Django's
        # changeform_view runs in one transaction) and the page says why.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Nothing yet: the job is written with its lines in save_related."""

    def save_related(self, request, form, formsets, change):
        lines = {}
        for formset in formsets:
            key, fields = self.LINE_FIELDS[formset.model]
            kept = self._kept_forms(formset)
            lines[key] = [{name: row.cleaned_data.get(name) for name in fields} for row in kept]
            self._record_saved_lines(formset, kept)
        data = {
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data.get("description") or "",
            **lines,
        }
        if change:
            canned_job = services.canned_job_update(canned_job=form.instance, **data)
        else:
            canned_job = services.canned_job_create(**data)
        form.instance.pk = canned_job.pk
        form.instance.refresh_from_db()

    @staticmethod
    def _kept_forms(formset) -> list:
        """The lines the page now shows, in order: the stored ones not
        deleted, then the new ones filled in."""
        deleted = set(formset.deleted_forms)
        return [row for row in formset.forms if row not in deleted and row.cleaned_data]

    @staticmethod
    def _record_saved_lines(formset, kept: list) -> None:
        """Set what ``formset.save()`` would have set, had it written the
        rows rather than the service: the admin builds the object's history
        entry ("Added part line …", "Changed Hours …") from these."""
        formset.new_objects = [row.instance for row in kept if row.instance.pk is None]
        formset.changed_objects = [
            (row.instance, row.changed_data)
            for row in kept
            if row.instance.pk is not None and row.has_changed()
        ]
        formset.deleted_objects = [
            row.instance for row in formset.deleted_forms if row.instance.pk is not None
        ]
