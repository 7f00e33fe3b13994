from django.urls import re_path

from . import views

# Written "…/?$": with and without the trailing slash (mechanic_shop/urls.py).
urlpatterns = [
    re_path(
        r"^service-tickets/(?P<ticket_id>\d+)/approval-link/?$",
        views.ApprovalLinkView.as_view(),
        name="approval-link",
    ),
    # Any token but one with a slash reaches the page, which answers a bad
    # one with its own HTML 404.
    re_path(
        r"^approve/(?P<token>[^/]+)/?$", views.ApprovalPageView.as_view(), name="approval-page"
    ),
]
