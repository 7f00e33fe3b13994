from mechanic_shop.api.routers import OptionalSlashRouter

from .views import PartViewSet

router = OptionalSlashRouter()
router.register("inventory", PartViewSet, basename="part")

urlpatterns = router.urls
