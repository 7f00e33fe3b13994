from django.contrib import admin

from .models import Vehicle


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("vin", "year", "make", "model", "license_plate", "customer", "mileage")
    list_select_related = ("customer",)
    search_fields = ("vin", "license_plate", "make", "model", "customer__name")
    list_filter = ("make",)
    autocomplete_fields = ("customer",)
    readonly_fields = ("created_at", "updated_at")
