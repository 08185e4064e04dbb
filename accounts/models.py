"""Users of the portal: each has one role and the scope that role needs (DOMAIN.md section 1)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OFFICIAL_ROLES, STATION_ROLES, Role

CITY_OFFICIAL = _("City civil-affairs official")
COUNTY_OFFICIAL = _("County civil-affairs official")


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

    @property
    def role_label(self) -> str:
        """The role as users call it: a civil-affairs official is a city's (市民政干部) or a county's (区县民政干部),
        told apart by the level of the region they serve; every other role by its name."""
        if self.role == Role.CITY_OFFICIAL and self.region_id:
            from stations.choices import RegionLevel

            return str(COUNTY_OFFICIAL if self.region.level == RegionLevel.COUNTY else CITY_OFFICIAL)
        return self.get_role_display()

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
        # set_password() leaves the raw password here until the save (hash upgrades at sign-in do not).
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed or not self.is_active:
            # A new password or a deactivated account ends every API session (tokens.py).
            from .tokens import tokens_revoke

            tokens_revoke(user=self)


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key``: the same key from the same user within the
    retention period (``IDEMPOTENCY_KEY_HOURS``) gets this answer again and changes nothing.

    Stored in the same transaction as the write it answers, so a crash leaves neither; the unique (user, key)
    makes a concurrent duplicate wait for the first and then replay it (see ``idempotency.py``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    request_line = models.CharField(_("request"), max_length=300, help_text=_("The method and path it was sent to."))
    body_hash = models.CharField(_("body hash"), max_length=64, help_text=_("SHA-256 of the request's content."))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_once_per_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key} {self.request_line}"


class DemoStamp(models.Model):
    """The demo data loaded in this database: which version of the demo (a hash of its code), on which day.

    ``seed_demo`` skips the load when the stamp matches (a second ``make run`` starts at once) and writes it in
    the transaction that loads the demo, so a stamp never outlives a load that failed.
    """

    version = models.CharField(_("demo version"), max_length=64)
    seeded_on = models.DateField(_("seeded on"))
    seeded_at = models.DateTimeField(_("seeded at"), default=timezone.now)
    summary = models.TextField(_("summary"), blank=True, help_text=_("What the load printed, shown again on a skip."))

    class Meta:
        verbose_name = _("demo stamp")
        verbose_name_plural = _("demo stamps")

    def __str__(self) -> str:
        return f"{self.version[:12]} {self.seeded_on}"
