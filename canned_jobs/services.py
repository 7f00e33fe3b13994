"""Writes of the canned-job catalog: each one transaction.

A job's lines are given as lists and stored in the order given (their
``position``, from 1); a list that is sent replaces the stored one wholesale.
Labor items are ``{"description", "hours", "rate"}`` (``rate`` None or
absent: the shop's rate when the job is applied), part items
``{"part", "quantity"}`` with ``part`` an ``inventory.Part``.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inventory.models import Part

from .models import CannedJob, CannedJobLabor, CannedJobPart

NAME_TAKEN = {"name": ["A canned job with this name already exists."]}


def _labor_lines(canned_job: CannedJob, labor: Iterable[Mapping]) -> list[CannedJobLabor]:
    lines = []
    for position, item in enumerate(labor, start=1):
        line = CannedJobLabor(
            canned_job=canned_job,
            position=position,
            description=item["description"],
            hours=item["hours"],
            rate=item.get("rate"),
        )
        _check(line, "labor", position)
        lines.append(line)
    return lines


def _part_lines(canned_job: CannedJob, parts: Iterable[Mapping]) -> list[CannedJobPart]:
    lines, seen = [], set()
    for position, item in enumerate(parts, start=1):
        part = item["part"]
        if part.pk in seen:
            raise ValidationError(
                {
                    "parts": [
                        f"Part {part.pk} is listed more than once: give it once, with the "
                        "whole quantity."
                    ]
                }
            )
        seen.add(part.pk)
        line = CannedJobPart(
            canned_job=canned_job, position=position, part=part, quantity=item["quantity"]
        )
        _check(line, "parts", position)
        lines.append(line)
    return lines


def _check(line, field: str, position: int) -> None:
    """The line's own field rules (hours, rate, quantity bounds), reported
    under the list's name; no query (the constraints between lines are the
    caller's and the database's)."""
    try:
        line.full_clean(exclude=["canned_job", "part"], validate_constraints=False)
    except ValidationError as exc:
        messages = [
            f"Line {position}, {name}: {' '.join(errors)}"
            for name, errors in exc.message_dict.items()
        ]
        raise ValidationError({field: messages})


def _write_lines(canned_job: CannedJob, *, labor=None, parts=None) -> None:
    """Replace the lists that are given (None: leave that list as it is)."""
    if labor is not None:
        lines = _labor_lines(canned_job, labor)
        canned_job.labor_lines.all().delete()
        CannedJobLabor.objects.bulk_create(lines)
    if parts is not None:
        lines = _part_lines(canned_job, parts)
        canned_job.part_lines.all().delete()
        CannedJobPart.objects.bulk_create(lines)


def _name_taken(name: str, canned_job: CannedJob | None) -> bool:
    others = CannedJob.objects.exclude(pk=getattr(canned_job, "pk", None))
    return others.filter(name__iexact=name).exists()


def canned_job_name_check(*, name: str, canned_job: CannedJob | None = None) -> None:
    """A 400 on ``name`` when another canned job has it, whatever the case."""
    if _name_taken(name, canned_job):
        raise ValidationError(NAME_TAKEN)


def _refuse_what_changed_meanwhile(*, name, parts, canned_job=None) -> None:
    """After the database refused the write: a 400 when another request
    took the name (on MariaDB the unique index decides) or deleted a part
    since the input was checked, else nothing (the caller re-raises)."""
    if name is not None and _name_taken(name, canned_job):
        raise ValidationError(NAME_TAKEN)
    ids = {item["part"].pk for item in parts or ()}
    missing = ids - set(Part.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if missing:
        listed = ", ".join(map(str, sorted(missing)))
        raise ValidationError({"parts": [f"Unknown part id(s): {listed}."]})


def canned_job_create(
    *,
    name: str,
    description: str = "",
    labor: Sequence[Mapping] = (),
    parts: Sequence[Mapping] = (),
) -> CannedJob:
    """Add a canned job with its labor and part lines, all or nothing. A
    name already in the catalog, whatever its case, is a 400 on ``name``;
    the same part twice, or a part that is gone, a 400 on ``parts``."""
    try:
        with transaction.atomic():
            canned_job_name_check(name=name)
            canned_job = CannedJob(name=name, description=description)
            canned_job.full_clean(validate_unique=False, validate_constraints=False)
            canned_job.save()
            _write_lines(canned_job, labor=labor, parts=parts)
    except IntegrityError:
        _refuse_what_changed_meanwhile(name=name, parts=parts)
        raise
    return canned_job


def canned_job_update(
    *,
    canned_job: CannedJob,
    name: str | None = None,
    description: str | None = None,
    labor: Sequence[Mapping] | None = None,
    parts: Sequence[Mapping] | None = None,
) -> CannedJob:
    """Change a canned job: what is given (not None) is set, a list given
    replaces that list wholesale. The job's row is locked first, so two
    edits of its lines cannot interleave."""
    try:
        with transaction.atomic():
            locked = CannedJob.objects.select_for_update().get(pk=canned_job.pk)
            if name is not None:
                canned_job_name_check(name=name, canned_job=locked)
                locked.name = name
            if description is not None:
                locked.description = description
            locked.full_clean(validate_unique=False, validate_constraints=False)
            # Saved even when only lines change: updated_at says when the job changed.
            locked.save()
            _write_lines(locked, labor=labor, parts=parts)
    except IntegrityError:
        _refuse_what_changed_meanwhile(name=name, parts=parts, canned_job=canned_job)
        raise
    return locked


@transaction.atomic
def canned_job_delete(*, canned_job: CannedJob) -> None:
    """Delete a canned job with its lines."""
    canned_job.delete()
