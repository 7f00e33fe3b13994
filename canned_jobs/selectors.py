"""Reads of the canned-job catalog."""

from django.db.models import Prefetch, QuerySet

from .models import CannedJob, CannedJobLabor, CannedJobPart


def canned_job_list() -> QuerySet[CannedJob]:
    """Canned jobs by name, with what CannedJobSerializer shows: the labor
    lines, and the part lines with their part's name, one query each for a
    whole page (by canned job id, in position order)."""
    return CannedJob.objects.prefetch_related(
        Prefetch("labor_lines", queryset=CannedJobLabor.objects.order_by("position")),
        Prefetch(
            "part_lines",
            queryset=CannedJobPart.objects.select_related("part")
            .only("canned_job_id", "position", "part_id", "part__name", "quantity")
            .order_by("position"),
        ),
    ).order_by("name", "id")


def canned_job_lines(canned_job: CannedJob) -> tuple[list[dict], list[dict]]:
    """What applying ``canned_job`` to a ticket adds, in the job's order:
    ``(labor, parts)``, labor items ``{"description", "hours", "rate"}``
    (``rate`` None: bill the shop's labor rate of the day) and part items
    ``{"part_id", "quantity"}``. Read from the database (two queries), not
    from lines prefetched on the object, so a caller that locked the job
    reads what is stored."""
    labor = list(
        CannedJobLabor.objects.filter(canned_job=canned_job)
        .order_by("position")
        .values("description", "hours", "rate")
    )
    parts = list(
        CannedJobPart.objects.filter(canned_job=canned_job)
        .order_by("position")
        .values("part_id", "quantity")
    )
    return labor, parts
