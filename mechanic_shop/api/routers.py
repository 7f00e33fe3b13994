from rest_framework.routers import DefaultRouter


class OptionalSlashRouter(DefaultRouter):
    """Every route answers with and without its trailing slash, with no
    redirect (a redirected POST would lose its body). JSON only: no
    ``.json``-style format suffixes, no browsable root view."""

    include_root_view = False
    include_format_suffixes = False

    def __init__(self):
        super().__init__()
        # DRF only takes True/False for trailing_slash; the regex it is
        # pasted into accepts an optional slash.
        self.trailing_slash = "/?"
