"""The officials' evaluation forms: the list's filters, the steps of an evaluation's page, and assignments.

The step forms only carry what the user typed: ``evaluation.rules.workflow`` decides (a missing reason, a score
above the maximum, a step the status does not allow), and its refusals land on these forms' fields.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.filters import IdFilter
from config.forms import PortalFormMixin
from config.params import RangedDateField
from stations.choices import OrganizationKind
from stations.models import Organization, Region, Station

from ..choices import EvaluationStatus, Grade, Stage, TemplatePurpose, TemplateStatus
from ..models import Assignment, Evaluation, ScorecardTemplate
from ..rules.assignments import LOCKED, assignment_dropped, assignment_evaluated, assignment_stations, dropped_message

NOT_GRADED = "none"
REASON_MAX = 1000


# --- the evaluations list ---------------------------------------------------------------------------------


class EvaluationFilter(django_filters.FilterSet):
    """The evaluations list's questions: year, stage, status, grade (or not graded yet), region, agency."""

    year = IdFilter(field_name="year", label=_("Year"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices, label=_("Status"))
    grade = django_filters.ChoiceFilter(
        choices=[*Grade.choices, (NOT_GRADED, _("Not graded yet"))], method="filter_grade", label=_("Grade")
    )
    region = IdFilter(method="filter_region", label=_("County or township"))
    agency = IdFilter(field_name="assignment__agency_id", label=_("Evaluation agency"))

    class Meta:
        model = Evaluation
        fields = ["year", "stage", "status"]

    def filter_grade(self, queryset, name, value):
        return queryset.filter(grade="") if value == NOT_GRADED else queryset.filter(grade=value)

    def filter_region(self, queryset, name, value):
        """Evaluations of stations anywhere under the region (a county, a township)."""
        region = Region.objects.filter(pk=value).only("path").first()
        return queryset.filter(station__township__path__startswith=region.path) if region else queryset.none()


class AssignmentFilter(django_filters.FilterSet):
    year = IdFilter(field_name="year", label=_("Year"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    agency = IdFilter(field_name="agency_id", label=_("Evaluation agency"))

    class Meta:
        model = Assignment
        fields = ["year", "stage"]


# --- the steps of an evaluation -------------------------------------------------------------------------


def reason_field(label, *, help_text="") -> forms.CharField:
    # Not required here: the rule says when a reason is needed, in its own words.
    return forms.CharField(
        label=label,
        required=False,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(PortalFormMixin, forms.Form):
    reason = reason_field(_("Note (optional)"))


class ReturnForm(PortalFormMixin, forms.Form):
    reason = reason_field(_("Why it goes back to the evaluator"))


class PublishForm(PortalFormMixin, forms.Form):
    reason = reason_field(_("Note (optional)"))


class ConfirmForm(PortalFormMixin, forms.Form):
    reason = reason_field(_("Note (optional)"))


class ObjectForm(PortalFormMixin, forms.Form):
    reason = reason_field(_("What you object to"))


class AmendForm(PortalFormMixin, forms.Form):
    """A city official's correction of one score of a published evaluation, optionally answering an objection."""

    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    new_score = forms.DecimalField(label=_("Corrected score"), min_value=Decimal("0"), max_digits=4, decimal_places=1)
    reason = reason_field(_("Reason for the correction"))
    objection = forms.TypedChoiceField(label=_("Answers the objection"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, lines=(), objections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [("", _("Please choose"))] + [
            (
                line.indicator.pk,
                _("%(code)s %(name)s (now %(score)s of %(max)s)")
                % {
                    "code": line.indicator.code,
                    "name": line.indicator.name,
                    "score": "—" if line.score.score is None else line.score.score,
                    "max": line.indicator.max_points,
                },
            )
            for line in lines
        ]
        self.fields["objection"].choices = [("", _("None: a correction of our own"))] + [
            (
                response.pk,
                _("%(date)s: %(reason)s") % {"date": f"{response.at:%Y-%m-%d}", "reason": response.reason[:40]},
            )
            for response in objections
        ]
        self.objections = {response.pk: response for response in objections}

    def clean_objection(self):
        value = self.cleaned_data.get("objection")
        return None if value is None else self.objections.get(value)


STEP_FORMS = {
    "review": ReviewForm,
    "return": ReturnForm,
    "publish": PublishForm,
    "amend": AmendForm,
    "confirm": ConfirmForm,
    "object": ObjectForm,
}


# --- assignments ----------------------------------------------------------------------------------------


class AssignmentForm(PortalFormMixin, forms.ModelForm):
    """An evaluation agency's commission: the stations of the official's region, a year and stage, a scorecard.

    Once an evaluation has begun the scorecard, year and stage are locked (the evaluations are pinned to them), and
    a station already evaluated stays in the assignment. Stations outside the official's region, if any, are kept.
    """

    starts_on = RangedDateField(label=_("access from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = RangedDateField(label=_("access until"), widget=forms.DateInput(attrs={"type": "date"}))
    due_on = RangedDateField(
        label=_("submit by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day evaluations are due; empty: the last day of access."),
    )

    class Meta:
        model = Assignment
        fields = ["title", "agency", "template", "year", "stage", "starts_on", "ends_on", "due_on", "stations"]
        widgets = {"stations": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = Organization.objects.filter(kind=OrganizationKind.EVALUATION_AGENCY).order_by(
            "name"
        )
        templates = ScorecardTemplate.objects.filter(purpose=TemplatePurpose.EVALUATION)
        current = self.instance.template_id if self.instance.pk else None
        self.fields["template"].queryset = templates.filter(
            Q(status=TemplateStatus.ACTIVE) | Q(pk=current) if current else Q(status=TemplateStatus.ACTIVE)
        ).order_by("name", "-version")
        stations = Station.objects.visible_to(user).select_related("township").order_by("township__path", "name")
        listed = list(stations)
        self.fields["stations"].queryset = stations
        self.fields["stations"].choices = [(station.pk, station.name) for station in listed]
        self.townships = {station.pk: station.township.name for station in listed}
        self.locked = bool(assignment_evaluated(self.instance))
        if self.locked:
            for name in LOCKED:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Locked: evaluations have begun on it.")

    def clean_stations(self):
        chosen = self.cleaned_data["stations"]
        if dropped := assignment_dropped(self.instance, chosen, user=self.user):
            raise ValidationError(dropped_message(dropped))
        return chosen

    def save(self, commit=True):
        assignment = super().save(commit=False)
        adding = assignment._state.adding
        chosen = assignment_stations(None if adding else assignment, self.cleaned_data["stations"], user=self.user)
        if adding:
            assignment.created_by = self.user
            assignment.region = getattr(self.user, "region", None)  # who commissioned it; none for the admin
        assignment.save()
        assignment.stations.set(chosen)
        return assignment

    def station_groups(self) -> list[tuple[str, list]]:
        """The stations' checkboxes under their township, for the searchable picker."""
        groups: dict[str, list] = {}
        for option in self["stations"]:
            groups.setdefault(self.townships.get(int(str(option.data["value"])), ""), []).append(option)
        return list(groups.items())
