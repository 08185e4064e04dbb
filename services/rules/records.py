"""Logging a service: records created, changed and deleted with their people and volunteer hours, all or nothing; evidence attached."""

import os
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.rollups.dirty import RECORDS, SERVICES, rollup_mark
from staffing.models import StaffMember, Volunteer, VolunteerHours
from staffing.rules import volunteer_hours_add
from stations.models import Station

from ..models import (
    Attachment,
    Beneficiary,
    Project,
    ServiceRecord,
    ServiceVolunteer,
)
from .common import refuse

# --- service records ---------------------------------------------------------------------------------

RECORD_FIELDS = ("project", "date", "kind", "headcount", "duration_minutes", "place", "summary")


def add_error(errors: dict, field_name: str, message) -> None:
    errors.setdefault(field_name, []).append(message)


def service_record_create(
    *,
    station: Station,
    user,
    date: date,
    kind: str,
    duration_minutes: int,
    project: Project | None = None,
    beneficiaries: Iterable[Beneficiary] = (),
    headcount: int = 0,
    staff: Iterable[StaffMember] = (),
    volunteers: Iterable[Mapping] = (),
    place: str = "",
    summary: str = "",
) -> ServiceRecord:
    """Log a service: every person must belong to ``station``, the project to it and to the year of ``date``,
    someone must have been served (a named beneficiary or a headcount), and each volunteer's hours
    (``[{"volunteer": v, "hours": Decimal}]``) are added to their record by ``volunteer_hours_add``.
    All or nothing: any refusal saves nothing.
    """
    record = ServiceRecord(
        station=station,
        created_by=user,
        project=project,
        date=date,
        kind=kind,
        headcount=headcount,
        duration_minutes=duration_minutes,
        place=place,
        summary=summary,
    )
    return record_save(
        record, beneficiaries=list(beneficiaries), staff=list(staff), volunteers=list(volunteers), rebook=True
    )


def service_record_update(*, record: ServiceRecord, user, **changes) -> ServiceRecord:
    """Correct a service record (the way a wrong record is fixed): same checks as ``service_record_create``.

    ``changes`` takes the record's fields and ``beneficiaries``, ``staff``, ``volunteers``. The volunteers' hours
    are booked again when the volunteers, the date, the kind or the project change.
    """
    unknown = set(changes) - set(RECORD_FIELDS) - {"beneficiaries", "staff", "volunteers"}
    if unknown:
        raise TypeError(f"service_record_update() got unexpected fields: {sorted(unknown)}")
    record = ServiceRecord.objects.select_related("project").get(pk=record.pk)
    before = (record.date, record.kind, record.project_id)
    rollup_mark(station_id=record.station_id, day=record.date, part=SERVICES)  # the month it leaves, if moved
    for name in RECORD_FIELDS:
        if name in changes:
            setattr(record, name, changes[name])
    volunteers = changes.get("volunteers")
    if volunteers is None:
        volunteers = [{"volunteer": row.volunteer, "hours": row.hours} for row in record.volunteers.all()]
    return record_save(
        record,
        beneficiaries=list(changes.get("beneficiaries", record.beneficiaries.all())),
        staff=list(changes.get("staff", record.staff.all())),
        volunteers=list(volunteers),
        rebook="volunteers" in changes or before != (record.date, record.kind, record.project_id),
    )


def record_errors(record: ServiceRecord, *, beneficiaries, staff, volunteers) -> dict:
    """Everything wrong with a record about to be saved, by field."""
    errors = {}
    try:
        record.full_clean(exclude=["created_by"], validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                add_error(errors, name, message)
    station_id = record.station_id
    strangers = [person.name for person in beneficiaries if person.station_id != station_id]
    if strangers:
        add_error(errors, "beneficiaries", _("Not beneficiaries of this station: %s") % "、".join(strangers))
    strangers = [person.name for person in staff if person.station_id != station_id]
    if strangers:
        add_error(errors, "staff", _("Not staff of this station: %s") % "、".join(strangers))
    strangers = [share["volunteer"].name for share in volunteers if share["volunteer"].station_id != station_id]
    if strangers:
        add_error(errors, "volunteers", _("Not volunteers of this station: %s") % "、".join(strangers))
    volunteer_ids = [share["volunteer"].pk for share in volunteers]
    if len(set(volunteer_ids)) < len(volunteer_ids):
        add_error(errors, "volunteers", _("List each volunteer once, with all their hours."))
    if any(not Decimal("0") < Decimal(share["hours"]) <= 24 for share in volunteers):
        add_error(errors, "volunteers", _("A volunteer serves more than 0 and at most 24 hours in a day."))
    if not beneficiaries and not record.headcount:
        add_error(errors, "beneficiaries", _("Say who was served: name the beneficiaries or give a headcount."))
    return errors


def record_save(record: ServiceRecord, *, beneficiaries, staff, volunteers, rebook: bool) -> ServiceRecord:
    errors = record_errors(record, beneficiaries=beneficiaries, staff=staff, volunteers=volunteers)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record.save()
        # Naming nobody, it changes no one's count of the quarter or year here (an edit that took people off marked
        # their month first, with SERVICES).
        rollup_mark(station_id=record.station_id, day=record.date, part=SERVICES if beneficiaries else RECORDS)
        record.beneficiaries.set(beneficiaries)
        record.staff.set(staff)
        if rebook:
            volunteers_unbook(record)
            for share in volunteers:
                volunteer_book(record, volunteer=share["volunteer"], hours=Decimal(share["hours"]))
    return record


def volunteer_book(record: ServiceRecord, *, volunteer: Volunteer, hours: Decimal) -> ServiceVolunteer:
    """Put the volunteer's hours of ``record`` on their record; a day over 24 hours refuses the whole record."""
    try:
        hours_record = volunteer_hours_add(
            volunteer=volunteer, on=record.date, hours=hours, activity=record.activity_label()
        )
    except ValidationError as error:
        raise ValidationError({"volunteers": error.messages}) from error
    return ServiceVolunteer.objects.create(record=record, volunteer=volunteer, hours=hours, hours_record=hours_record)


def volunteers_unbook(record: ServiceRecord) -> None:
    """Take back the hours ``record`` put on its volunteers' records."""
    hours_ids = list(record.volunteers.values_list("hours_record_id", flat=True))
    record.volunteers.all().delete()
    VolunteerHours.objects.filter(pk__in=hours_ids).delete()


def service_record_delete(*, record: ServiceRecord) -> None:
    """Delete a record with the volunteer hours it booked; its attachment files go once the deletion commits."""
    with transaction.atomic():
        files = [attachment.file for attachment in record.attachments.all()]
        volunteers_unbook(record)
        rollup_mark(station_id=record.station_id, day=record.date, part=SERVICES)
        record.delete()
        for stored in files:
            transaction.on_commit(lambda stored=stored: stored.storage.delete(stored.name))


# --- attachments -------------------------------------------------------------------------------------

SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
]


def sniff_content_type(head: bytes) -> str | None:
    """The type a file really is, read from its first bytes: JPEG, PNG, GIF, WebP or PDF, else None."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def megabytes(size: int) -> str:
    return f"{Decimal(size) / (1024 * 1024):.1f} MB"


def upload_content_type(file) -> str:
    """The checked type of an uploaded evidence file: an image or a PDF by its content (not its name), not empty and
    no larger than ``settings.SERVICE_ATTACHMENT_MAX_BYTES``; else a refusal keyed ``file``."""
    limit = settings.SERVICE_ATTACHMENT_MAX_BYTES
    if not file.size:
        raise refuse("file", _("This file is empty."))
    if file.size > limit:
        raise refuse(
            "file",
            _("This file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": megabytes(file.size), "limit": megabytes(limit)},
        )
    file.seek(0)
    content_type = sniff_content_type(file.read(16))
    file.seek(0)
    if content_type is None:
        raise refuse("file", _("Only photos (JPEG, PNG, WebP, GIF) and PDF files can be attached."))
    return content_type


def upload_save(row, file, *, user, default_name: str):
    """Save ``row`` (an evidence file model: ``file``, ``original_name``, ``content_type``, ``size``,
    ``uploaded_by``) with the checked upload ``file``; the stored file goes again if the row cannot be saved."""
    row.content_type = upload_content_type(file)
    row.original_name = os.path.basename(file.name or "")[:255] or default_name
    row.size, row.uploaded_by = file.size, user
    row.file.save(file.name or default_name, file, save=False)
    try:
        row.save()
    except Exception:
        row.file.delete(save=False)
        raise
    return row


def attachment_add(*, record: ServiceRecord, user, file) -> Attachment:
    """Attach evidence to ``record``: an image or a PDF checked by ``upload_content_type``."""
    return upload_save(Attachment(record=record), file, user=user, default_name="attachment")
