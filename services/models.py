"""Projects, beneficiaries, service records, cases and focus problems of the stations (DOMAIN.md section 4).

Rules about one row live here (a database constraint plus ``clean()``); rules across rows and workflows
(portfolio, visit rate, stage moves, case steps, logging a service with volunteer hours) live in ``rules.py``.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import IdNumberDisclosure
from accounts.people import SearchablePerson, name_keys_index
from staffing.models import PeopleQuerySet, StaffMember, StationScopedQuerySet, Volunteer, VolunteerHours
from staffing.validators import id_number_birth_date, mask_id_number, validate_id_number
from stations.choices import RegionLevel
from stations.models import Region, Station
from stations.policies import RegionPolicyQuerySet

from .choices import (
    BASIC_SUBTYPES,
    BRAND_SUBTYPES,
    CaseStatus,
    FocusProblemStatus,
    Gender,
    ProjectCategory,
    ProjectStage,
    ProjectSubtype,
    ServiceKind,
)


def communities_outside(station: Station, regions) -> list[Region]:
    """The regions of ``regions`` that are not villages/communities of ``station``'s township."""
    return [
        region for region in regions if region.level != RegionLevel.COMMUNITY or region.parent_id != station.township_id
    ]


def not_in_future(value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


# --- reference tables: the same for everyone signed in ---------------------------------------------


class ReferenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reference rows (catalogue, target groups) are read by everyone signed in."""
        return self.all() if user is not None and user.is_authenticated and user.is_active else self.none()


class CatalogCategory(models.Model):
    """A category of the service catalogue (Suzhou menu): 基础类, 增能类, 治理类, and any added later."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CatalogSubItem(models.Model):
    """A sub-item (子项) of a catalogue category."""

    category = models.ForeignKey(
        CatalogCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="sub_items"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue sub-item")
        verbose_name_plural = _("catalogue sub-items")
        ordering = ["category__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="catalog_sub_item_once")]

    def __str__(self) -> str:
        return self.name


class CatalogItem(models.Model):
    """An item (小项) of the catalogue a project can be tagged with."""

    sub_item = models.ForeignKey(
        CatalogSubItem, verbose_name=_("sub-item"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["sub_item__category__order", "sub_item__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["sub_item", "name"], name="catalog_item_once")]

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """A target group a beneficiary may belong to (困难家庭, 孤寡/独居老人, 困境儿童...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


# --- policy ------------------------------------------------------------------------------------------


class ServicePolicy(models.Model):
    """The service targets of a region for a year; stations use the nearest region's policy.

    Defaults are Suzhou's (empowerment and governance projects land in at least 4 communities) and
    Jiaxing's (every key target visited every month).
    """

    region = models.ForeignKey(
        "stations.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="service_policies"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    empowerment_governance_communities_min = models.PositiveSmallIntegerField(
        _("minimum communities of empowerment and governance projects"), default=4
    )
    key_target_visit_goal = models.DecimalField(
        _("monthly visit rate goal for key targets"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )

    history = HistoricalRecords()
    objects = RegionPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("service policy")
        verbose_name_plural = _("service policies")
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="service_policy_once_per_region_year"),
            models.CheckConstraint(
                condition=Q(key_target_visit_goal__gte=0, key_target_visit_goal__lte=1),
                name="service_policy_visit_goal_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


# --- projects ----------------------------------------------------------------------------------------


class Project(models.Model):
    """A service project of a station for a year, in the "123X" portfolio, moving through its lifecycle."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="projects")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=ProjectCategory.choices)
    subtype = models.CharField(
        _("subtype"),
        max_length=20,
        choices=ProjectSubtype.choices,
        blank=True,
        help_text=_("Brand projects: professional or governance; basic projects: which of the three groups."),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=ProjectStage.choices, default=ProjectStage.NEEDS_SURVEY)
    description = models.TextField(_("description"), blank=True)
    target_beneficiaries = models.PositiveIntegerField(_("target beneficiaries"), default=0)
    target_sessions = models.PositiveIntegerField(_("target sessions"), default=0)
    target_communities = models.PositiveIntegerField(_("target communities"), default=0)
    communities = models.ManyToManyField(
        Region,
        verbose_name=_("villages/communities"),
        blank=True,
        related_name="service_projects",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    catalog_items = models.ManyToManyField(
        CatalogItem, verbose_name=_("catalogue items"), blank=True, related_name="projects"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["station", "-year", "category", "name"]
        permissions = [("advance_project", _("Can move a project to its next stage"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=[ProjectCategory.CORE, ProjectCategory.OPTIONAL], subtype="")
                | Q(category=ProjectCategory.BRAND, subtype__in=BRAND_SUBTYPES)
                | Q(category=ProjectCategory.BASIC, subtype__in=BASIC_SUBTYPES),
                name="project_subtype_matches_category",
            ),
            models.CheckConstraint(
                condition=Q(target_beneficiaries__gte=0, target_sessions__gte=0, target_communities__gte=0),
                name="project_targets_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["station", "year"], name="project_station_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def clean(self) -> None:
        allowed = {
            ProjectCategory.BRAND: BRAND_SUBTYPES,
            ProjectCategory.BASIC: BASIC_SUBTYPES,
        }.get(self.category)
        if allowed is None and self.subtype:
            raise ValidationError({"subtype": _("Core and optional projects have no subtype.")})
        if allowed is not None and self.subtype not in allowed:
            raise ValidationError(
                {
                    "subtype": _("A %(category)s project is one of: %(subtypes)s.")
                    % {
                        "category": ProjectCategory(self.category).label,
                        "subtypes": "、".join(str(subtype.label) for subtype in allowed),
                    }
                }
            )


class ProjectStageChange(models.Model):
    """A project moved from one stage to the next: who moved it and when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from stage"), max_length=20, choices=ProjectStage.choices)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=ProjectStage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project stage change")
        verbose_name_plural = _("project stage changes")
        ordering = ["project", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project}: {self.from_stage} -> {self.to_stage}"


# --- beneficiaries -----------------------------------------------------------------------------------


class Beneficiary(SearchablePerson):
    """A person a station serves (服务对象); key targets (重点对象) must be visited every month."""

    id_number_log = ("services.BeneficiaryIdNumberView", "beneficiary")

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="beneficiaries"
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18, validators=[validate_id_number])
    gender = models.CharField(
        _("gender"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        help_text=_("Read from the ID number when left blank."),
    )
    birth_date = models.DateField(
        _("birth date"), blank=True, help_text=_("Read from the ID number when left blank; must agree with it.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    community = models.ForeignKey(
        Region,
        verbose_name=_("village/community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="beneficiaries"
    )
    key_target = models.BooleanField(_("key target"), default=False, help_text=_("Visited every month."))
    notes = models.TextField(_("notes"), blank=True)
    registered_on = models.DateField(_("registered on"), default=timezone.localdate, validators=[not_in_future])
    active = models.BooleanField(_("active"), default=True)

    objects = PeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["station", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["station", "id_number"], name="beneficiary_once_per_station")]
        indexes = [
            models.Index(fields=["station", "key_target", "registered_on"], name="beneficiary_key_targets"),
            models.Index(fields=["station", "name"], name="beneficiary_station_name"),
            name_keys_index("beneficiary_name_keys"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.id_number = self.id_number.strip().upper()
        if not self.birth_date:
            self.birth_date = id_number_birth_date(self.id_number)
        if not self.gender and len(self.id_number) == 18 and self.id_number[16].isdigit():
            # GB 11643: the 17th digit is odd for men and even for women.
            self.gender = Gender.MALE if int(self.id_number[16]) % 2 else Gender.FEMALE
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
        born = id_number_birth_date(self.id_number) if self.id_number and len(self.id_number) == 18 else None
        if self.birth_date and born and self.birth_date != born:
            errors["birth_date"] = _("The ID number says this person was born on %(date)s.") % {"date": born}
        if self.station_id and self.community_id and communities_outside(self.station, [self.community]):
            errors["community"] = _("Choose a village or community of the station's township.")
        # A repeated ID number is answered by the form or serializer (``registered_twin``), which logs the answer.
        if errors:
            raise ValidationError(errors)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class BeneficiaryIdNumberViewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the platform administrator reads the log of who saw whose number."""
        allowed = user is not None and user.is_authenticated and user.has_perm("services.view_beneficiaryidnumberview")
        return self.all() if allowed else self.none()


class BeneficiaryIdNumberView(models.Model):
    """An audit row: ``viewer`` saw the whole ID number of ``beneficiary`` at ``viewed_at``."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(
        _("how"), max_length=10, choices=IdNumberDisclosure.choices, default=IdNumberDisclosure.VIEWED
    )

    objects = BeneficiaryIdNumberViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("beneficiary ID number view")
        verbose_name_plural = _("beneficiary ID number views")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.beneficiary} · {self.viewed_at:%Y-%m-%d %H:%M}"


# --- service records ---------------------------------------------------------------------------------


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
        return self.filter(record__station__in=Station.objects.visible_to(user))


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

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["record", "pk"]

    def __str__(self) -> str:
        return self.original_name


# --- cases -------------------------------------------------------------------------------------------

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class Case(models.Model):
    """A case (个案): intake -> assessment -> plan -> follow-ups -> closure, each step through ``rules.py``.

    Before and after scores (0-100) let evaluators see change, not just paperwork.
    """

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="cases")
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("beneficiary"), on_delete=models.PROTECT, related_name="cases"
    )
    worker = models.ForeignKey(
        StaffMember, verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="cases"
    )
    opened_on = models.DateField(_("opened on"), validators=[not_in_future])
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE)
    intake_notes = models.TextField(_("intake notes"), blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True)
    assessment = models.TextField(_("assessment"), blank=True)
    before_score = models.PositiveSmallIntegerField(
        _("score before"), null=True, blank=True, validators=SCORE_VALIDATORS
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    plan = models.TextField(_("plan"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    after_score = models.PositiveSmallIntegerField(_("score after"), null=True, blank=True, validators=SCORE_VALIDATORS)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(before_score__isnull=True) | Q(before_score__lte=100), name="case_before_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(after_score__isnull=True) | Q(after_score__lte=100), name="case_after_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")), name="case_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | Q(closed_on__isnull=False, after_score__isnull=False),
                name="case_closed_with_date_and_score",
            ),
        ]
        indexes = [models.Index(fields=["station", "status", "opened_on"], name="case_station_status")]

    def __str__(self) -> str:
        return f"{self.beneficiary} {self.opened_on}"

    def clean(self) -> None:
        errors = {}
        if self.station_id and self.beneficiary_id and self.beneficiary.station_id != self.station_id:
            errors["beneficiary"] = _("This beneficiary is registered at another station.")
        if self.station_id and self.worker_id and self.worker.station_id != self.station_id:
            errors["worker"] = _("This social worker works at another station.")
        if errors:
            raise ValidationError(errors)


class CaseFollowUp(models.Model):
    """A follow-up of a case (跟进记录): when, by whom, what was done, what comes next."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("date"), validators=[not_in_future])
    worker = models.ForeignKey(
        StaffMember, verbose_name=_("social worker"), on_delete=models.PROTECT, related_name="case_follow_ups"
    )
    content = models.TextField(_("content"))
    next_step = models.TextField(_("next step"), blank=True)

    class Meta:
        verbose_name = _("case follow-up")
        verbose_name_plural = _("case follow-ups")
        ordering = ["case", "date", "pk"]
        indexes = [models.Index(fields=["case", "date"], name="case_follow_up_date")]

    def __str__(self) -> str:
        return f"{self.case} {self.date}"


class CaseReferral(models.Model):
    """A referral of a case to another agency (转介): to whom, why, and what came of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    date = models.DateField(_("date"), validators=[not_in_future])
    agency = models.CharField(_("agency"), max_length=200)
    reason = models.TextField(_("reason"))
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("case referral")
        verbose_name_plural = _("case referrals")
        ordering = ["case", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.case} -> {self.agency}"


# --- community focus problems ------------------------------------------------------------------------


class FocusProblem(models.Model):
    """A community focus problem (社区焦点问题): reported, worked on, solved (Suzhou counts them)."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="focus_problems"
    )
    community = models.ForeignKey(
        Region,
        verbose_name=_("village/community"),
        on_delete=models.PROTECT,
        related_name="focus_problems",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FocusProblemStatus.choices, default=FocusProblemStatus.REPORTED
    )
    reported_on = models.DateField(_("reported on"), validators=[not_in_future])
    solved_on = models.DateField(_("solved on"), null=True, blank=True, validators=[not_in_future])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("community focus problem")
        verbose_name_plural = _("community focus problems")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=FocusProblemStatus.SOLVED, solved_on__isnull=False, solved_on__gte=F("reported_on"))
                | (~Q(status=FocusProblemStatus.SOLVED) & Q(solved_on__isnull=True)),
                name="focus_problem_solved_on_when_solved",
            ),
        ]
        indexes = [models.Index(fields=["station", "status", "reported_on"], name="focus_problem_station_status")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.station_id and self.community_id and communities_outside(self.station, [self.community]):
            errors["community"] = _("Choose a village or community of the station's township.")
        if self.status == FocusProblemStatus.SOLVED:
            if not self.solved_on:
                errors["solved_on"] = _("Give the day the problem was solved.")
            elif self.reported_on and self.solved_on < self.reported_on:
                errors["solved_on"] = _("A problem cannot be solved before it was reported.")
        elif self.solved_on:
            errors["solved_on"] = _("Only a solved problem has a solved date.")
        if errors:
            raise ValidationError(errors)
