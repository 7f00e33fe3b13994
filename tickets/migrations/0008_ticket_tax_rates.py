"""Each ticket keeps the tax rates it is priced with. The tickets that exist
get the environment's rates of today (SHOP_PARTS_TAX_RATE,
SHOP_LABOR_TAX_RATE), the ones their totals were computed with; the column
default fills them as it is added (no UPDATE of every ticket), then goes:
a new ticket's rates come from the shop's settings (tickets.services)."""

from decimal import Decimal

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def rate_field(default):
    return models.DecimalField(
        decimal_places=4,
        default=default,
        max_digits=5,
        validators=[
            django.core.validators.MinValueValidator(Decimal("0")),
            django.core.validators.MaxValueValidator(Decimal("1")),
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_ticketevent_document_emailed"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceticket",
            name="parts_tax_rate",
            field=rate_field(settings.SHOP_PARTS_TAX_RATE),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="serviceticket",
            name="labor_tax_rate",
            field=rate_field(settings.SHOP_LABOR_TAX_RATE),
            preserve_default=False,
        ),
    ]
