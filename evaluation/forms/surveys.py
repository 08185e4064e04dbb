"""Forms of the satisfaction surveys: a survey and its questions, a paper form keyed in, the public answer form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import PortalFormMixin
from config.params import bound_numbers_and_dates

from ..rules.surveys import MAX_QUESTIONS, MIN_QUESTIONS


class SurveyForm(PortalFormMixin, forms.Form):
    """Title, open dates and the questions, one a line (left empty: the five default questions)."""

    title = forms.CharField(label=_("Title"), max_length=100)
    opens_on = forms.DateField(label=_("Open from"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Open until"), widget=forms.DateInput(attrs={"type": "date"}))
    questions = forms.CharField(
        label=_("Questions, one a line"),
        required=False,
        max_length=MAX_QUESTIONS * 210,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "%(min)d to %(max)d questions, each answered from 1 (very dissatisfied) to 5 (very satisfied). "
            "Leave empty for the five standard questions."
        )
        % {"min": MIN_QUESTIONS, "max": MAX_QUESTIONS},
    )

    def __init__(self, *args, questions_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if questions_fixed:
            field = self.fields["questions"]
            field.disabled = True
            field.help_text = _("The questions cannot change once responses have been recorded.")

    def question_texts(self) -> list[str] | None:
        """The questions as lines, or None (the defaults, or unchanged when the field is fixed)."""
        if self.fields["questions"].disabled:
            return None
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        return [line for line in lines if line] or None


class AnswersForm(PortalFormMixin, forms.Form):
    """One score 1-5 per question (``q<id>``) and an optional comment: the paper form and the public form alike."""

    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, questions, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        comment = self.fields.pop("comment")
        for number, question in enumerate(self.questions, start=1):
            if public:
                field = forms.TypedChoiceField(
                    label=question.text,
                    choices=[(score, score) for score in range(1, 6)],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Please answer this question.")},
                )
            else:
                field = forms.IntegerField(
                    label=f"{number}. {question.text}",
                    min_value=1,
                    max_value=5,
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "numeric",
                            "maxlength": "1",
                            "pattern": "[1-5]",
                            "autocomplete": "off",
                            "class": "form-control portal-score-input",
                            "data-score": "",
                        }
                    ),
                )
            self.fields[self.key(question)] = field
        if public:
            comment.help_text = _("Please do not write your name, phone number or other personal details.")
        self.fields["comment"] = comment
        bound_numbers_and_dates(self)  # the fields were added after the mixin's pass

    @staticmethod
    def key(question) -> str:
        return f"q{question.pk}"

    def score_fields(self):
        return [self[self.key(question)] for question in self.questions]

    def answers(self) -> dict[int, int]:
        return {question.pk: self.cleaned_data[self.key(question)] for question in self.questions}
