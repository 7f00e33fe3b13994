import datetime
import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# The bounds of the settings, shared by the model, the API and the admin.
MAX_BAYS = 100
MAX_APPOINTMENT_MINUTES = 24 * 60
MAX_SLOT_STEP_MINUTES = 240
MAX_REMINDER_LEAD_HOURS = 14 * 24
MAX_BOOKING_HORIZON_DAYS = 730
TIME_FORMAT = "%H:%M"


@functools.cache
def _known_zones() -> frozenset[str]:
    # available_timezones() walks the zone files on every call.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA zone name the system knows (``Europe/Paris``, not ``CET+1``)."""
    if not value or value not in _known_zones():
        raise ValidationError(f"“{value}” is not an IANA time zone name (like America/Chicago).")


def parse_time(value) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.datetime.strptime(str(value), TIME_FORMAT).time()
    except ValueError:
        raise ValidationError(f"“{value}” is not a time of day (HH:MM).") from None


def normalize_opening_hours(days) -> list[dict]:
    """The seven weekdays, in order, each ``{weekday, opens, closes, closed}``
    with ``opens`` before ``closes`` ("HH:MM") when open and both None when
    closed; raises ValidationError otherwise."""
    if not isinstance(days, list | tuple) or len(days) != 7:
        raise ValidationError("Give the seven weekdays (0 = Monday … 6 = Sunday).")
    result = {}
    for day in days:
        if not isinstance(day, dict):
            raise ValidationError("Each day is {weekday, opens, closes, closed}.")
        weekday = day.get("weekday")
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            raise ValidationError(f"weekday {weekday!r} is not 0 (Monday) … 6 (Sunday).")
        if weekday in result:
            raise ValidationError(f"weekday {weekday} is given twice.")
        if day.get("closed"):
            result[weekday] = {"weekday": weekday, "opens": None, "closes": None, "closed": True}
            continue
        if day.get("opens") is None or day.get("closes") is None:
            raise ValidationError(f"weekday {weekday}: an open day needs opens and closes.")
        opens, closes = parse_time(day["opens"]), parse_time(day["closes"])
        if opens >= closes:
            raise ValidationError(f"weekday {weekday}: opens must be before closes.")
        result[weekday] = {
            "weekday": weekday,
            "opens": opens.strftime(TIME_FORMAT),
            "closes": closes.strftime(TIME_FORMAT),
            "closed": False,
        }
    return [result[weekday] for weekday in range(7)]


def validate_opening_hours(value) -> None:
    normalize_opening_hours(value)


def _tax_rate():
    return models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="A fraction: 0.0825 is 8.25 %.",
    )


# What an admin may change (the API, the admin page, the service): every
# field but the timestamp.
EDITABLE_FIELDS = (
    "name",
    "address",
    "phone",
    "email",
    "time_zone",
    "opening_hours",
    "bays",
    "appointment_minutes",
    "slot_step_minutes",
    "labor_rate",
    "parts_tax_rate",
    "labor_tax_rate",
    "reminder_lead_hours",
    "booking_horizon_days",
)


class ShopSettings(models.Model):
    """The shop's own settings: one row (pk 1), seeded from the environment
    at the first migration, read through ``shop.selectors.shop_settings``,
    changed only by ``shop.services.shop_settings_update``.

    Opening hours are a validated list of seven days on the row itself, so
    that reading the settings is one indexed query."""

    SINGLETON_PK = 1

    # Not an auto-increment column: MariaDB refuses a CHECK on one, and the
    # check below is what keeps the row single.
    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    name = models.CharField(max_length=200)
    address = models.TextField(max_length=500, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    time_zone = models.CharField(
        max_length=64, validators=[validate_time_zone], help_text="An IANA name: America/Chicago."
    )
    opening_hours = models.JSONField(validators=[validate_opening_hours])
    bays = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BAYS)]
    )
    appointment_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(MAX_APPOINTMENT_MINUTES)],
        help_text="The default length of an appointment.",
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(MAX_SLOT_STEP_MINUTES)],
        help_text="Appointments start on this step from opening time.",
    )
    labor_rate = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Per hour, for new labor lines without a rate of their own.",
    )
    parts_tax_rate = _tax_rate()
    labor_tax_rate = _tax_rate()
    reminder_lead_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REMINDER_LEAD_HOURS)],
        help_text="How long before an appointment its reminder is mailed.",
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_BOOKING_HORIZON_DAYS)],
        help_text="How far ahead customers may book.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "shop settings"
        verbose_name_plural = "shop settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="shop_settings_single_row"),
            models.CheckConstraint(
                condition=models.Q(bays__gte=1), name="shop_settings_bays_gte_1"
            ),
            models.CheckConstraint(
                condition=models.Q(parts_tax_rate__gte=0, parts_tax_rate__lte=1)
                & models.Q(labor_tax_rate__gte=0, labor_tax_rate__lte=1),
                name="shop_settings_tax_rates_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(labor_rate__gte=0), name="shop_settings_labor_rate_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def zone(self) -> zoneinfo.ZoneInfo:
        """The shop's time zone: opening hours and appointment days are in it."""
        return zoneinfo.ZoneInfo(self.time_zone)

    def hours_on(self, day: datetime.date) -> tuple[datetime.time, datetime.time] | None:
        """Opening and closing time (wall clock, in ``zone()``) on that date;
        None when the shop is closed that day."""
        for entry in self.opening_hours:
            if entry["weekday"] == day.weekday():
                if entry["closed"]:
                    return None
                return parse_time(entry["opens"]), parse_time(entry["closes"])
        return None


class ShopSettingsChange(models.Model):
    """One change of the settings: who, when, and each changed field's value
    before and after (``{"labor_rate": ["95.00", "110.00"]}``)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    changes = models.JSONField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "shop settings change"

    def __str__(self) -> str:
        return f"{', '.join(self.changes)} at {self.changed_at:%Y-%m-%d %H:%M}"
