"""The approval link: the staff endpoint that issues one (DRF, JSON), and
the customer's page it opens (plain Django views rendering HTML: no login,
the token in the URL is the credential, the form is CSRF-protected by
Django's middleware).

The page answers every outcome with an HTML page of its own, never JSON:
404 a token that is not valid, 410 a link expired or replaced, 409 a ticket
no longer open to authorization or a decision already recorded, 400 a form
to correct, 429 too many requests.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from idempotency.views import IdempotencyKeyMixin
from mechanic_shop.api.permissions import IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.errors import Conflict, InvalidState, NotFound
from shop.selectors import shop_settings
from tickets.models import JobStatus
from tickets.selectors import ticket_scope

from . import selectors, services
from .forms import DecisionForm
from .serializers import ApprovalLinkRequestSerializer, ApprovalLinkSerializer
from .throttles import ApprovalPageThrottle

TICKET_ID = OpenApiParameter(
    "ticket_id", int, OpenApiParameter.PATH, description="Service ticket id"
)


@extend_schema(
    summary="Issue an approval link",
    description="Mechanics and admins. A link to a page where the customer, with no login, "
    "sees the ticket's pending jobs (their part and labor lines and subtotals, the "
    "discount, tax and total) and approves or declines each one, signing with their full "
    "name; the decision is recorded as an authorization of method `link`. The link works "
    "for `expires_in_hours` (1 to 168, default 72) and for one decision; a new link for "
    "the ticket revokes the earlier ones. `send_email: true` mails it to the customer's "
    "email address once the link is stored (`emailed_to`). An invoiced, paid or "
    "cancelled ticket is a 409 (`ticket_locked`).",
    parameters=[TICKET_ID],
    request=ApprovalLinkRequestSerializer,
    responses={201: ApprovalLinkSerializer, **error_responses(400, 401, 403, 404, 409)},
)
class ApprovalLinkView(IdempotencyKeyMixin, GenericAPIView):
    permission_classes = [IsStaff]
    serializer_class = ApprovalLinkRequestSerializer
    filter_backends = []
    pagination_class = None

    def post(self, request, ticket_id):
        ticket = get_object_or_404(ticket_scope(user=request.user), pk=ticket_id)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = services.approval_link_create(
            by=request.user,
            ticket=ticket,
            site_url=request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        return Response(ApprovalLinkSerializer(issued).data, status=status.HTTP_201_CREATED)


# Nothing but the page itself: no script runs, no frame holds it, nothing
# loads from elsewhere (its CSS is inline), its form posts only here.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Robots-Tag": "noindex, nofollow",
}

GONE = {
    "link_expired": (
        "This link has expired",
        "Approval links work for a limited time. Ask the shop to send you a new one.",
    ),
    "link_revoked": (
        "This link was replaced",
        "The shop sent you a newer link for this repair order: use the latest one.",
    ),
}


@method_decorator(never_cache, name="dispatch")
class ApprovalPageView(View):
    """``/approve/<token>/``: GET shows the pending jobs and the form (or,
    once used, the decision), POST records the decision."""

    http_method_names = ["get", "head", "post"]

    def dispatch(self, request, *args, **kwargs):
        throttle = ApprovalPageThrottle()
        if not throttle.allow_request(request, self):
            response = self.message(
                request,
                status.HTTP_429_TOO_MANY_REQUESTS,
                "Too many requests",
                "Wait a minute, then load this page again.",
            )
            response["Retry-After"] = str(throttle.wait())
        else:
            response = self.answer(request, *args, **kwargs)
        for header, value in PAGE_HEADERS.items():
            response[header] = value
        return response

    def answer(self, request, *args, **kwargs):
        """The page, or the page that says why not."""
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound:
            return self.message(
                request,
                status.HTTP_404_NOT_FOUND,
                "This link is not valid",
                "Check that you opened the whole link from the shop's message, or ask the "
                "shop for a new one.",
            )
        except services.LinkGone as gone:
            title, text = GONE.get(gone.code, (gone.message, ""))
            return self.message(request, status.HTTP_410_GONE, title, text)
        except InvalidState:
            return self.message(
                request,
                status.HTTP_409_CONFLICT,
                "This repair order can no longer be approved online",
                "Its work is already invoiced, paid or cancelled. Contact the shop with any "
                "question.",
            )

    def get(self, request, token):
        link = selectors.approval_link_from_token(token)
        try:
            services.approval_link_check(link)
        except services.AlreadyDecided:
            return self.decided(request, link)
        form = DecisionForm(jobs=selectors.approval_page_jobs(link=link))
        return self.form_page(request, link, form)

    def post(self, request, token):
        link = selectors.approval_link_from_token(token)
        try:
            services.approval_link_check(link)
        except services.AlreadyDecided:
            return self.decided(request, link, status=status.HTTP_409_CONFLICT)
        form = DecisionForm(request.POST, jobs=selectors.approval_page_jobs(link=link))
        if not form.pending:
            return self.form_page(request, link, form, status=status.HTTP_409_CONFLICT)
        if not form.is_valid():
            return self.form_page(request, link, form, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.approval_link_decide(
                link=link,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                **form.decision(),
            )
        except services.AlreadyDecided:  # decided by a submission of a moment ago
            link = selectors.approval_link_from_token(token)
            return self.decided(request, link, status=status.HTTP_409_CONFLICT)
        except InvalidState:
            raise  # the ticket was invoiced or cancelled meanwhile: answer() says so
        except Conflict:  # nothing pending any more
            form = DecisionForm(jobs=selectors.approval_page_jobs(link=link))
            return self.form_page(request, link, form, status=status.HTTP_409_CONFLICT)
        except ValidationError as error:
            # The jobs changed between the page's read and the decision's
            # lock: show them as they now are, and why.
            form = DecisionForm(request.POST, jobs=selectors.approval_page_jobs(link=link))
            if form.is_valid():
                form.add_error(None, error.messages)
            return self.form_page(request, link, form, status=status.HTTP_400_BAD_REQUEST)
        link = selectors.approval_link_from_token(token)  # the ticket as decided
        return self.decided(request, link, just_now=True)

    def http_method_not_allowed(self, request, *args, **kwargs):
        response = self.message(
            request,
            status.HTTP_405_METHOD_NOT_ALLOWED,
            "Not allowed",
            "This page is opened (GET) and its form sent (POST), nothing else.",
        )
        response["Allow"] = ", ".join(method.upper() for method in self._allowed_methods())
        return response

    # -- the pages --------------------------------------------------------

    def form_page(self, request, link, form, status=status.HTTP_200_OK):
        jobs = list(form.jobs.values())
        context = {
            **self.ticket_context(link),
            "form": form,
            "approved_jobs": [job for job in jobs if job.status == JobStatus.APPROVED],
            "declined_jobs": [job for job in jobs if job.status == JobStatus.DECLINED],
        }
        return render(request, "approvals/page.html", context, status=status)

    def decided(self, request, link, *, status=status.HTTP_200_OK, just_now=False):
        authorization = link.authorization
        approved, declined = ([], [])
        if authorization is not None:
            approved, declined = selectors.authorization_jobs(authorization=authorization)
        context = {
            **self.ticket_context(link),
            "authorization": authorization,
            "decided_at": link.decided_at,
            "approved_jobs": approved,
            "declined_jobs": declined,
            "just_now": just_now,
        }
        return render(request, "approvals/decided.html", context, status=status)

    def message(self, request, status, title, text):
        context = {"shop_name": shop_settings().name, "title": title, "text": text}
        return render(request, "approvals/message.html", context, status=status)

    @staticmethod
    def ticket_context(link) -> dict:
        ticket = link.ticket
        vehicle = ticket.vehicle
        return {
            "shop_name": shop_settings().name,
            "ticket": ticket,
            "vehicle_name": " ".join(
                str(part) for part in (vehicle.year, vehicle.make, vehicle.model) if part
            )
            if vehicle
            else "",
            "vin": vehicle.vin if vehicle else ticket.vin,
            "subtotal": ticket.parts_total + ticket.labor_total,
        }
