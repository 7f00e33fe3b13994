from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .services import DEFAULT_EXPIRES_IN_HOURS, MAX_EXPIRES_IN_HOURS


# Named for the schema as its answer is, the request component then reads
# "ApprovalLinkRequest" (not "ApprovalLinkRequestRequest").
@extend_schema_serializer(component_name="ApprovalLink")
class ApprovalLinkRequestSerializer(serializers.Serializer):
    expires_in_hours = serializers.IntegerField(
        min_value=1,
        max_value=MAX_EXPIRES_IN_HOURS,
        default=DEFAULT_EXPIRES_IN_HOURS,
        help_text=f"How long the link works: 1 to {MAX_EXPIRES_IN_HOURS} hours "
        f"(default {DEFAULT_EXPIRES_IN_HOURS}).",
    )
    send_email = serializers.BooleanField(
        default=False, help_text="Mail the link to the customer's email address."
    )


class ApprovalLinkSerializer(serializers.Serializer):
    """A link issued (``approvals.services.IssuedLink``)."""

    url = serializers.URLField(read_only=True, help_text="The approval page, for the customer.")
    expires_at = serializers.DateTimeField(read_only=True)
    emailed_to = serializers.EmailField(
        read_only=True,
        allow_null=True,
        help_text="The address the link is mailed to, or null when send_email was false.",
    )
