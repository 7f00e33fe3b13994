from rest_framework.renderers import BaseRenderer


class PDFRenderer(BaseRenderer):
    """The answer's bytes as they are: a PDF a view rendered."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data
