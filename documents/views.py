from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.authentication import ShopJWTAuthentication
from mechanic_shop.api.permissions import IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet
from mechanic_shop.errors import NotFound
from tickets.models import ServiceTicket
from tickets.selectors import ticket_scope

from . import services
from .renderers import PDFOnly, PDFRenderer
from .rendering import ESTIMATE, INVOICE, PDF, document_filename, render_pdf
from .selectors import document_ticket, ticket_documents
from .serializers import DocumentSendSerializer


def json_errors(*codes: int) -> dict:
    """error_responses, said to be JSON where the success is a PDF."""
    return {(code, "application/json"): r for code, r in error_responses(*codes).items()}


PDF_NOTE = (
    "Staff, or the customer who owns the ticket (others get 404). The page prints the "
    "shop's name, address and phone, the customer, the vehicle (year, make, model, VIN, "
    "plate, mileage in and out), the ticket's dates, each job with its part and labor lines, "
    'the declined jobs apart ("Recommended, declined"), the discount, each tax and the '
    "total, amounts as the ticket's own answer gives them. Also opened from the Django "
    "admin's ticket page (its session login is accepted here)."
)


def pdf_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(OpenApiTypes.BINARY, description=description)


class TicketPDFViewSet(ShopViewSet):
    """``GET /service-tickets/{id}/estimate.pdf`` and ``…/invoice.pdf``."""

    queryset = ServiceTicket.objects.none()  # the model, for the schema
    # The Django admin opens the PDFs with its session login.
    authentication_classes = [ShopJWTAuthentication, SessionAuthentication]
    renderer_classes = [PDFRenderer]
    content_negotiation_class = PDFOnly
    permission_classes = [IsAuthenticated]

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is JSON like everywhere else, whatever the PDF's renderer.
        if isinstance(response, Response) and response.status_code >= 400:
            renderer = api_settings.DEFAULT_RENDERER_CLASSES[0]()
            request.accepted_renderer = renderer
            request.accepted_media_type = renderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def _pdf(self, document: str) -> Response:
        try:
            ticket = document_ticket(user=self.request.user, pk=self.kwargs["pk"])
        except ServiceTicket.DoesNotExist:
            raise NotFound("No ServiceTicket matches the given query.") from None
        content = render_pdf(ticket, document)
        filename = document_filename(ticket, document)
        return Response(
            content,
            content_type=PDF,
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )

    @extend_schema(
        operation_id="service_tickets_estimate_pdf",
        summary="The estimate, as PDF",
        description=f"At any status. {PDF_NOTE} Each job shows whether it is approved or "
        "pending, with the total authorized so far. "
        'Answered inline, `filename="estimate-<ticket id>.pdf"`.',
        responses={
            (200, PDF): pdf_response("The estimate (application/pdf)."),
            **json_errors(401, 404),
        },
    )
    def estimate(self, request, pk=None):
        return self._pdf(ESTIMATE)

    @extend_schema(
        operation_id="service_tickets_invoice_pdf",
        summary="The invoice, as PDF",
        description=f"Once invoiced (invoiced or paid; before: 409 naming the `status`). "
        f"{PDF_NOTE} It adds the invoice number and date, the payments received and the "
        'balance due. Answered inline, `filename="invoice-<invoice number>.pdf"`.',
        responses={
            (200, PDF): pdf_response("The invoice (application/pdf)."),
            **json_errors(401, 404, 409),
        },
    )
    def invoice(self, request, pk=None):
        return self._pdf(INVOICE)


SEND_NOTE = (
    "Mechanics and admins. Emails the PDF to the customer's address: queued now (202, "
    "`status` `pending`) and sent by the worker, which renders the PDF as the ticket is "
    "then. The ticket's history records the send and its outcome. A customer without an "
    "email address is accepted and answered at once as `failed` (`error`: no email "
    "address); a send the mail server refuses turns `failed` later: both are reported in "
    "the history and in `GET …/documents/`. Takes `Idempotency-Key`."
)


@extend_schema_view(
    documents=extend_schema(
        summary="Documents emailed",
        description="Staff, or the customer who owns the ticket (others get 404). Every "
        "estimate and invoice emailed for the ticket, newest first: to whom, when, and "
        "the outcome (`pending`, `sent` with `sent_at`, `failed` with `error`).",
        responses={200: DocumentSendSerializer(many=True), **error_responses(400, 401, 404)},
        filters=False,
    ),
    send_estimate=extend_schema(
        summary="Email the estimate",
        description=f"At any status. {SEND_NOTE}",
        request=None,
        responses={202: DocumentSendSerializer, **error_responses(401, 403, 404)},
    ),
    send_invoice=extend_schema(
        summary="Email the invoice",
        description=f"Once invoiced (before: 409 naming the `status`). {SEND_NOTE}",
        request=None,
        responses={202: DocumentSendSerializer, **error_responses(401, 403, 404, 409)},
    ),
)
class TicketDocumentViewSet(ShopViewSet):
    """The estimate and invoice emailed to the customer, and their record."""

    queryset = ServiceTicket.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = DocumentSendSerializer
    permission_classes = [IsStaff]
    permissions_by_action = {"documents": [IsAuthenticated]}

    def get_queryset(self):
        return ticket_scope(user=self.request.user)

    @action(detail=True, methods=["get"], filter_backends=[])
    def documents(self, request, pk=None):
        page = self.paginate_queryset(ticket_documents(ticket=self.get_object()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _send(self, document: str) -> Response:
        email = services.document_send(
            ticket=self.get_object(), document=document, by=self.request.user
        )
        return Response(self.get_serializer(email).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="send-estimate")
    def send_estimate(self, request, pk=None):
        return self._send(ESTIMATE)

    @action(detail=True, methods=["post"], url_path="send-invoice")
    def send_invoice(self, request, pk=None):
        return self._send(INVOICE)
