from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from accounts import views as account_views
from mechanic_shop.api.exceptions import json_not_found
from mechanic_shop.health import HealthView, ReadyView

# Paths outside the routers are written "…/?$" so they answer with and
# without the trailing slash, like the router paths (APPEND_SLASH is off).
urlpatterns = [
    re_path(r"^auth/login/?$", account_views.AnyLoginView.as_view(), name="login"),
    re_path(r"^auth/token/refresh/?$", account_views.RefreshView.as_view(), name="token-refresh"),
    re_path(r"^auth/logout/?$", account_views.LogoutView.as_view(), name="logout"),
    re_path(r"^auth/me/?$", account_views.MeView.as_view(), name="me"),
    re_path(
        r"^customers/login/?$", account_views.CustomerLoginView.as_view(), name="customer-login"
    ),
    re_path(
        r"^mechanics/login/?$", account_views.MechanicLoginView.as_view(), name="mechanic-login"
    ),
    path("", include("customers.urls")),
    path("", include("mechanics.urls")),
    path("", include("tickets.urls")),
    path("", include("inventory.urls")),
    path("", include("vehicles.urls")),
    path("", include("reports.urls")),
    path("", include("approvals.urls")),
    path("", include("canned_jobs.urls")),
    path("", include("events.urls")),
    path("", include("webhooks.urls")),
    path("", include("sync.urls")),
    path("", include("shop.urls")),
    path("", include("appointments.urls")),
    path("", include("timeclock.urls")),
    path("", include("documents.urls")),
    re_path(r"^healthz/?$", HealthView.as_view(), name="healthz"),
    re_path(r"^readyz/?$", ReadyView.as_view(), name="readyz"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^api/redoc/?$", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    re_path(r"^admin$", RedirectView.as_view(url="/admin/", permanent=True)),
    path("admin/", admin.site.urls),
    # Last: every other path (newlines included) answers the JSON 404, DEBUG
    # on or off: with DEBUG on, Django answers an unmatched URL with its HTML
    # debug page and never calls handler404. Exempt from CSRF, or a POST to an
    # unknown URL would get Django's HTML 403 page.
    re_path(r"^[\s\S]*$", csrf_exempt(json_not_found)),
]

handler400 = "mechanic_shop.api.exceptions.json_bad_request"
handler403 = "mechanic_shop.api.exceptions.json_permission_denied"
handler404 = "mechanic_shop.api.exceptions.json_not_found"
handler500 = "mechanic_shop.api.exceptions.json_server_error"

admin.site.site_header = "Mechanic Shop administration"
admin.site.site_title = "Mechanic Shop admin"
admin.site.index_title = "Shop records"
