"""The budget forms: the four lines and eight sources as amounts (and the year of a new budget), and the reason of
a return.

The forms read amounts only (yuan, two places, not negative); what a budget must satisfy to go ahead (the personnel
share, the sources adding up) is ``funding.rules.budgets.budget_problems``'s to say: a draft is saved with its
problems and the budget page lists them.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import FieldsetsMixin, PortalFormMixin
from config.params import YEAR_MAX, YEAR_MIN

from ..choices import BudgetLine, FundingSource


def line_field(key: str) -> str:
    return f"line_{key}"


def source_field(key: str) -> str:
    return f"source_{key}"


def amount_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control text-end", "min": "0", "step": "0.01"}),
    )


class BudgetForm(FieldsetsMixin, PortalFormMixin, forms.Form):
    """A budget's amounts (an empty amount is 0.00) and note; ``with_year`` adds the year (a new budget)."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, with_year: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        if with_year:
            fields["year"] = forms.IntegerField(
                label=_("Year"),
                min_value=YEAR_MIN,
                max_value=YEAR_MAX,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        for key, label in BudgetLine.choices:
            fields[line_field(key)] = amount_field(label)
        for key, label in FundingSource.choices:
            fields[source_field(key)] = amount_field(label)
        self.fields = {**fields, "note": self.fields["note"]}
        self.FIELDSETS = [
            *([(_("Budget"), ["year"])] if with_year else []),
            (_("Budget lines"), [line_field(key) for key in BudgetLine.values]),
            (_("Funding sources"), [source_field(key) for key in FundingSource.values]),
            (_("Note"), ["note"]),
        ]

    @staticmethod
    def initial_of(lines: dict, sources: dict, note: str = "") -> dict:
        """The form's initial values from a budget's amounts."""
        return {
            **{line_field(key): amount for key, amount in lines.items()},
            **{source_field(key): amount for key, amount in sources.items()},
            "note": note,
        }

    def lines(self) -> dict[str, Decimal]:
        return {key: self.cleaned_data.get(line_field(key)) or Decimal("0.00") for key in BudgetLine.values}

    def sources(self) -> dict[str, Decimal]:
        return {key: self.cleaned_data.get(source_field(key)) or Decimal("0.00") for key in FundingSource.values}

    def add_problems(self, error) -> None:
        """A rule's refusal: ``lines`` on the personnel field, ``sources`` on the first source, the rest above."""
        targets = {"lines": line_field(BudgetLine.PERSONNEL), "sources": source_field(FundingSource.CITY_FISCAL)}
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            self.add_error(targets.get(name) if name in targets else None, messages)


class ReturnForm(PortalFormMixin, forms.Form):
    """Why a submitted budget goes back to the station."""

    reason = forms.CharField(
        label=_("Reason for return"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
