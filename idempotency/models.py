from django.db import models


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` of one caller, and the answer it got.

    ``status_code`` is null while the first request is being handled (or
    after its process died: ``claimed_at`` then tells how long ago it
    started); see ``idempotency.services`` for how the row is written.
    """

    # "user:<id>" or "anonymous": keys are scoped per caller.
    caller = models.CharField(max_length=40)
    # SHA-256 of the key, hex. The key itself is not needed, and its digest
    # compares byte for byte whatever the column's collation (MariaDB's
    # utf8mb4_unicode_ci would take "abc" and "ABC" for one key).
    key_digest = models.CharField(max_length=64)
    # Of the method, path with query string, and body (see services).
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key_digest"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.caller} {self.key_digest[:12]}"

    @property
    def answered(self) -> bool:
        return self.status_code is not None
