from django.urls import re_path

from .views import ShopSettingsViewSet

# One record, so no router: "/shop/" itself is the record (with or without
# its trailing slash, like every path).
urlpatterns = [
    re_path(
        r"^shop/?$",
        ShopSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="shop-settings",
    ),
]
