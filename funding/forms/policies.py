"""The form of the funding policy pages: a region's city share, cap, personnel limit, factors and warnings for a
year. Shares and factors are entered as fractions 0 to 1, as the model stores them (0.40 is 40 %)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import FieldsetsMixin, PortalFormMixin
from stations.policy_views import RegionPolicyFormFieldsMixin

from ..models import FundingPolicy

RATES = [
    "city_share",
    "personnel_max_share",
    "factor_excellent",
    "factor_good",
    "factor_pass",
    "factor_fail",
    "warning_share",
    "alert_share",
]


class FundingPolicyForm(PortalFormMixin, FieldsetsMixin, RegionPolicyFormFieldsMixin, forms.ModelForm):
    """A region's funding figures for a year; the region is one the user may set policy for."""

    duplicate_message = _("%(region)s already has a funding policy for %(year)s: edit it instead.")

    FIELDSETS = [
        (_("Region and year"), ["region", "year"]),
        (_("City subsidy"), ["city_share", "township_cap", "voucher_required_above"]),
        (_("Performance factor per grade"), ["factor_excellent", "factor_good", "factor_pass", "factor_fail"]),
        (_("Budgets"), ["personnel_max_share", "warning_share", "alert_share"]),
    ]

    class Meta:
        model = FundingPolicy
        fields = ["region", "year", *FundingPolicy.FIGURES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].help_text = _("Spending of this year, of the townships of this region and below.")
        for name in RATES:
            self.fields[name].help_text = _("A fraction from 0 to 1: 0.40 is 40 %.")
        self.fields["township_cap"].help_text = _("The most the city pays one township for a year.")
        self.fields["voucher_required_above"].help_text = _("An expenditure above this amount needs a voucher.")
