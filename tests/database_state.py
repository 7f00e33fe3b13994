"""What the project stores, as a value: two equal snapshots mean a request
changed nothing."""

from django.apps import apps
from django.conf import settings

# Fields that change on every save or login: not what a request "changed".
VOLATILE_FIELDS = {"created_at", "updated_at", "last_login", "assigned_at"}


def project_models():
    """Every model of this project's own apps (not Django's or a library's)."""
    base = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if config.path.startswith(base) and ".venv" not in config.path:
            yield from config.get_models()


def snapshot() -> dict:
    """Every row of every project model, minus the timestamps that move by
    themselves."""
    state = {}
    for model in project_models():
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE_FIELDS]
        state[model._meta.label] = sorted(map(repr, model.objects.values_list(*fields)))
    return state
