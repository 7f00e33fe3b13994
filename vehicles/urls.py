from mechanic_shop.api.routers import OptionalSlashRouter

from .views import VehicleViewSet

router = OptionalSlashRouter()
router.register("vehicles", VehicleViewSet, basename="vehicle")

urlpatterns = router.urls
