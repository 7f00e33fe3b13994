from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events are written by the services only: read here, never changed."""

    list_display = ("created_at", "type", "resource_type", "resource_id", "dispatched_at")
    list_filter = ("type", "resource_type")
    search_fields = ("=id", "=resource_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
