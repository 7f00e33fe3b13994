from mechanic_shop.api.routers import OptionalSlashRouter

from .views import MechanicViewSet

router = OptionalSlashRouter()
router.register("mechanics", MechanicViewSet, basename="mechanic")

urlpatterns = router.urls
