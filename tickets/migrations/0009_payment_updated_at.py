
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def stamp_as_recorded(apps, schema_editor):
    # A payment has never changed: it was last updated when it was recorded.
    apps.get_model("tickets", "Payment").objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0008_ticket_tax_rates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='payment',
            name='updated_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.RunPython(stamp_as_recorded, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['updated_at', 'id'], name='payment_updated_idx'),
        ),
    ]
