from django.urls import re_path

from mechanic_shop.api.routers import OptionalSlashRouter

from .views import TicketDocumentViewSet, TicketPDFViewSet

router = OptionalSlashRouter()
router.register("service-tickets", TicketDocumentViewSet, basename="ticket-document")

# A file name ends the path: no trailing slash after ".pdf".
urlpatterns = [
    re_path(
        r"^service-tickets/(?P<pk>\d+)/estimate\.pdf$",
        TicketPDFViewSet.as_view({"get": "estimate"}),
        name="ticket-estimate-pdf",
    ),
    re_path(
        r"^service-tickets/(?P<pk>\d+)/invoice\.pdf$",
        TicketPDFViewSet.as_view({"get": "invoice"}),
        name="ticket-invoice-pdf",
    ),
    *router.urls,
]
