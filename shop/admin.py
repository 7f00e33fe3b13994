"""The shop-settings page: the one record (no add once it exists, no
delete), its opening hours as seven rows of fields, saved through
``shop.services.shop_settings_update`` like ``PATCH /shop/``; and the log of
its changes, read-only."""

import calendar

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from tickets.admin import ReadOnlyAdmin

from . import services
from .models import EDITABLE_FIELDS, ShopSettings, ShopSettingsChange, normalize_opening_hours
from .selectors import shop_settings

WEEKDAYS = list(enumerate(calendar.day_name))  # 0 Monday … 6 Sunday


def _day_fields() -> dict:
    fields = {}
    for weekday, name in WEEKDAYS:
        fields[f"day{weekday}_closed"] = forms.BooleanField(label=f"{name} closed", required=False)
        fields[f"day{weekday}_opens"] = forms.TimeField(label="opens", required=False)
        fields[f"day{weekday}_closes"] = forms.TimeField(label="closes", required=False)
    return fields


class ShopSettingsForm(forms.ModelForm):
    class Meta:
        model = ShopSettings
        fields = [name for name in EDITABLE_FIELDS if name != "opening_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day in self.instance.opening_hours or []:
            prefix = f"day{day['weekday']}"
            self.initial[f"{prefix}_closed"] = day["closed"]
            self.initial[f"{prefix}_opens"] = day["opens"]
            self.initial[f"{prefix}_closes"] = day["closes"]

    def clean(self):
        cleaned = super().clean()
        days = [
            {
                "weekday": weekday,
                "closed": bool(cleaned.get(f"day{weekday}_closed")),
                "opens": cleaned.get(f"day{weekday}_opens"),
                "closes": cleaned.get(f"day{weekday}_closes"),
            }
            for weekday, _ in WEEKDAYS
        ]
        try:
            cleaned["opening_hours"] = normalize_opening_hours(days)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return cleaned


# The seven days' fields, declared on the form so the page can lay them out.
ShopSettingsForm = type("ShopSettingsForm", (ShopSettingsForm,), _day_fields())


@admin.register(ShopSettings)
class ShopSettingsAdmin(admin.ModelAdmin):
    form = ShopSettingsForm
    readonly_fields = ("updated_at",)
    fieldsets = (
        ("The shop", {"fields": ("name", "address", "phone", "email", "time_zone")}),
        (
            "Appointments",
            {
                "fields": (
                    "bays",
                    ("appointment_minutes", "slot_step_minutes"),
                    ("reminder_lead_hours", "booking_horizon_days"),
                )
            },
        ),
        (
            "Rates",
            {
                "fields": ("labor_rate", ("parts_tax_rate", "labor_tax_rate")),
                "description": "New rates apply to new tickets and new labor lines; a ticket "
                "keeps the tax rates it was opened with.",
            },
        ),
        (
            "Opening hours (the shop's time zone)",
            {
                "fields": tuple(
                    (f"day{weekday}_closed", f"day{weekday}_opens", f"day{weekday}_closes")
                    for weekday, _ in WEEKDAYS
                )
            },
        ),
        (None, {"fields": ("updated_at",)}),
    )

    def has_add_permission(self, request):
        return not ShopSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """The list of one record is the record."""
        row = shop_settings()
        return HttpResponseRedirect(reverse("admin:shop_shopsettings_change", args=[row.pk]))

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data
        }
        saved = services.shop_settings_update(actor=request.user, **fields)
        obj.pk = saved.pk


@admin.register(ShopSettingsChange)
class ShopSettingsChangeAdmin(ReadOnlyAdmin):
    list_display = ("changed_at", "actor", "__str__")
    fields = ("changed_at", "actor", "changes")
    list_select_related = ("actor",)
