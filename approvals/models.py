import uuid

from django.conf import settings
from django.db import models


class ApprovalLink(models.Model):
    """A link the shop sends a customer to approve or decline the pending
    jobs of a repair order on a page that needs no login.

    The URL carries a signed token naming the ticket and the ``nonce``
    (``approvals.tokens``): the signature proves the shop made it, the nonce
    finds this row, whose dates say whether it still works. A new link for
    the ticket revokes the older ones; once used, a link only shows the
    decision it recorded (``authorization``)."""

    ticket = models.ForeignKey(
        "tickets.ServiceTicket", on_delete=models.CASCADE, related_name="approval_links"
    )
    nonce = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    authorization = models.ForeignKey(
        "tickets.Authorization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The decision recorded through the link.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Approval link #{self.pk} for ticket #{self.ticket_id}"
