"""Browser forms of stations, contracts, organisations and the construction-standard checklist.

Every choice a form offers is cut to what the user may see (``visible_to``); one-row rules run
through the models' ``clean()`` (ModelForm calls it), rules across rows through ``rules.py``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from config.forms import PortalFormMixin
from config.params import RangedDateField

from .choices import OrganizationKind, RegionLevel
from .models import OperatingContract, Organization, Region, Station
from .rules import contract_overlap

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TownshipChoiceField(forms.ModelChoiceField):
    """A township, labelled with its county so that namesakes stay apart."""

    def label_from_instance(self, region: Region) -> str:
        return f"{region.parent.name} · {region.name}" if region.parent_id else region.name


class CommunityCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of communities, each tagged with its township so the page can show just the chosen one's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-township"] = instance.parent_id
        return option


class CommunityChoiceField(forms.ModelMultipleChoiceField):
    widget = CommunityCheckboxes(attrs={"class": "form-check-input"})

    def label_from_instance(self, region: Region) -> str:
        return region.name


class StationForm(PortalFormMixin, forms.ModelForm):
    """A station's record. ``user`` limits every choice to what that user may see.

    The full form (township, status, opening date, supervisor) is for users who may create stations
    (officials with ``stations.add_station``); others who may change a station, i.e. its manager,
    get ``StationSiteForm``: they keep its site details up to date but cannot move it to another
    township or change its status, which are the officials' decisions.
    """

    class Meta:
        model = Station
        fields = ["name", "township", "status", "opened_on", "address", "site_area_m2", "supervisor", "communities"]
        field_classes = {"township": TownshipChoiceField, "communities": CommunityChoiceField}
        widgets = {"opened_on": DATE_INPUT}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        visible_regions = Region.objects.visible_to(user)
        if "township" in self.fields:
            self.fields["township"].queryset = visible_regions.filter(level=RegionLevel.TOWNSHIP).select_related(
                "parent"
            )
        if "supervisor" in self.fields:
            self.fields["supervisor"].queryset = Organization.objects.visible_to(user).filter(
                kind=OrganizationKind.SUPERVISOR
            )
        communities = visible_regions.filter(level=RegionLevel.COMMUNITY)
        if "township" not in self.fields:
            communities = communities.filter(parent_id=self.instance.township_id)
        self.fields["communities"].queryset = communities.order_by("parent__path", "code")
        self.fields["communities"].help_text = _("Only villages and communities of the station's township.")

    def clean(self):
        cleaned = super().clean()
        township = cleaned.get("township") if "township" in self.fields else self.instance.township
        if township is not None:
            strays = [c.name for c in cleaned.get("communities") or [] if c.parent_id != township.pk]
            if strays:
                self.add_error(
                    "communities",
                    _("These communities are not in the station's township: %(names)s") % {"names": "、".join(strays)},
                )
        return cleaned


class StationSiteForm(StationForm):
    """What the station's own manager may change: address, site area and the communities served."""

    class Meta(StationForm.Meta):
        fields = ["address", "site_area_m2", "communities"]


def station_form_class(user) -> type[StationForm]:
    """The full form for those who may create stations, the site form for everybody else."""
    return StationForm if user.has_perm("stations.add_station") else StationSiteForm


class ContractForm(PortalFormMixin, forms.ModelForm):
    """An operating contract of one station (fixed by the page); its term may not overlap another's."""

    class Meta:
        model = OperatingContract
        fields = ["operator", "start_on", "end_on", "amount", "procurement_method"]
        widgets = {"start_on": DATE_INPUT, "end_on": DATE_INPUT}
        # The portal's years (2000-2100), as the model's clean: past them the two-year term overflows.
        field_classes = {"start_on": RangedDateField, "end_on": RangedDateField}

    def __init__(self, *args, user, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.fields["operator"].queryset = Organization.objects.visible_to(user).filter(kind=OrganizationKind.OPERATOR)
        self.fields["amount"].help_text = _("In CNY (yuan), two decimal places.")

    def clean(self):
        cleaned = super().clean()
        start_on, end_on = cleaned.get("start_on"), cleaned.get("end_on")
        if start_on and end_on:
            clash = contract_overlap(
                station=self.instance.station,
                start_on=start_on,
                end_on=end_on,
                exclude_pk=self.instance.pk,
            )
            if clash:
                self.add_error(
                    "start_on",
                    _("Overlaps the contract with %(operator)s (%(start)s to %(end)s).")
                    % {
                        "operator": clash.operator.name,
                        "start": clash.start_on,
                        "end": clash.end_on,
                    },
                )
        return cleaned


class OrganizationForm(PortalFormMixin, forms.ModelForm):
    """A social organisation. Non-administrators must place it in a region of their scope,
    or it would vanish from their own lists (and the save would be refused)."""

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "credit_code",
            "registration_level",
            "rating",
            "region",
            "legal_representative",
            "phone",
            "address",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(
            level__in=[RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
        )
        self.fields["region"].required = not scope_of(user).everything
        self.fields["credit_code"].help_text = _("18 characters, as printed on the registration certificate.")

    def clean_credit_code(self) -> str:
        # Normalised before the uniqueness check, which compares the stored (upper-case) codes.
        return self.cleaned_data["credit_code"].strip().upper()


class StandardCheckForm(PortalFormMixin, forms.Form):
    """One construction-standard item of a station: met or not, and a note."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    met = forms.BooleanField(label=_("met"), required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


StandardCheckFormSet = forms.formset_factory(StandardCheckForm, extra=0)
