from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from mechanic_shop.api.permissions import IsAdmin, IsStaff
from mechanic_shop.api.schema import error_responses
from mechanic_shop.api.viewsets import ShopViewSet

from . import services
from .selectors import shop_settings
from .serializers import ShopSettingsSerializer


@extend_schema_view(
    retrieve=extend_schema(
        summary="Get the shop's settings",
        description="Mechanics and admins. The shop's one settings record: contact details, "
        "time zone, opening hours, bays, appointment rules, the labor rate and the tax rates.",
        responses={200: ShopSettingsSerializer, **error_responses(401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change the shop's settings",
        description="Admins. What is not sent stays as it is; every change is recorded "
        "(who, when, before and after). New rates apply to what is priced afterwards: a "
        "ticket keeps the tax rates it was created with and a labor line its rate, so "
        "existing totals never change. Tax rates are fractions from 0 to 1 (0.0825 is 8.25 %); "
        "`time_zone` is an IANA name.",
        responses={200: ShopSettingsSerializer, **error_responses(400, 401, 403)},
    ),
)
class ShopSettingsViewSet(ShopViewSet):
    """``/shop/``: one record, no id in the path."""

    serializer_class = ShopSettingsSerializer
    permission_classes = [IsStaff]
    permissions_by_action = {"partial_update": [IsAdmin]}

    def get_object(self):
        return shop_settings()

    def retrieve(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    def partial_update(self, request):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.shop_settings_update(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(row).data)
