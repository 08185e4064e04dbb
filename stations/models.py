"""Regions, organisations, stations and their operating contracts (DOMAIN.md section 2)."""

from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scope import scope_of
from config.params import year_range_validator

from .choices import (
    PARENT_LEVEL,
    OrganizationKind,
    ProcurementMethod,
    Rating,
    RegionLevel,
    RegistrationLevel,
    StationStatus,
)
from .validators import validate_credit_code

REGION_CODE_HELP = _("12-digit statistical division code, e.g. 330402001000")


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: "Region") -> "RegionQuerySet":
        """The region and everything below it."""
        return self.filter(path__startswith=region.path)

    def visible_to(self, user) -> "RegionQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is not None:
            return self.subtree(scope.region)
        townships = Station.objects.visible_to(user).values("township_id")
        return self.filter(Q(pk__in=townships) | Q(parent__in=townships))


class Region(models.Model):
    """A node of the administrative tree: province, city, county, township or village/community.

    ``path`` is the chain of codes from the root ("330000000000/330400000000/..."), so a right on
    a region covers everything below it with one indexed prefix filter.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("division code"), max_length=12, unique=True, help_text=REGION_CODE_HELP)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["level", "path"], name="region_level_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = f"{self.parent.path if self.parent_id else ''}{self.code}/"
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # The region moved or was recoded: carry its descendants along.
            Region.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
            )

    def clean(self) -> None:
        if not self.code.isdigit() or len(self.code) != 12:
            raise ValidationError({"code": _("A division code has exactly 12 digits.")})
        expected = PARENT_LEVEL.get(self.level)
        if self.parent is None:
            if self.level not in (RegionLevel.PROVINCE, RegionLevel.CITY):
                raise ValidationError({"parent": _("Only a province or a city can be a top-level region.")})
        elif self.parent.level != expected:
            raise ValidationError(
                {
                    "parent": _("A %(level)s must belong to a %(parent)s.")
                    % {
                        "level": RegionLevel(self.level).label,
                        "parent": RegionLevel(expected).label,
                    }
                }
            )

    def ancestors(self) -> list["Region"]:
        """Regions above this one, root first (one query)."""
        codes = self.path.strip("/").split("/")[:-1]
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganizationQuerySet":
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        stations = Station.objects.visible_to(user)
        linked = Q(pk__in=OperatingContract.objects.filter(station__in=stations).values("operator_id")) | Q(
            pk__in=stations.exclude(supervisor=None).values("supervisor_id")
        )
        if scope.region is not None:
            linked |= Q(region__path__startswith=scope.region.path)
        if scope.agency_id is not None:
            linked |= Q(pk=scope.agency_id)
        return self.filter(linked)

    def editable_by(self, user) -> "OrganizationQuerySet":
        """The organisations ``user`` may change: every one for the administrator; for an official,
        those registered in their region or below it. Seeing an organisation (it runs a station in
        scope) is not enough: a county official does not edit one the city registered, and
        station staff and evaluators edit none."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is not None:
            return self.filter(region__path__startswith=scope.region.path)
        return self.none()


def organization_check_editable(user, organization: "Organization") -> None:
    """Refuse (``PermissionDenied``, a 403 on pages and in the API) a change by a user who may not edit
    ``organization`` (``OrganizationQuerySet.editable_by``). Called before a change and again after it,
    inside the transaction, so a new registration region outside the editor's region is rolled back."""
    if not Organization.objects.editable_by(user).filter(pk=organization.pk).exists():
        raise PermissionDenied(
            _("Only the administrator or an official of the region it is registered in can change this organisation.")
        )


class Organization(models.Model):
    """A registered social organisation: an operator, a supervising organisation or an evaluation agency."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    registration_level = models.CharField(
        _("registration authority level"),
        max_length=10,
        choices=RegistrationLevel.choices,
    )
    rating = models.PositiveSmallIntegerField(
        _("assessment rating"),
        choices=Rating.choices,
        default=Rating.UNRATED,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("registered in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=0, rating__lte=5), name="organization_rating_0_5"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.credit_code = self.credit_code.strip().upper()
        super().save(*args, **kwargs)


class StationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StationQuerySet":
        """The one rule of what stations a user may see; every other scope is built on it."""
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is not None:
            return self.filter(township__path__startswith=scope.region.path)
        if scope.station_id is not None:
            return self.filter(pk=scope.station_id)
        if scope.agency_id is not None:
            assignment = apps.get_model("evaluation", "Assignment")
            return self.filter(pk__in=assignment.objects.current_station_ids(agency_id=scope.agency_id))
        return self.none()


class Station(models.Model):
    """A township social work station (乡镇/街道社会工作站)."""

    name = models.CharField(_("name"), max_length=100)
    township = models.ForeignKey(
        Region,
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        related_name="stations",
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    site_area_m2 = models.DecimalField(
        _("site area (m²)"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StationStatus.choices,
        default=StationStatus.PLANNING,
        db_index=True,
    )
    communities = models.ManyToManyField(
        Region,
        verbose_name=_("villages/communities served"),
        blank=True,
        related_name="served_by",
        limit_choices_to={"level": RegionLevel.COMMUNITY},
    )
    supervisor = models.ForeignKey(
        Organization,
        verbose_name=_("supervising organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_stations",
        limit_choices_to={"kind": OrganizationKind.SUPERVISOR},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[communities])
    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["township__path", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(site_area_m2__gte=0), name="station_site_area_non_negative"),
        ]
        indexes = [models.Index(fields=["status", "township"], name="station_status_township")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.township_id and self.township.level != RegionLevel.TOWNSHIP:
            raise ValidationError({"township": _("A station belongs to a township or subdistrict.")})
        if self.status == StationStatus.OPERATING and not self.opened_on:
            raise ValidationError({"opened_on": _("An operating station needs its opening date.")})
        if self.status == StationStatus.OPERATING and self.opened_on and self.opened_on > date.today():
            raise ValidationError({"opened_on": _("An operating station cannot open in the future.")})


class ContractQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContractQuerySet":
        return self.filter(station__in=Station.objects.visible_to(user))

    def current(self, on: date | None = None) -> "ContractQuerySet":
        on = on or date.today()
        return self.filter(start_on__lte=on, end_on__gte=on)


def contract_latest_end(start_on: date) -> date:
    """The last day a contract starting on ``start_on`` may run to: two years on, less a day."""
    try:
        anniversary = start_on.replace(year=start_on.year + 2)
    except ValueError:  # 29 February
        anniversary = start_on.replace(year=start_on.year + 2, day=28)
    return date.fromordinal(anniversary.toordinal() - 1)


validate_portal_year = year_range_validator()


class OperatingContract(models.Model):
    """A government-purchase contract under which an operator runs a station for one or two years."""

    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    operator = models.ForeignKey(
        Organization,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"kind": OrganizationKind.OPERATOR},
    )
    start_on = models.DateField(_("starts on"))
    end_on = models.DateField(_("ends on"))
    amount = models.DecimalField(
        _("contract amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    procurement_method = models.CharField(
        _("procurement method"),
        max_length=30,
        choices=ProcurementMethod.choices,
        default=ProcurementMethod.PUBLIC_TENDER,
    )

    history = HistoricalRecords()
    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("operating contract")
        verbose_name_plural = _("operating contracts")
        ordering = ["station", "-start_on"]
        constraints = [
            models.CheckConstraint(condition=Q(end_on__gt=models.F("start_on")), name="contract_ends_after_start"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_non_negative"),
        ]
        indexes = [models.Index(fields=["station", "start_on", "end_on"], name="contract_station_dates")]

    def __str__(self) -> str:
        return f"{self.station} · {self.operator} ({self.start_on:%Y-%m-%d}–{self.end_on:%Y-%m-%d})"

    def clean(self) -> None:
        errors = {}
        if self.operator_id and self.operator.kind != OrganizationKind.OPERATOR:
            errors["operator"] = _("Only an operating organisation can hold an operating contract.")
        for name in ("start_on", "end_on"):
            try:
                validate_portal_year(getattr(self, name))
            except ValidationError as error:
                errors[name] = error.messages
        # Out of range, the two-year arithmetic below would overflow (a start in 9998 ends past 9999).
        if self.start_on and self.end_on and not errors.keys() & {"start_on", "end_on"}:
            if self.end_on <= self.start_on:
                errors["end_on"] = _("The contract must end after it starts.")
            elif self.end_on > contract_latest_end(self.start_on):
                errors["end_on"] = _("A service contract runs for two years at most.")
        if errors:
            raise ValidationError(errors)


class StandardItem(models.Model):
    """One item of the construction standard (建设标准) every station is checked against."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("construction standard item")
        verbose_name_plural = _("construction standard items")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


def standard_evidence_path(instance: "StationStandard", filename: str) -> str:
    return f"stations/{instance.station_id}/standards/{instance.item_id}/{filename}"


class StationStandardQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StationStandardQuerySet":
        return self.filter(station__in=Station.objects.visible_to(user))


class StationStandard(models.Model):
    """A station's state against one construction-standard item: met or not, with a note and evidence."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="standards")
    item = models.ForeignKey(StandardItem, on_delete=models.PROTECT, related_name="checks")
    met = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=standard_evidence_path, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = StationStandardQuerySet.as_manager()

    class Meta:
        verbose_name = _("construction standard check")
        verbose_name_plural = _("construction standard checks")
        ordering = ["station", "item__order"]
        constraints = [models.UniqueConstraint(fields=["station", "item"], name="station_standard_once")]

    def __str__(self) -> str:
        return f"{self.station} · {self.item}"
