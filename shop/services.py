"""Changing the shop's settings: one service, used by ``PATCH /shop/`` and
the admin page."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from .defaults import environment_defaults
from .models import EDITABLE_FIELDS, ShopSettings, ShopSettingsChange, normalize_opening_hours


def _recorded(value):
    """A value as the change log keeps it (JSON): money and rates as strings."""
    return str(value) if isinstance(value, Decimal) else value


def _merged_hours(current: list[dict], given) -> list[dict]:
    """The week with the days ``given`` replacing theirs: a change may name
    only the days it changes."""
    if not isinstance(given, list | tuple):
        raise ValidationError({"opening_hours": "Give a list of days."})
    week = {day["weekday"]: day for day in current}
    seen = set()
    for day in given:
        weekday = day.get("weekday") if isinstance(day, dict) else None
        if weekday in seen:
            raise ValidationError({"opening_hours": f"weekday {weekday} is given twice."})
        seen.add(weekday)
        week[weekday] = day
    try:
        return normalize_opening_hours(list(week.values()))
    except ValidationError as exc:
        raise ValidationError({"opening_hours": exc.messages}) from None


@transaction.atomic
def shop_settings_update(*, actor, **fields) -> ShopSettings:
    """Change the shop's settings and record who changed what, from what to
    what (``ShopSettingsChange``).

    ``opening_hours`` replaces the days it names (each ``{weekday, opens,
    closes, closed}``) and keeps the others. A change of the rates applies
    to what is priced after it: tickets keep the tax rates they were created
    with, and labor lines the rate they were added at. Raises
    ``ValidationError`` keyed by field; nothing is written then.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "Not a shop setting." for name in sorted(unknown)})
    row, _ = ShopSettings.objects.select_for_update().get_or_create(
        pk=ShopSettings.SINGLETON_PK, defaults=environment_defaults()
    )
    if "opening_hours" in fields:
        fields["opening_hours"] = _merged_hours(row.opening_hours, fields["opening_hours"])
    before = {name: getattr(row, name) for name in fields}
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    # Compared after full_clean, which turned every value into its field's type.
    changes = {
        name: [_recorded(before[name]), _recorded(getattr(row, name))]
        for name in fields
        if before[name] != getattr(row, name)
    }
    if changes:
        row.save()
        ShopSettingsChange.objects.create(actor=actor, changes=changes)
    return row
