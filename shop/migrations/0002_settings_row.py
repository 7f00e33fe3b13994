"""The shop's settings row, from the environment's defaults (SHOP_* settings)."""

from django.db import migrations

from shop.defaults import environment_defaults


def create_row(apps, schema_editor):
    ShopSettings = apps.get_model("shop", "ShopSettings")
    # Only the fields this migration's model has: a field added later gets
    # its value in the migration that adds it.
    fields = {field.name for field in ShopSettings._meta.concrete_fields}
    values = {k: v for k, v in environment_defaults().items() if k in fields}
    ShopSettings.objects.get_or_create(pk=1, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
