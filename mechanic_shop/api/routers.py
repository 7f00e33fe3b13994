from rest_framework.routers import DefaultRouter


class OptionalSlashRouter(DefaultRouter):
    """Every route answers with and without its trailing slash, with no
    redirect (a redirected POST would lose its body)."""

    include_root_view = False

    def __init__(self):
        super().__init__(trailing_slash="/?")
