"""The forms of the split pages: the overview's filters (year, region) and the instalment a city official records.

The form only reads the values; ``funding.rules.disbursements.disbursement_record`` decides (its field errors are
shown next to the fields by ``accounts.mixins.add_rule_errors``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import PortalFormMixin
from config.params import RangedDateField
from stations.choices import RegionLevel
from stations.forms import DATE_INPUT

from ..models import Disbursement


class OverviewFilterForm(PortalFormMixin, forms.Form):
    """The overview's filter bar: the year funded and a county or township of the user's region to drill into."""

    year = forms.TypedChoiceField(label=_("Year funded"), coerce=int, required=False)
    region = forms.TypedChoiceField(label=_("County or township"), coerce=int, required=False)

    def __init__(self, *args, years: list[int], regions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]
        self.fields["region"].choices = [("", _("Every township in my region"))] + [
            (region.pk, region.name if region.level != RegionLevel.TOWNSHIP else f"· {region.name}")
            for region in regions
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class DisbursementForm(PortalFormMixin, forms.Form):
    """One instalment (or, with a negative amount, a recovery) of a township's city subsidy for a year."""

    date = RangedDateField(label=_("Date paid"), widget=DATE_INPUT)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        help_text=_("A negative amount recovers money paid above the city subsidy."),
    )
    reference = forms.CharField(label=_("Disbursement reference number"), max_length=100)
    approver = forms.CharField(label=_("Approved by"), max_length=100)
    reverses = forms.ModelChoiceField(
        label=_("Reverses the instalment"),
        queryset=Disbursement.objects.none(),
        required=False,
        help_text=_("Only to undo a wrong instalment: the amount is then minus that instalment's."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reversible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reverses"].queryset = reversible
        self.fields["reverses"].label_from_instance = lambda row: f"{row.date:%Y-%m-%d} {row.reference} {row.amount:,}"
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select" if name == "reverses" else "form-control"
