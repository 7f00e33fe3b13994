"""Attachments rendered by the worker when it sends (a PDF of the ticket as
it is then), registered by name by the app that owns them:

    @attachments.register("invoice_pdf")
    def invoice_pdf(email) -> tuple[str, bytes, str]:  # filename, content, mimetype
        ...

An app registers its renderers when it is ready (its AppConfig.ready)."""

from collections.abc import Callable

Renderer = Callable[..., tuple[str, bytes, str]]
_renderers: dict[str, Renderer] = {}


class UnknownAttachment(LookupError):
    pass


def register(name: str) -> Callable[[Renderer], Renderer]:
    def decorator(renderer: Renderer) -> Renderer:
        _renderers[name] = renderer
        return renderer

    return decorator


def render(email) -> tuple[str, bytes, str]:
    try:
        renderer = _renderers[email.attachment]
    except KeyError:
        raise UnknownAttachment(f"no attachment named {email.attachment!r}") from None
    return renderer(email)
