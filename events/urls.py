from mechanic_shop.api.routers import OptionalSlashRouter

from .views import EventViewSet

router = OptionalSlashRouter()
router.register("events", EventViewSet, basename="event")

urlpatterns = router.urls
