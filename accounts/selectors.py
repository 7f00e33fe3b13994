from .models import User


def user_me(*, user) -> dict:
    """The caller's identity and the ids of its profiles, in one query."""
    profile = User.objects.filter(pk=user.pk).values("customer__id", "mechanic__id").get()
    return {
        "id": user.pk,
        "email": user.email,
        "role": user.role,
        "customer_id": profile["customer__id"],
        "mechanic_id": profile["mechanic__id"],
    }
