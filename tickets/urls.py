from mechanic_shop.api.routers import OptionalSlashRouter

from .views import PaymentViewSet, RecommendationViewSet, ServiceTicketViewSet

router = OptionalSlashRouter()
router.register("service-tickets", ServiceTicketViewSet, basename="service-ticket")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = router.urls
