from django.contrib import admin, messages

from tickets.admin import ReadOnlyAdmin

from . import services
from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "to", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject", "=ticket__id")
    date_hierarchy = "created_at"
    raw_id_fields = ("ticket",)
    actions = ("send_again",)

    @admin.action(description="Send the selected failed emails again")
    def send_again(self, request, queryset):
        retried = 0
        for email in queryset.filter(status=OutboundEmail.Status.FAILED).exclude(to=""):
            services.email_retry(email=email)
            retried += 1
        self.message_user(request, f"{retried} email(s) queued again.", messages.SUCCESS)
