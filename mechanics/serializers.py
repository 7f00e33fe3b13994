from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.fields import LoginEmailField, validate_new_password

from .models import Mechanic


class MechanicSerializer(serializers.ModelSerializer):
    """What mechanics see of each other: no salary."""

    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Mechanic
        fields = ["id", "name", "email", "phone"]
        read_only_fields = fields


class MechanicAdminSerializer(serializers.ModelSerializer):
    """Admins read and write everything, salary included; ``password`` is
    write-only, required on create."""

    email = LoginEmailField(source="user.email")
    password = serializers.CharField(
        write_only=True, required=False, max_length=128, style={"input_type": "password"}
    )
    salary = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)

    class Meta:
        model = Mechanic
        fields = ["id", "name", "email", "phone", "salary", "password"]

    def validate(self, attrs):
        password = attrs.get("password")
        if self.instance is None and not password:
            raise serializers.ValidationError({"password": ["This field is required."]})
        if password:
            email = attrs.get("user", {}).get("email") or getattr(
                getattr(self.instance, "user", None), "email", None
            )
            name = attrs.get("name") or getattr(self.instance, "name", None)
            validate_new_password(password, email=email, name=name)
        return attrs


class PopularMechanicSerializer(MechanicSerializer):
    ticket_count = serializers.IntegerField(read_only=True)

    class Meta(MechanicSerializer.Meta):
        fields = [*MechanicSerializer.Meta.fields, "ticket_count"]
        read_only_fields = fields


class PopularMechanicAdminSerializer(MechanicAdminSerializer):
    ticket_count = serializers.IntegerField(read_only=True)

    class Meta(MechanicAdminSerializer.Meta):
        fields = [*MechanicAdminSerializer.Meta.fields, "ticket_count"]


class MechanicSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class MechanicSearchQuerySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, help_text="Part of the name, any case.")


@extend_schema_serializer(component_name="Mechanic")
class MechanicReadSerializer(MechanicSerializer):
    """A mechanic as the read endpoints answer it (for the schema only):
    ``salary`` is there for admins and absent for mechanics."""

    salary = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, help_text="Admins only."
    )

    class Meta(MechanicSerializer.Meta):
        fields = [*MechanicSerializer.Meta.fields, "salary"]
        read_only_fields = MechanicSerializer.Meta.fields


@extend_schema_serializer(component_name="PopularMechanic")
class PopularMechanicReadSerializer(MechanicReadSerializer):
    """A mechanic of the popularity ranking (for the schema only)."""

    ticket_count = serializers.IntegerField(read_only=True)

    class Meta(MechanicReadSerializer.Meta):
        fields = [*MechanicReadSerializer.Meta.fields, "ticket_count"]
