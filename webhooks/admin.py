from django.contrib import admin, messages

from events.admin import EventAdmin
from events.models import Event

from . import services
from .models import Delivery, DeliveryAttempt, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "is_active", "failure_count", "disabled_reason", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "description")
    exclude = ("secret",)  # shown once, by the API's create
    readonly_fields = ("failure_count", "disabled_reason", "created_at", "updated_at")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.endpoint_update(endpoint=obj, **fields)
        else:
            created = services.endpoint_create(
                url=obj.url, event_types=obj.event_types, description=obj.description
            )
            obj.pk = created.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "endpoint", "status", "attempts", "next_attempt_at")
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event_id", "endpoint", "attempt", "status", "status_code")
    list_filter = ("status",)
    list_select_related = ("endpoint",)


@admin.action(description="Send the selected events again (webhooks)")
def redeliver(modeladmin, request, queryset):
    for event in queryset:
        services.event_redeliver(event=event)
    messages.success(request, f"{queryset.count()} event(s) queued again.")


admin.site.unregister(Event)


@admin.register(Event)
class EventWithRedeliveryAdmin(EventAdmin):
    actions = [redeliver]
