from mechanic_shop.api.routers import OptionalSlashRouter

from .views import ServiceTicketViewSet

router = OptionalSlashRouter()
router.register("service-tickets", ServiceTicketViewSet, basename="service-ticket")

urlpatterns = router.urls
