"""Tests that change a SHOP_* setting (``override_settings``, pytest-django's
``settings`` fixture) change the settings row with it, so that "the
environment gives the defaults" holds for them as it did before the row
existed. ``setting_changed`` is sent only by those test helpers."""

from .defaults import ENVIRONMENT_FIELDS


def follow_setting_in_tests(*, setting, value, enter, **kwargs):
    field = ENVIRONMENT_FIELDS.get(setting)
    if field is None or value is None:
        return
    from .models import ShopSettings

    ShopSettings.objects.filter(pk=ShopSettings.SINGLETON_PK).update(**{field: value})
