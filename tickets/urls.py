from mechanic_shop.api.routers import OptionalSlashRouter

from .views import RecommendationViewSet, ServiceTicketViewSet

router = OptionalSlashRouter()
router.register("service-tickets", ServiceTicketViewSet, basename="service-ticket")
router.register("recommendations", RecommendationViewSet, basename="recommendation")

urlpatterns = router.urls
