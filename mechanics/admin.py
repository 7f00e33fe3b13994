from django.contrib import admin
from django.db.models import Count

from .models import Mechanic


@admin.register(Mechanic)
class MechanicAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "salary", "tickets_worked")
    search_fields = ("name", "user__email", "phone")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")
    # Explicit, because Meta.ordering is dropped from the GROUP BY query that
    # counting tickets makes: the autocomplete (ticket page) pages through
    # this queryset and needs a stable order.
    ordering = ("name", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tickets_worked=Count("assignments"))

    @admin.display(ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(ordering="tickets_worked", description="tickets worked")
    def tickets_worked(self, obj):
        return obj.tickets_worked
