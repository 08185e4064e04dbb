"""The people a station serves, and the log of who was shown whose whole ID number."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import IdNumberDisclosure
from accounts.people import SearchablePerson, name_keys_index
from staffing.models import PeopleQuerySet
from staffing.validators import id_number_birth_date, mask_id_number, validate_id_number
from stations.choices import RegionLevel
from stations.models import Region, Station

from ..choices import (
    Gender,
)
from .common import communities_outside, not_in_future
from .reference import TargetGroup


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
