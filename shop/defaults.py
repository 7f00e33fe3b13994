"""The shop's settings as the environment gives them.

They seed the single ``ShopSettings`` row at its first migration (and again
if the row is ever missing, e.g. after a test flushed the tables); from then
on the row is what counts, and the owner changes it at ``PATCH /shop/`` or in
the admin without a deploy.
"""

from django.conf import settings

# Monday..Friday 08:00-18:00, Saturday 09:00-14:00, Sunday closed. Weekday 0
# is Monday, as in ``date.weekday()``.
DEFAULT_OPENING_HOURS = [
    *({"weekday": day, "opens": "08:00", "closes": "18:00", "closed": False} for day in range(5)),
    {"weekday": 5, "opens": "09:00", "closes": "14:00", "closed": False},
    {"weekday": 6, "opens": None, "closes": None, "closed": True},
]

# setting name -> ShopSettings field, for the values the environment gives.
ENVIRONMENT_FIELDS = {
    "SHOP_NAME": "name",
    "SHOP_ADDRESS": "address",
    "SHOP_PHONE": "phone",
    "SHOP_EMAIL": "email",
    "SHOP_TIME_ZONE": "time_zone",
    "SHOP_BAYS": "bays",
    "SHOP_APPOINTMENT_MINUTES": "appointment_minutes",
    "SHOP_SLOT_STEP_MINUTES": "slot_step_minutes",
    "SHOP_LABOR_RATE": "labor_rate",
    "SHOP_PARTS_TAX_RATE": "parts_tax_rate",
    "SHOP_LABOR_TAX_RATE": "labor_tax_rate",
    "SHOP_REMINDER_LEAD_HOURS": "reminder_lead_hours",
    "SHOP_BOOKING_HORIZON_DAYS": "booking_horizon_days",
}


def environment_defaults() -> dict:
    """Every field of the row, from the settings (and the default hours)."""
    values = {field: getattr(settings, name) for name, field in ENVIRONMENT_FIELDS.items()}
    values["opening_hours"] = [dict(day) for day in DEFAULT_OPENING_HOURS]
    return values
