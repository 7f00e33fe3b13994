"""Approval links, read-only: issued through the API, used on their page.
Listed by ticket: searching a ticket's id, or its number in the list, shows
every link the ticket was sent and what became of each."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from tickets.admin import ReadOnlyAdmin

from .models import ApprovalLink


@admin.register(ApprovalLink)
class ApprovalLinkAdmin(ReadOnlyAdmin):
    list_display = ("id", "ticket_link", "state", "created_by", "created_at", "expires_at")
    list_select_related = ("ticket", "created_by")
    search_fields = ("=ticket__id",)
    ordering = ("ticket_id", "-id")
    show_full_result_count = False
    fields = (
        "ticket",
        "state",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "decided_at",
        "authorization",
    )
    # The nonce stays out: with SECRET_KEY it would make the link's URL.
    readonly_fields = fields

    @admin.display(description="ticket", ordering="ticket_id")
    def ticket_link(self, link):
        """Every link of the ticket (the ticket itself is a link on the
        link's own page)."""
        url = reverse("admin:approvals_approvallink_changelist")
        return format_html('<a href="{}?ticket={}">#{}</a>', url, link.ticket_id, link.ticket_id)

    @admin.display(description="state")
    def state(self, link):
        if link.decided_at is not None:
            return "decided"
        if link.revoked_at is not None:
            return "revoked"
        if link.expires_at <= timezone.now():
            return "expired"
        return "open"
