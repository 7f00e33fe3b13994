from mechanic_shop.api.routers import OptionalSlashRouter

from .views import CustomerViewSet

router = OptionalSlashRouter()
router.register("customers", CustomerViewSet, basename="customer")

urlpatterns = router.urls
