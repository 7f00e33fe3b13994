from django.contrib import admin

from .models import Mechanic


@admin.register(Mechanic)
class MechanicAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "salary", "ticket_count")
    search_fields = ("name", "user__email", "phone")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    readonly_fields = ("ticket_count", "created_at", "updated_at")
    # Explicit: the autocomplete (ticket page) pages through this queryset
    # and needs a stable order.
    ordering = ("name", "id")

    @admin.display(ordering="user__email")
    def email(self, obj):
        return obj.user.email
