from mechanic_shop.api.routers import OptionalSlashRouter

from .views import DeliveryAttemptViewSet, EndpointViewSet, RedeliverViewSet

router = OptionalSlashRouter()
router.register("webhooks/endpoints", EndpointViewSet, basename="webhook-endpoint")
router.register("webhooks/deliveries", DeliveryAttemptViewSet, basename="webhook-delivery")
router.register("events", RedeliverViewSet, basename="event-redelivery")

urlpatterns = router.urls
