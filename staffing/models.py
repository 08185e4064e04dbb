"""Staff, staffing policies and volunteers of the stations (DOMAIN.md section 3)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import IdNumberDisclosure
from accounts.people import PeopleQuerySetMixin, SearchablePerson, name_keys_index
from accounts.scope import YearOf, within_evaluated_years
from stations.choices import Rating
from stations.models import Station
from stations.policies import RegionPolicyQuerySet

from .choices import Certification, Education, Employer, Gender, StaffRole
from .validators import mask_id_number, validate_id_number


def default_star_hours() -> list[int]:
    return [100, 300, 600, 1000, 1500]


class StaffingPolicy(models.Model):
    """The staffing standard of a region for a year; stations use the nearest region's policy.

    Defaults are Haining/Jiaxing's "6430" and Suzhou's professional share; every figure is editable.
    """

    region = models.ForeignKey(
        "stations.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="staffing_policies"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    full_time_min = models.PositiveSmallIntegerField(_("minimum full-time staff"), default=6)
    certified_min = models.PositiveSmallIntegerField(_("minimum certified social workers"), default=4)
    volunteers_min = models.PositiveSmallIntegerField(_("minimum registered volunteers"), default=30)
    professional_share_min = models.DecimalField(
        _("minimum professional share"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    operator_rating_min = models.PositiveSmallIntegerField(
        _("minimum operator rating"), default=Rating.A3, choices=Rating.choices, validators=[MaxValueValidator(5)]
    )
    site_area_min = models.DecimalField(
        _("minimum site area (m²)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("500"),
        validators=[MinValueValidator(0)],
    )
    salary_floor_ratio = models.DecimalField(
        _("salary floor (times the average wage)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.20"),
        validators=[MinValueValidator(0)],
    )
    prior_year_average_wage = models.DecimalField(
        _("prior-year average wage (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    volunteer_star_hours = models.JSONField(
        _("volunteer star thresholds (hours)"),
        default=default_star_hours,
        help_text=_("Cumulative hours for 1 to 5 stars, ascending."),
    )

    history = HistoricalRecords()
    objects = RegionPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing policy")
        verbose_name_plural = _("staffing policies")
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="staffing_policy_once_per_region_year"),
            models.CheckConstraint(
                condition=Q(professional_share_min__gte=0, professional_share_min__lte=1),
                name="staffing_policy_share_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    def clean(self) -> None:
        stars = self.volunteer_star_hours
        if (
            not isinstance(stars, list)
            or len(stars) != 5
            or not all(isinstance(h, int | float) and h > 0 for h in stars)
            or stars != sorted(stars)
            or len(set(stars)) != 5
        ):
            raise ValidationError(
                {"volunteer_star_hours": _("Give five positive, rising hour thresholds, one per star.")}
            )


class StationScopedQuerySet(models.QuerySet):
    """Rows that belong to a station: visible exactly when the station is, and, for a record of a year (its
    model's ``year_of``), when its year is one the user reaches (``accounts.scope.within_evaluated_years``)."""

    def visible_to(self, user):
        rows = self.filter(station__in=Station.objects.visible_to(user))
        return within_evaluated_years(rows, user, getattr(self.model, "year_of", None))


class PeopleQuerySet(PeopleQuerySetMixin, StationScopedQuerySet):
    """People of a station (staff, volunteers, beneficiaries), written in bulk with their search columns."""


class StaffMember(SearchablePerson):
    """A person working at a station. Leaving sets ``left_on``: the record stays for history and turnover."""

    id_number_log = ("staffing.IdNumberView", "staff_member")

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    id_number = models.CharField(_("resident ID number"), max_length=18, validators=[validate_id_number])
    role = models.CharField(_("post"), max_length=10, choices=StaffRole.choices)
    employer = models.CharField(_("employer"), max_length=10, choices=Employer.choices, default=Employer.OPERATOR)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    major_social_work = models.BooleanField(_("social-work major"), default=False)
    certification = models.CharField(
        _("certification"), max_length=15, choices=Certification.choices, default=Certification.NONE
    )
    hired_on = models.DateField(_("hired on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    labour_contract = models.BooleanField(_("labour contract signed"), default=False)
    annual_salary = models.DecimalField(
        _("annual salary (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_records",
        help_text=_("The account this person signs in with, if any: their own records are theirs in the portal."),
    )

    history = HistoricalRecords()
    objects = PeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["station", "role", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("hired_on")), name="staff_leaves_after_hire"
            ),
            models.CheckConstraint(
                condition=Q(annual_salary__isnull=True) | Q(annual_salary__gte=0), name="staff_salary_non_negative"
            ),
            models.UniqueConstraint(fields=["station", "id_number", "hired_on"], name="staff_hired_once"),
        ]
        indexes = [
            models.Index(fields=["station", "hired_on", "left_on"], name="staff_station_dates"),
            name_keys_index("staff_name_keys"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
        if self.left_on and self.hired_on and self.left_on < self.hired_on:
            raise ValidationError({"left_on": _("Someone cannot leave before they were hired.")})

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class Volunteer(SearchablePerson):
    """A registered volunteer (志愿者) of a station."""

    id_number_log = ("staffing.IdNumberView", "volunteer")

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    id_number = models.CharField(_("resident ID number"), max_length=18, validators=[validate_id_number])
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    registered_on = models.DateField(_("registered on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = PeopleQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["station", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "id_number"], name="volunteer_once_per_station"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("registered_on")),
                name="volunteer_leaves_after_registering",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "registered_on", "left_on"], name="volunteer_station_dates"),
            name_keys_index("volunteer_name_keys"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class VolunteerHours(models.Model):
    """Hours a volunteer served on one day, for one activity."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hour_records")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(24)],
    )
    activity = models.CharField(_("activity"), max_length=200)

    year_of = YearOf(station="volunteer__station", on="date")

    class Meta:
        verbose_name = _("volunteer hours")
        verbose_name_plural = _("volunteer hours")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="volunteer_hours_0_24"),
        ]
        indexes = [models.Index(fields=["volunteer", "date"], name="volunteer_hours_day")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.date} {self.hours}h"


class TimeBankEntry(models.Model):
    """A deposit (+) or redemption (-) of hours in a volunteer's time bank; the balance never goes negative."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="time_bank")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time bank entry")
        verbose_name_plural = _("time bank entries")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(hours=0), name="time_bank_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours:+}h"


class TrainingSession(models.Model):
    """A training session of a station's staff (培训): topic, date, hours, who attended."""

    station = models.ForeignKey(Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="trainings")
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(24)],
    )
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    attendees = models.ManyToManyField(StaffMember, verbose_name=_("attendees"), blank=True, related_name="trainings")

    objects = StationScopedQuerySet.as_manager()
    year_of = YearOf(on="date")

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-date"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="training_hours_0_24")]
        indexes = [models.Index(fields=["station", "date"], name="training_station_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class StationSupervisor(models.Model):
    """The one named supervisor (督导) of a station: the "1+1" policy."""

    station = models.OneToOneField(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="named_supervisor"
    )
    name = models.CharField(_("supervisor"), max_length=50)
    organization = models.ForeignKey(
        "stations.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    since = models.DateField(_("since"))

    history = HistoricalRecords()
    objects = StationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("station supervisor")
        verbose_name_plural = _("station supervisors")

    def __str__(self) -> str:
        return self.name


class SupervisionVisit(models.Model):
    """A supervision visit (督导): who came, when, what they found."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="supervision_visits"
    )
    supervisor = models.CharField(_("supervisor"), max_length=50)
    date = models.DateField(_("date"))
    findings = models.TextField(_("findings"))
    follow_up = models.TextField(_("follow-up"), blank=True)

    objects = StationScopedQuerySet.as_manager()
    year_of = YearOf(on="date")

    class Meta:
        verbose_name = _("supervision visit")
        verbose_name_plural = _("supervision visits")
        ordering = ["-date"]
        indexes = [models.Index(fields=["station", "date"], name="supervision_station_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.supervisor}"


class IdNumberViewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only the platform administrator reads the log of who saw whose number."""
        return self.all() if user.is_authenticated and user.has_perm("staffing.view_idnumberview") else self.none()


class IdNumberView(models.Model):
    """An audit row: ``viewer`` saw the whole ID number of a staff member or volunteer at ``viewed_at``."""

    viewer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    staff_member = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    reason = models.CharField(
        _("how"), max_length=10, choices=IdNumberDisclosure.choices, default=IdNumberDisclosure.VIEWED
    )

    objects = IdNumberViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("ID number view")
        verbose_name_plural = _("ID number views")
        ordering = ["-viewed_at"]
        permissions = [("view_full_id_number", _("Can see whole resident ID numbers (every view is logged)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_member__isnull=False, volunteer__isnull=True)
                | Q(staff_member__isnull=True, volunteer__isnull=False),
                name="id_number_view_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.staff_member or self.volunteer} · {self.viewed_at:%Y-%m-%d %H:%M}"
