"""The token in an approval link's URL: the ticket id and the link's nonce,
signed with the project's SECRET_KEY (``django.core.signing``, HMAC-SHA256,
verified in constant time; keys in SECRET_KEY_FALLBACKS still verify, so a
rotated key does not break the links already sent).

The token proves the shop issued it; whether it still works (expired,
revoked, used) is the link's row, so it carries no expiry of its own.
"""

import uuid

from django.core import signing

# Its own salt: no other signed value of the project (a session, a password
# reset token) can pass for an approval link, nor one for them.
SALT = "approvals.ApprovalLink"


def link_token(link) -> str:
    return signing.dumps({"t": link.ticket_id, "n": link.nonce.hex}, salt=SALT)


def read_link_token(token: str) -> tuple[int, uuid.UUID]:
    """The ticket id and nonce a token names; ``signing.BadSignature`` for
    anything that is not a token this project signed for a link."""
    data = signing.loads(token, salt=SALT)
    try:
        return int(data["t"]), uuid.UUID(hex=data["n"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("Not an approval link token.") from exc
