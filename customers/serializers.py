from rest_framework import serializers

from accounts.fields import LoginEmailField, validate_new_password

from .models import Customer


class CustomerSerializer(serializers.ModelSerializer):
    """``{id, name, email, phone}``; ``password`` is write-only, required on
    create, optional on update (a new one is hashed). ``current_password``
    is write-only too: a customer changing its own email or password proves
    it with the current one."""

    email = LoginEmailField(source="user.email")
    password = serializers.CharField(
        write_only=True, required=False, max_length=128, style={"input_type": "password"}
    )
    current_password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="A customer's own current password, required when it changes its email "
        "or password (not when an admin does).",
    )

    class Meta:
        model = Customer
        fields = ["id", "name", "email", "phone", "password", "current_password"]

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


class CustomerSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
