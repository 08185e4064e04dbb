"""Users of the portal: each has one role and the scope that role needs (DOMAIN.md section 1)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import OFFICIAL_ROLES, STATION_ROLES, Role


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: an official, station staff, an evaluator or the platform administrator.

    The role says what they may do; the region, station or agency says where (see ``scope.py``).
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    region = models.ForeignKey(
        "stations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
        help_text=_("For officials: the city, county or township they serve."),
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_users",
        help_text=_("For station managers and social workers."),
    )
    organization = models.ForeignKey(
        "stations.Organization",
        verbose_name=_("evaluation agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("For evaluators: the agency they work for."),
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_role_has_its_scope",
                condition=(
                    Q(role=Role.ADMIN)
                    | Q(role__in=OFFICIAL_ROLES, region__isnull=False, station__isnull=True, organization__isnull=True)
                    | Q(role__in=STATION_ROLES, station__isnull=False, region__isnull=True, organization__isnull=True)
                    | Q(role=Role.EVALUATOR, organization__isnull=False, region__isnull=True, station__isnull=True)
                ),
            ),
            models.CheckConstraint(
                name="user_superuser_is_admin",
                condition=Q(is_superuser=False) | Q(role=Role.ADMIN),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        from stations.choices import OrganizationKind, RegionLevel

        errors = {}
        if self.role in OFFICIAL_ROLES:
            if not self.region_id:
                errors["region"] = _("An official needs the region they serve.")
            elif self.role == Role.TOWNSHIP_OFFICIAL and self.region.level != RegionLevel.TOWNSHIP:
                errors["region"] = _("A township official serves a township or subdistrict.")
            elif self.role == Role.CITY_OFFICIAL and self.region.level not in (
                RegionLevel.PROVINCE,
                RegionLevel.CITY,
                RegionLevel.COUNTY,
            ):
                errors["region"] = _("A city or county official serves a province, city or county.")
        if self.role in STATION_ROLES and not self.station_id:
            errors["station"] = _("Station staff need their station.")
        if self.role == Role.EVALUATOR:
            if not self.organization_id:
                errors["organization"] = _("An evaluator needs their evaluation agency.")
            elif self.organization.kind != OrganizationKind.EVALUATION_AGENCY:
                errors["organization"] = _("An evaluator works for an evaluation agency.")
        # Fields that do not belong to the role are cleared rather than refused.
        if self.role not in OFFICIAL_ROLES:
            self.region = None
        if self.role not in STATION_ROLES:
            self.station = None
        if self.role != Role.EVALUATOR:
            self.organization = None
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        # The platform administrator uses the Django admin site; nobody else does.
        self.is_staff = self.role == Role.ADMIN
        super().save(*args, **kwargs)
