from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer


class PDFRenderer(BaseRenderer):
    """The answer's bytes as they are: a PDF a view rendered."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFOnly(BaseContentNegotiation):
    """A PDF endpoint answers its PDF whatever the client's Accept says (a
    browser's, a mail client's, an API client that sends application/json
    out of habit); its errors are JSON (TicketPDFViewSet.finalize_response)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
