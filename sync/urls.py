from mechanic_shop.api.routers import OptionalSlashRouter

from .views import DeletedViewSet

router = OptionalSlashRouter()
router.register("sync/deleted", DeletedViewSet, basename="sync-deleted")

urlpatterns = router.urls
