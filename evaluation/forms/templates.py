"""Forms of the scorecard template pages (edit a draft, import) and of the evaluation policy pages.

The edit page holds a draft's indicators as rows, one indicator with its dimension a row, the shape of the
spreadsheet; ``evaluation.rules.templates.template_rows_check`` checks them (the same check as the import), and
each problem lands on its row's field.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import FieldsetsMixin, PortalFormMixin
from stations.policy_views import RegionPolicyFormFieldsMixin

from ..choices import IndicatorSource
from ..models import EvaluationPolicy, ScorecardTemplate
from ..rules.templates import LENGTHS, MAX_ROWS, ROW_FIELDS, TemplateRow, template_rows_check


class TemplateFieldsForm(PortalFormMixin, forms.ModelForm):
    """A draft's own fields; its code and version stay."""

    class Meta:
        model = ScorecardTemplate
        fields = ["name", "purpose", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TemplateRowForm(PortalFormMixin, forms.Form):
    """One indicator and its dimension. Empty rows are left out; ``TemplateRowFormSet`` checks the rest."""

    dimension_code = forms.CharField(required=False, max_length=LENGTHS["dimension_code"])
    dimension_name = forms.CharField(required=False, max_length=LENGTHS["dimension_name"])
    code = forms.CharField(required=False, max_length=LENGTHS["code"])
    name = forms.CharField(required=False, max_length=LENGTHS["name"])
    max_points = forms.CharField(required=False, max_length=6, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    source = forms.ChoiceField(required=False, choices=[("", _("None")), *IndicatorSource.choices])
    guidance = forms.CharField(required=False, max_length=LENGTHS["guidance"], widget=forms.Textarea(attrs={"rows": 2}))
    evidence_expected = forms.CharField(
        required=False, max_length=LENGTHS["evidence_expected"], widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, _width in ROW_FIELDS:
            self.fields[name].label = label

    def row(self) -> TemplateRow:
        return TemplateRow(**{name: self.cleaned_data.get(name, "") for name, _label, _width in ROW_FIELDS})

    @property
    def is_blank(self) -> bool:
        return not any(str(self.cleaned_data.get(name) or "").strip() for name, _label, _width in ROW_FIELDS)


class BaseTemplateRowFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[TemplateRowForm]:
        return [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.is_blank and not self._should_delete_form(form)
        ]

    def rows(self) -> list[TemplateRow]:
        return [form.row() for form in self.kept_forms()]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        checked = template_rows_check([form.row() for form in kept])
        for problem in checked.problems:
            if kept and problem.field:
                kept[problem.index].add_error(problem.field, problem.messages)
            else:
                raise forms.ValidationError(problem.messages)
        self.total = checked.total


TemplateRowFormSet = forms.formset_factory(
    TemplateRowForm,
    formset=BaseTemplateRowFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)


class TemplateImportForm(PortalFormMixin, forms.Form):
    """An .xlsx written by the export (or edited from one), and the region the new draft is for."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Scorecard file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    region = forms.ModelChoiceField(label=_("For the region"), queryset=None, required=False)

    def __init__(self, *args, regions, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        field.queryset = regions
        field.required = not national
        if national:
            field.empty_label = _("National (every region may use it)")
            field.help_text = _("Leave it national, or choose the region the scorecard is for.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the scorecard as an .xlsx file."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class DiffAgainstForm(PortalFormMixin, forms.Form):
    """The version to compare a template with."""

    against = forms.ModelChoiceField(label=_("Compare with"), queryset=None)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["against"].queryset = versions
        self.fields["against"].label_from_instance = lambda template: f"v{template.version} · {template.name}"


class EvaluationPolicyForm(PortalFormMixin, FieldsetsMixin, RegionPolicyFormFieldsMixin, forms.ModelForm):
    """A region's grade and star thresholds for a year; the region is one the user may set policy for."""

    duplicate_message = _("%(region)s already has an evaluation policy for %(year)s: edit it instead.")

    FIELDSETS = [
        (_("Region and year"), ["region", "year"]),
        (_("Grades (points from)"), ["excellent_min", "good_min", "pass_min"]),
        (
            _("Stars (points from)"),
            ["five_stars_min", "four_stars_min", "three_stars_min", "two_stars_min", "one_star_min"],
        ),
    ]

    class Meta:
        model = EvaluationPolicy
        fields = ["region", "year", *EvaluationPolicy.FIGURES]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].help_text = _("Evaluations of this year, of the stations of this region and below.")
