from django.urls import re_path

from mechanic_shop.api.routers import OptionalSlashRouter

from .views import ClockInViewSet, TimeEntryViewSet

router = OptionalSlashRouter()
router.register("time-entries", TimeEntryViewSet, basename="time-entry")

urlpatterns = [
    # Under the ticket's path, answered here ("…/?$": with and without the
    # trailing slash, like the router paths).
    re_path(
        r"^service-tickets/(?P<ticket_id>\d+)/jobs/(?P<job_id>\d+)/clock-in/?$",
        ClockInViewSet.as_view({"post": "create"}),
        name="job-clock-in",
    ),
    *router.urls,
]
