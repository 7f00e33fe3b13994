"""Time entries: listed by mechanic and day, corrected through
``timeclock.services.time_entry_correct`` (recorded like the API's
corrections), the corrections shown read-only. Entries are made by clocking
in, never here, and never deleted here: the corrections would go with them."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from mechanic_shop.errors import DomainError

from . import services
from .models import TimeEntry, TimeEntryCorrection


class TimeEntryCorrectionInline(admin.TabularInline):
    model = TimeEntryCorrection
    fields = ("at", "by", "before", "after")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "mechanic", "ticket", "job", "started_at", "ended_at", "minutes")
    list_filter = ("mechanic",)
    list_select_related = ("mechanic", "ticket", "job")
    date_hierarchy = "started_at"
    search_fields = ("mechanic__name", "=ticket__id")
    ordering = ("-started_at", "-id")
    fields = ("mechanic", "ticket", "job", "started_at", "ended_at", "minutes", "created_by")
    readonly_fields = ("mechanic", "ticket", "job", "minutes", "created_by")
    inlines = (TimeEntryCorrectionInline,)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A correction the service refuses (bad times, an overlap): rolled
        # back (changeform_view runs in one transaction), the page says why.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, DomainError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc.message
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        corrected = services.time_entry_correct(
            by=request.user,
            entry=obj,
            started_at=form.cleaned_data.get("started_at"),
            ended_at=form.cleaned_data.get("ended_at"),
        )
        obj.refresh_from_db()
        obj.pk = corrected.pk
