"""The expenditure pages' forms: one payment (entered or corrected) and a month's import.

The payment form checks nothing of its own beyond reading the values: every rule is
``funding.rules.expenditures.expenditure_problems``, whose refusals land on their fields here as in the API.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.forms import PortalFormMixin
from services.forms import MultipleFileField
from staffing.forms import DATE_INPUT

from ..choices import BudgetLine, FundingSource
from ..models import Expenditure
from ..rules.expenditures import FIELDS, expenditure_problems

VOUCHER_ACCEPT = "image/jpeg,image/png,image/webp,image/gif,.pdf,application/pdf"
XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExpenditureForm(PortalFormMixin, forms.Form):
    """A payment of ``station``; ``expenditure`` when it corrects one (whose voucher then counts as given)."""

    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    line = forms.ChoiceField(label=_("Budget line"), choices=[("", "---------"), *BudgetLine.choices])
    source = forms.ChoiceField(label=_("Funding source"), choices=[("", "---------"), *FundingSource.choices])
    # No digits or places of its own: the rule says what is wrong with an amount, in the API's words too.
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})
    )
    payee = forms.CharField(label=_("Payee"), max_length=100)
    description = forms.CharField(label=_("Payment summary"), max_length=300)
    voucher = forms.FileField(
        label=_("Voucher (a photo or a PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": VOUCHER_ACCEPT}),
        help_text=_("Needed above the policy's amount (1,000.00 yuan unless set otherwise); checked by its content."),
    )

    def __init__(self, *args, station, expenditure: Expenditure | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.station, self.expenditure = station, expenditure
        if expenditure is not None and expenditure.voucher:
            self.fields["voucher"].help_text = _("Upload a file only to replace the voucher on record.")

    def clean(self):
        data = super().clean()
        readable = {name: data.get(name) for name in FIELDS}
        problems = expenditure_problems(
            station=self.station,
            **readable,
            has_voucher=bool(data.get("voucher")) or bool(self.expenditure and self.expenditure.voucher),
            today=timezone.localdate(),
        )
        for name, messages in problems.items():
            if name not in self.errors:  # a value that could not be read has said so already
                for message in messages:
                    self.add_error(name, message)
        return data

    def values(self) -> dict:
        """The payment's fields, for ``expenditure_create`` / ``expenditure_update``."""
        return {name: self.cleaned_data[name] for name in FIELDS}


class ExpenditureImportForm(PortalFormMixin, forms.Form):
    """A month's payments in an .xlsx filled in from the template, and the voucher files its rows name."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Expenditure file (.xlsx)"), widget=forms.ClearableFileInput(attrs={"accept": XLSX_ACCEPT})
    )
    vouchers = MultipleFileField(
        label=_("Voucher files"),
        help_text=_("The photos and PDFs named in the last column; each is checked by its content."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the payments as an .xlsx file, filled in from the template."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
