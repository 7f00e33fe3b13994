from mechanic_shop.api.routers import OptionalSlashRouter

from .views import CannedJobViewSet

router = OptionalSlashRouter()
router.register("canned-jobs", CannedJobViewSet, basename="canned-job")

urlpatterns = router.urls
