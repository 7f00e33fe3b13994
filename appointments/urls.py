from mechanic_shop.api.routers import OptionalSlashRouter

from .views import AppointmentViewSet

router = OptionalSlashRouter()
router.register("appointments", AppointmentViewSet, basename="appointment")

urlpatterns = router.urls
