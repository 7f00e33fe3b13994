from rest_framework import serializers

from mail.models import OutboundEmail

from .rendering import DOCUMENTS


class DocumentSendSerializer(serializers.ModelSerializer):
    """A document emailed to the customer: which, to whom, when, and the
    outcome (``pending`` until the worker has tried; ``failed`` with the
    reason: no email address, the server's refusal, given up)."""

    document = serializers.ChoiceField(choices=DOCUMENTS, source="kind", read_only=True)
    to = serializers.CharField(read_only=True, help_text="Empty: the customer has no address.")

    class Meta:
        model = OutboundEmail
        fields = [
            "id",
            "document",
            "to",
            "subject",
            "status",
            "error",
            "attempts",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields
