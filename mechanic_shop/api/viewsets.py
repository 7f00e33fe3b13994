"""The base of every viewset: numeric ids in URLs, permissions per action,
``Idempotency-Key`` on POST and PATCH."""

from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from idempotency.views import IdempotencyKeyMixin


class ShopViewSet(IdempotencyKeyMixin, viewsets.GenericViewSet):
    # Ids are numbers: "/customers/login/" can never be read as a customer.
    lookup_value_regex = r"\d+"
    permission_classes = [IsAuthenticated]
    # action name -> permission classes; actions not listed use permission_classes.
    permissions_by_action: dict[str, list] = {}

    def get_permissions(self):
        classes = self.permissions_by_action.get(self.action, self.permission_classes)
        return [permission() for permission in classes]

    @property
    def role(self) -> str | None:
        user = self.request.user
        return user.role if user and user.is_authenticated else None
