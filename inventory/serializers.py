from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from .models import Part


class PartSerializer(serializers.ModelSerializer):
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    quantity_in_stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    reorder_level = serializers.IntegerField(min_value=0, max_value=2_147_483_647, default=0)
    part_number = serializers.CharField(
        max_length=40,
        validators=[
            UniqueValidator(
                Part.objects.all(), message="A part with this part number already exists."
            )
        ],
    )

    class Meta:
        model = Part
        fields = ["id", "name", "part_number", "price", "quantity_in_stock", "reorder_level"]
