"""Idempotency keys: a POST or PATCH retried with the same
``Idempotency-Key`` gets the first answer again instead of being applied
twice.

How a keyed request runs (``idempotency.views.IdempotencyKeyMixin``, inside
DRF's dispatch, once authentication, permissions and throttles have run: the
caller is part of what the key means):

1. **Claim** (``key_claim``), in a short transaction of its own: insert the
   row (caller, key) with the request's fingerprint and no answer. The
   unique constraint on (caller, key) decides between concurrent first
   requests: one inserts, the others find the row.
2. **Handle**, in one transaction (``transaction.atomic()``) whose first
   statement locks the row (``key_lock``: ``SELECT … FOR UPDATE``), then the
   view, then the answer written into the row (``key_answer``: status, body,
   the headers a client needs). The change and the stored answer commit
   together or not at all: a crash before the commit leaves no change and a
   row without an answer, a crash after it leaves both. A retry can never
   apply the change twice.
3. **An answer that is not one** (an exception, a 5xx, a 429 "come back
   later") rolls that transaction back and deletes the row (``key_release``):
   a retry may try again at once. A 4xx answer is the request's answer: it is
   stored like a success.

A request that finds the row:

* of another fingerprint (method, path with query string, or body): 422
  ``idempotency_key_reused``;
* answered: the stored answer, with ``Idempotent-Replayed: true``; nothing
  is changed;
* locked (asked with ``NOWAIT``, so never waiting): the first request is
  running: 409 ``idempotency_key_in_progress``;
* unlocked, unanswered and claimed less than ``CLAIM_LEASE`` ago: the first
  request is between its claim and its lock (or its rollback and release):
  409 as well;
* unlocked, unanswered and claimed longer ago: the first request's process
  died before its commit, so nothing of it was applied (step 2), and its
  lock went with its connection: this request takes the row over;
* created more than ``IDEMPOTENCY_KEY_TTL_HOURS`` ago: forgotten, the
  request is handled as a new one (``purge_idempotency_keys`` deletes such
  rows).

So the lock, not the row, says "in progress". On SQLite there are no row
locks, but every write transaction holds the database's write lock from its
start: a duplicate waits for the first request's transaction to end and then
finds its answer.

**Services that run a short transaction of their own before their main
one.** Inside the request's transaction such a transaction is a savepoint.
``tickets.services.ticket_transition`` (invoice) first makes the invoice
counter's row (``invoice_counter_ensure``), so that concurrent first invoices
race on a plain insert, never on locks they hold. Under one outer
transaction, on MariaDB, the invoices that lose that insert race keep a
shared lock on the new row (rolling back a savepoint keeps its locks) and
then want it exclusive: a deadlock, and InnoDB rolls back the whole
transaction of all but one of them. Such a victim has applied nothing (its
whole request was that one transaction), so the view is run again in a new
transaction (``DEADLOCK_ATTEMPTS`` in all), where the counter exists
(``idempotency/tests/test_concurrency.py``: ten concurrent first invoices,
each with its key). The alternatives were worse: the view outside one
transaction loses the guarantee of step 2 (an answer stored after the
change commits can be lost in between), and a hook per service that runs
its short transaction first would have to be remembered by every new one.
Without the header nothing of this runs: a request is handled as before.

The body is fingerprinted with an HMAC under ``SECRET_KEY``, not a bare
hash: a body may carry a password (a customer's new one), and a bare SHA-256
of it at rest would be a fast hash of that password.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST", "PATCH"})
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")
# The headers of an answer a client needs again on a replay. Not the ones
# that describe this moment (rate limits, Date, Vary: the replay sets its own).
STORED_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified")
# How long an unlocked, unanswered row is taken for a live request: far
# longer than a request needs between its claim and its lock (one statement).
CLAIM_LEASE = timedelta(seconds=30)
DEADLOCK_ATTEMPTS = 3
# MySQL/MariaDB: the transaction was chosen as a deadlock's victim and
# rolled back whole.
ER_LOCK_DEADLOCK = 1213


class KeyInvalid(ValueError):
    """The header is not 1 to 255 printable ASCII characters."""


class KeyInProgress(Exception):
    """The first request with this key is still being handled."""


class KeyReused(Exception):
    """The key was first sent with another method, path or body."""


@dataclass(frozen=True)
class Claim:
    """What a keyed request is: whose key, which key, and for what."""

    caller: str
    key_digest: str
    fingerprint: str


def key_check(value: str) -> str:
    """The key as sent, or ``KeyInvalid``."""
    if not KEY_PATTERN.fullmatch(value):
        raise KeyInvalid(f"{HEADER} must be 1 to 255 printable ASCII characters.")
    return value


def request_claim(*, user, key: str, method: str, path: str, body: bytes) -> Claim:
    """The claim of a request: its caller (the user's id, or "anonymous"),
    its key, and the fingerprint of its method, path and body."""
    caller = f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"
    message = b"\n".join([method.encode(), path.encode(), body])
    return Claim(
        caller=caller,
        key_digest=hashlib.sha256(key.encode("ascii")).hexdigest(),
        fingerprint=salted_hmac("idempotency.fingerprint", message, algorithm="sha256").hexdigest(),
    )


def ttl() -> timedelta:
    return timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _expired(row: IdempotencyKey, now: datetime) -> bool:
    return row.created_at <= now - ttl()


def _find(claim: Claim):
    return IdempotencyKey.objects.filter(caller=claim.caller, key_digest=claim.key_digest)


def key_claim(*, claim: Claim, now: datetime | None = None) -> tuple[bool, IdempotencyKey | None]:
    """Step 1, outside any transaction: ``(inserted, answered_row)``.

    ``inserted`` says this request made the row; ``answered_row`` is a stored
    answer to replay (else None: the request goes on to ``key_lock``).
    Raises ``KeyReused`` for a row of another fingerprint."""
    now = now or timezone.now()
    for _ in range(2):  # the row may be released between the insert and the read
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    caller=claim.caller,
                    key_digest=claim.key_digest,
                    fingerprint=claim.fingerprint,
                    created_at=now,
                    claimed_at=now,
                )
            return True, None
        except IntegrityError:
            row = _find(claim).first()
        if row is None:
            continue
        if _expired(row, now):
            return False, None  # key_lock renews it, locked
        if row.fingerprint != claim.fingerprint:
            raise KeyReused
        return False, (row if row.answered else None)
    raise KeyInProgress


def key_lock(*, claim: Claim, inserted: bool, now: datetime | None = None) -> IdempotencyKey:
    """Step 2's first statement, inside the request's transaction: the row,
    locked until that transaction ends. An answered row is to be replayed
    (it was answered meanwhile); an unanswered one is this request's to
    answer. The request that inserted the row waits for the lock (another
    request may hold it for a moment to look at it); any other asks with
    ``NOWAIT`` and gets ``KeyInProgress`` when it is held."""
    now = now or timezone.now()
    rows = _find(claim).select_for_update(
        nowait=not inserted and connection.features.has_select_for_update_nowait
    )
    try:
        row = rows.first()
    except DatabaseError as exc:  # NOWAIT: held by the request handling it
        raise KeyInProgress from exc
    if row is None:  # released by a failed first request meanwhile: retry
        raise KeyInProgress
    if _expired(row, now):
        row.fingerprint = claim.fingerprint
        row.created_at = row.claimed_at = now
        row.status_code, row.body, row.headers = None, b"", {}
        row.save()
        return row
    if row.fingerprint != claim.fingerprint:
        raise KeyReused
    if row.answered or inserted:
        return row
    if now - row.claimed_at < CLAIM_LEASE:
        raise KeyInProgress
    row.claimed_at = now  # its first request died uncommitted: taken over
    row.save(update_fields=["claimed_at"])
    return row


def key_answer(*, row: IdempotencyKey, status_code: int, body: bytes, headers: dict) -> None:
    """Step 2's last statement: the answer, in the change's transaction."""
    row.status_code = status_code
    row.body = body
    row.headers = {name: headers[name] for name in STORED_HEADERS if name in headers}
    row.save(update_fields=["status_code", "body", "headers"])


def key_release(*, claim: Claim) -> None:
    """Step 3, after the rollback: forget an unanswered claim."""
    _find(claim).filter(status_code__isnull=True).delete()


def is_deadlock(exc: BaseException) -> bool:
    """A deadlock's victim on MySQL/MariaDB: its whole transaction was
    rolled back (Django's error carries the driver's error code)."""
    return (
        connection.vendor == "mysql"
        and isinstance(exc, OperationalError)
        and bool(exc.args)
        and exc.args[0] == ER_LOCK_DEADLOCK
    )


def keys_purge(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete the keys older than ``IDEMPOTENCY_KEY_TTL_HOURS``, in batches
    (short transactions, never a long lock on the table). Answers how many."""
    cutoff = (now or timezone.now()) - ttl()
    purged = 0
    while True:
        batch = list(
            IdempotencyKey.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[
                :batch_size
            ]
        )
        if not batch:
            return purged
        purged += IdempotencyKey.objects.filter(pk__in=batch, created_at__lt=cutoff).delete()[0]
