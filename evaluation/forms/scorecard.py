"""The scorecard's forms: every score at once (the page without JavaScript), one score (the autosave), evidence.

Scores are read as text and handed to ``rules.workflow.scores_write`` as they were typed, so the page, the autosave
and the API refuse the same values with the same messages (above the maximum, more than one decimal, an override
of the suggestion without a comment).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import PortalFormMixin
from config.params import parse_id

from ..choices import EvidenceKind

SCORE_MAX_LENGTH = 10
COMMENT_MAX_LENGTH = 2000


def score_field_name(indicator_id: int) -> str:
    return f"score-{indicator_id}"


def comment_field_name(indicator_id: int) -> str:
    return f"comment-{indicator_id}"


class ScorecardForm(PortalFormMixin, forms.Form):
    """A score and a comment for every line of a sheet (``selectors.evaluation_sheet``), as typed."""

    def __init__(self, *args, sheet, **kwargs):
        self.sheet = sheet
        initial = {}
        for line in sheet.lines:
            initial[score_field_name(line.indicator.pk)] = "" if line.score.score is None else str(line.score.score)
            initial[comment_field_name(line.indicator.pk)] = line.score.comment
        super().__init__(*args, initial=initial, **kwargs)
        for line in sheet.lines:
            indicator = line.indicator
            self.fields[score_field_name(indicator.pk)] = forms.CharField(
                label=_("Score"),
                required=False,
                max_length=SCORE_MAX_LENGTH,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "class": "form-control portal-score-input",
                        "data-score": indicator.pk,
                        "data-max": str(indicator.max_points),
                        "aria-describedby": f"max-{indicator.pk} saved-{indicator.pk} error-{indicator.pk}",
                    }
                ),
            )
            self.fields[comment_field_name(indicator.pk)] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(
                    attrs={"rows": 1, "class": "form-control portal-score-comment", "data-comment": indicator.pk}
                ),
            )

    def bound(self, indicator_id: int) -> tuple:
        """The score and comment fields of one indicator, bound (for the template)."""
        return self[score_field_name(indicator_id)], self[comment_field_name(indicator_id)]

    def changed_scores(self) -> list[dict]:
        """The lines whose score or comment differ from what is stored, as ``scores_write`` takes them."""
        changed = []
        for line in self.sheet.lines:
            indicator_id = line.indicator.pk
            score = self.cleaned_data.get(score_field_name(indicator_id), "").strip()
            comment = self.cleaned_data.get(comment_field_name(indicator_id), "").strip()
            stored = "" if line.score.score is None else str(line.score.score)
            if score != stored or comment != line.score.comment:
                changed.append({"indicator": indicator_id, "score": score or None, "comment": comment})
        return changed

    def field_of(self, code: str) -> str | None:
        """The score field of the indicator whose code a rule's error is keyed by."""
        for line in self.sheet.lines:
            if line.indicator.code == code:
                return score_field_name(line.indicator.pk)
        return None


class ScoreSaveForm(PortalFormMixin, forms.Form):
    """One indicator's score and comment, as the scorecard's autosave sends them."""

    indicator = forms.CharField(max_length=20)
    score = forms.CharField(required=False, max_length=SCORE_MAX_LENGTH)
    comment = forms.CharField(required=False, max_length=COMMENT_MAX_LENGTH)

    def clean_indicator(self) -> int:
        indicator = parse_id(self.cleaned_data["indicator"])
        if indicator is None:
            raise forms.ValidationError(_("Choose an indicator of this scorecard."))
        return indicator


class EvidenceSearchForm(PortalFormMixin, forms.Form):
    """What the evidence picker asks for: records, cases or attachments of the evaluated year, by text."""

    KINDS = [
        (EvidenceKind.RECORD, EvidenceKind.RECORD.label),
        (EvidenceKind.CASE, EvidenceKind.CASE.label),
        (EvidenceKind.ATTACHMENT, EvidenceKind.ATTACHMENT.label),
    ]

    kind = forms.ChoiceField(choices=KINDS, required=False)
    q = forms.CharField(required=False, max_length=50)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or EvidenceKind.RECORD

    def clean_q(self) -> str:
        return (self.cleaned_data.get("q") or "").replace("\x00", "").strip()

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1


class EvidenceAddForm(PortalFormMixin, forms.Form):
    """Link one record, case or attachment (or an uploaded file) to one indicator's score."""

    score = forms.CharField(max_length=20)
    kind = forms.ChoiceField(choices=EvidenceKind.choices)
    target = forms.CharField(max_length=20)
    note = forms.CharField(required=False, max_length=200)

    def clean_score(self) -> int:
        score = parse_id(self.cleaned_data["score"])
        if score is None:
            raise forms.ValidationError(_("Choose an indicator of this scorecard."))
        return score

    def clean_target(self) -> int:
        target = parse_id(self.cleaned_data["target"])
        if target is None:
            raise forms.ValidationError(_("No such record of this station."))
        return target


class EvaluationFileForm(PortalFormMixin, forms.Form):
    """A file uploaded as evidence (an image or a PDF), linked to the indicator it backs when one is given."""

    upload = forms.FileField(label=_("File"))
    score = forms.CharField(required=False, max_length=20)

    def clean_score(self) -> int | None:
        raw = self.cleaned_data.get("score") or ""
        if not raw:
            return None
        score = parse_id(raw)
        if score is None:
            raise forms.ValidationError(_("Choose an indicator of this scorecard."))
        return score
