"""The rating form of one side of the two-way assessment: a score for each indicator of its scorecard, a comment.

The form reads numbers only; what a score may be (0 to the indicator's maximum, every indicator scored) is
``rules.twoway.two_way_rate``'s to say, and its refusals land on the indicator's field (``add_rule_errors``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.forms import PortalFormMixin

from ..models import Indicator


def score_field_name(indicator_id: int) -> str:
    return f"score_{indicator_id}"


class TwoWayRateForm(PortalFormMixin, forms.Form):
    """``indicators`` (of the side's scorecard, in order) become one score field each; ``scores`` fills them."""

    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("What went well and what should improve, for the other side to read."),
    )

    def __init__(self, *args, indicators: list[Indicator], scores: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        scores = scores or {}
        fields = {}
        for indicator in indicators:
            fields[score_field_name(indicator.pk)] = forms.DecimalField(
                label=indicator.name,
                max_digits=4,
                decimal_places=1,
                initial=scores.get(indicator.pk),
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control text-end",
                        "min": "0",
                        "max": str(indicator.max_points),
                        "step": "0.1",
                        "inputmode": "decimal",
                        "data-two-way-score": "",
                    }
                ),
            )
        # The scores first, in the scorecard's order, then the comment.
        self.fields = {**fields, "comment": self.fields["comment"]}

    @property
    def rows(self) -> list[tuple[Indicator, forms.BoundField]]:
        """Each indicator with its bound score field, for the template."""
        return [(indicator, self[score_field_name(indicator.pk)]) for indicator in self.indicators]

    def scores(self) -> dict[int, object]:
        """{indicator id: score} of a valid form."""
        return {indicator.pk: self.cleaned_data[score_field_name(indicator.pk)] for indicator in self.indicators}

    def add_rule_errors(self, error: ValidationError) -> None:
        """A refusal of ``two_way_rate``: a score's error on its indicator's field, the rest above the form."""
        groups = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
        for name, errors in groups:
            for item in errors:
                indicator = (item.params or {}).get("indicator") if name == "scores" else None
                field = score_field_name(indicator) if indicator is not None else None
                self.add_error(field if field in self.fields else None, item)
