"""Role permissions reused by every app. Roles live on ``accounts.User.role``."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Role


def _role(request) -> str | None:
    user = request.user
    if not (user and user.is_authenticated):
        return None
    return user.role


class IsCustomer(BasePermission):
    message = "Only customers may do this."

    def has_permission(self, request, view):
        return _role(request) == Role.CUSTOMER


class IsMechanic(BasePermission):
    message = "Only mechanics may do this."

    def has_permission(self, request, view):
        return _role(request) == Role.MECHANIC


class IsAdmin(BasePermission):
    message = "Only shop administrators may do this."

    def has_permission(self, request, view):
        return _role(request) == Role.ADMIN


class IsStaff(BasePermission):
    """Mechanics and administrators: the people who work in the shop."""

    message = "Only shop staff (mechanics and administrators) may do this."

    def has_permission(self, request, view):
        return _role(request) in (Role.MECHANIC, Role.ADMIN)


class IsStaffOrReadOnly(BasePermission):
    """Reads for anyone the view lets in; writes for staff only."""

    message = "Only shop staff (mechanics and administrators) may do this."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or _role(request) in (Role.MECHANIC, Role.ADMIN)


def is_staff_role(user) -> bool:
    return bool(user and user.is_authenticated and user.role in (Role.MECHANIC, Role.ADMIN))
