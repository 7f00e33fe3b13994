from django.contrib import admin
from django.db.models import F

from .models import Part


class LowStockFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", "At or below reorder level"), ("ok", "Above reorder level")]

    def queryset(self, request, queryset):
        low = {"quantity_in_stock__lte": F("reorder_level")}
        if self.value() == "low":
            return queryset.filter(**low)
        if self.value() == "ok":
            return queryset.exclude(**low)
        return queryset


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("name", "part_number", "price", "quantity_in_stock", "reorder_level", "low")
    search_fields = ("name", "part_number")
    list_filter = (LowStockFilter,)
    ordering = ("name",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(boolean=True, description="low stock")
    def low(self, obj):
        return obj.is_low_stock
