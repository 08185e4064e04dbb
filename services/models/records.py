"""Service records, the volunteers' hours booked on them and their evidence."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.scope import YearOf, within_evaluated_years
from staffing.models import StaffMember, StationScopedQuerySet, Volunteer, VolunteerHours
from stations.models import Station

from ..choices import (
    ServiceKind,
)
from .beneficiaries import Beneficiary
from .common import not_in_future
from .projects import Project


class ServiceRecord(models.Model):
    """One service delivered (服务记录): when, what kind, for whom, by whom, with what evidence.

    Written through ``rules.service_record_create`` / ``service_record_update``, which check the people
    belong to the station and put the volunteers' hours on their record, all or nothing.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="service_records"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_records",
        help_text=_("A project of the same station and year, if the service belongs to one."),
    )
    date = models.DateField(_("date"), validators=[not_in_future])
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    beneficiaries = models.ManyToManyField(
        Beneficiary, verbose_name=_("beneficiaries"), blank=True, related_name="service_records"
    )
    headcount = models.PositiveIntegerField(
        _("anonymous headcount"), default=0, help_text=_("People served who are not named.")
    )
    staff = models.ManyToManyField(StaffMember, verbose_name=_("staff"), blank=True, related_name="service_records")
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()
    year_of = YearOf(on="date")

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=1440), name="service_record_duration_1_1440"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "date"], name="service_record_station_date"),
            models.Index(fields=["station", "kind", "date"], name="service_record_station_kind"),
            models.Index(fields=["project", "date"], name="service_record_project_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def clean(self) -> None:
        errors = {}
        if self.project_id and self.station_id and self.project.station_id != self.station_id:
            errors["project"] = _("This project belongs to another station.")
        elif self.project_id and self.date and self.project.year != self.date.year:
            errors["project"] = _("This is a project of %(year)s: the service was on %(date)s.") % {
                "year": self.project.year,
                "date": self.date,
            }
        if errors:
            raise ValidationError(errors)

    def activity_label(self) -> str:
        """How the service reads in a volunteer's hours: its kind, and its project if any.

        Stored as data, so in the portal's language whoever logs it.
        """
        with translation.override(settings.LANGUAGE_CODE):
            kind = str(ServiceKind(self.kind).label)
        return f"{kind} · {self.project.name}"[:200] if self.project_id else kind


class ServiceVolunteer(models.Model):
    """A volunteer who helped in a service, with the hours put on their record (``hours_record``)."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="volunteers")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="service_records"
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(24)],
    )
    hours_record = models.OneToOneField(VolunteerHours, on_delete=models.PROTECT, related_name="service")

    class Meta:
        verbose_name = _("service volunteer")
        verbose_name_plural = _("service volunteers")
        ordering = ["record", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "volunteer"], name="service_volunteer_once"),
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="service_volunteer_hours_0_24"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours}h"


EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A path of our own making, its extension from the sniffed type: the uploader's name is only data."""
    extension = EXTENSIONS.get(instance.content_type, "")
    return f"services/{instance.record.station_id}/records/{instance.record_id}/{uuid.uuid4().hex}{extension}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An attachment is visible exactly when its service record is (the record's station and year)."""
        rows = self.filter(record__station__in=Station.objects.visible_to(user))
        return within_evaluated_years(rows, user, self.model.year_of)


class Attachment(models.Model):
    """Evidence of a service (a photo, a sign-in sheet): an image or a PDF, checked by its content."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()
    year_of = YearOf(station="record__station", on="record__date")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["record", "pk"]

    def __str__(self) -> str:
        return self.original_name
