"""The errors a service raises when a business action cannot be done.

They know nothing of HTTP or DRF: the services, the admin and the
management commands share them. ``mechanic_shop.api.exceptions`` maps them
to HTTP answers in one place (409 for a conflict, 404 for not found); the
admin and the commands show their message. Bad field values are Django's own
``ValidationError`` (a 400 naming the field).

``code`` is the stable machine-readable reason clients branch on, ``extra``
what a client can act on (the ticket's ``status`` and ``allowed`` actions,
the stock ``available``), both sent with the message.
"""


class DomainError(Exception):
    """A business rule refused the action."""

    default_message = "The action cannot be done."
    default_code = "error"

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra):
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.extra = extra
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """What the action names does not exist (or is out of the caller's reach)."""

    default_message = "Not found."
    default_code = "not_found"


class Conflict(DomainError):
    """The action is valid but clashes with the current state: a record
    still referenced, stock too low, a total out of range."""

    default_message = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class InvalidState(Conflict):
    """The action is not allowed from the record's current status (a ticket
    already invoiced, a transition the workflow does not have)."""

    default_message = "This action is not allowed in the current state."
    default_code = "invalid_state"
