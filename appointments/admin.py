"""The appointment book for staff: by day, filtered by status, customer and
vehicle picked by search. Every change goes through
``appointments.services``, so the admin books by the API's rules (hours,
bays) and records the same events; a refusal is shown on the page and
nothing is saved."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from mechanic_shop.errors import DomainError

from . import services
from .models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("starts_at", "ends_at", "customer", "vehicle", "concern", "status", "ticket")
    list_filter = ("status",)
    list_select_related = ("customer", "vehicle", "ticket")
    date_hierarchy = "starts_at"
    search_fields = ("customer__name", "customer__user__email", "vehicle__vin", "concern")
    autocomplete_fields = ("customer", "vehicle")
    ordering = ("starts_at", "id")
    fields = (
        "customer",
        "vehicle",
        "concern",
        "starts_at",
        "ends_at",
        "notes",
        "status",
        "ticket",
        "reminded_at",
        "reminded_for",
        "created_at",
    )
    readonly_fields = ("status", "ticket", "reminded_at", "reminded_for", "created_at")
    actions = ("confirm", "cancel", "arrive", "no_show", "convert")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # the customer stays; a new booking is a new appointment
            return ("customer", *self.readonly_fields)
        return self.readonly_fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A rule the service refuses at save time (hours, a full bay): the
        # save is rolled back (changeform_view runs in one transaction) and
        # the page says why.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, DomainError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in ("vehicle", "concern", "notes")}
        data["notes"] = data["notes"] or ""
        times = {name: form.cleaned_data.get(name) for name in ("starts_at", "ends_at")}
        if change:
            changed = {name: data[name] for name in data if name in form.changed_data}
            changed.update({name: times[name] for name in times if name in form.changed_data})
            if changed:
                services.appointment_update(by=request.user, appointment=obj, **changed)
            obj.refresh_from_db()
        else:
            saved = services.appointment_book(
                by=request.user, customer=form.cleaned_data["customer"], **data, **times
            )
            obj.pk = saved.pk
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.appointment_delete(appointment=obj)

    def delete_queryset(self, request, queryset):
        for appointment in queryset:
            services.appointment_delete(appointment=appointment)

    def _apply(self, request, queryset, verb, run):
        done, refused = 0, []
        for appointment in queryset.order_by("starts_at", "id"):
            try:
                run(appointment)
                done += 1
            except DomainError as exc:
                refused.append(f"#{appointment.pk}: {exc}")
        if done:
            self.message_user(request, f"{done} appointment(s) {verb}.", messages.SUCCESS)
        if refused:
            self.message_user(request, " ".join(refused), messages.ERROR)

    def _transition(self, request, queryset, action, verb):
        self._apply(
            request,
            queryset,
            verb,
            lambda a: services.appointment_transition(
                by=request.user, appointment=a, action=action
            ),
        )

    @admin.action(description="Confirm the selected appointments")
    def confirm(self, request, queryset):
        self._transition(request, queryset, "confirm", "confirmed")

    @admin.action(description="Cancel the selected appointments")
    def cancel(self, request, queryset):
        self._transition(request, queryset, "cancel", "cancelled")

    @admin.action(description="Mark the selected appointments arrived")
    def arrive(self, request, queryset):
        self._transition(request, queryset, "arrive", "marked arrived")

    @admin.action(description="Mark the selected appointments no-shows")
    def no_show(self, request, queryset):
        self._transition(request, queryset, "no_show", "marked no-shows")

    @admin.action(description="Convert the selected appointments to estimates")
    def convert(self, request, queryset):
        self._apply(
            request,
            queryset,
            "converted",
            lambda a: services.appointment_convert(by=request.user, appointment=a),
        )
