"""Browser forms of the roster and the volunteers: one station, fixed by the page; whole ID numbers typed, never shown.

One-row rules run through the models (validators, ``clean()``); the hours rule through ``rules.volunteer_hours_add``
in the view. The roster import (``excel.py``) fills ``StaffMemberForm`` row by row, so a row is refused for exactly
the reasons the page would refuse it.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.people import form_registered_twin
from config.forms import FieldsetsMixin, PortalFormMixin
from stations.models import Station
from stations.policy_views import RegionPolicyFormFieldsMixin

from .models import StaffingPolicy, StaffMember, Volunteer
from .validators import validate_id_number

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A person's name, in the forms of people (staff, volunteers, beneficiaries): 姓名, not an organisation's 名称.
PERSON_LABELS = {"name": _("Full name")}


class IdNumberMixin:
    """The ID number is typed whole when a person is added; once saved the form never puts it back in the page.

    On an existing record the field starts empty (the masked number is in its help text) and a number typed there
    replaces the stored one, to correct a mistake; left empty, the stored number stays.
    """

    def setup_id_number(self) -> None:
        field = self.fields["id_number"]
        field.widget.attrs.update(autocomplete="off", spellcheck="false", inputmode="text")
        if self.instance.pk:
            self.initial["id_number"] = ""
            field.required = False
            field.label = _("Correct the resident ID number")
            field.help_text = _(
                "Stored as %(masked)s. Leave empty to keep it; type the whole number to replace it."
            ) % {"masked": self.instance.masked_id_number}
        else:
            field.help_text = _("18 characters; shown masked once saved.")

    def clean_id_number(self) -> str:
        number = (self.cleaned_data.get("id_number") or "").strip().upper()
        if not number and self.instance.pk:
            return self.instance.id_number
        validate_id_number(number)
        return number


class StaffMemberForm(PortalFormMixin, FieldsetsMixin, IdNumberMixin, forms.ModelForm):
    """A staff member of ``station``. The salary is asked only of users who may change staff records (and so see it)."""

    FIELDSETS = [
        (_("Person"), ["name", "gender", "id_number", "phone"]),
        (_("Post and qualifications"), ["role", "employer", "education", "certification", "major_social_work"]),
        (_("Employment"), ["hired_on", "left_on", "annual_salary", "labour_contract"]),
    ]

    class Meta:
        model = StaffMember
        labels = PERSON_LABELS
        fields = [
            "name",
            "gender",
            "id_number",
            "phone",
            "role",
            "employer",
            "education",
            "major_social_work",
            "certification",
            "hired_on",
            "left_on",
            "labour_contract",
            "annual_salary",
        ]
        widgets = {"hired_on": DATE_INPUT, "left_on": DATE_INPUT}

    def __init__(self, *args, station: Station, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.user = user
        self.setup_id_number()
        if not user.has_perm("staffing.change_staffmember"):
            del self.fields["annual_salary"]
        self.fields["left_on"].help_text = _("Set when the person leaves: the record stays, for history and turnover.")
        if "annual_salary" in self.fields:
            self.fields["annual_salary"].help_text = _("In CNY (yuan), before tax.")

    def clean(self):
        cleaned = super().clean()
        number, hired_on = cleaned.get("id_number"), cleaned.get("hired_on")
        # The form has no station field, so Django would not check this constraint before saving.
        if hired_on and form_registered_twin(
            self, user=self.user, person=self.instance, id_number=number, hired_on=hired_on
        ):
            self.add_error("id_number", _("This person is already on the roster with the same hiring date."))
        return cleaned


class VolunteerForm(PortalFormMixin, FieldsetsMixin, IdNumberMixin, forms.ModelForm):
    """A volunteer registered at ``station``."""

    FIELDSETS = [
        (_("Person"), ["name", "id_number", "phone", "skills"]),
        (_("Registration"), ["registered_on", "left_on"]),
    ]

    class Meta:
        model = Volunteer
        labels = PERSON_LABELS
        fields = ["name", "id_number", "phone", "skills", "registered_on", "left_on"]
        widgets = {"registered_on": DATE_INPUT, "left_on": DATE_INPUT}

    def __init__(self, *args, station: Station, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.user = user
        self.setup_id_number()
        self.fields["skills"].help_text = _("For example: elderly care, tutoring, legal advice.")

    def clean(self):
        cleaned = super().clean()
        if form_registered_twin(self, user=self.user, person=self.instance, id_number=cleaned.get("id_number")):
            self.add_error("id_number", _("This person is already registered as a volunteer of this station."))
        registered_on, left_on = cleaned.get("registered_on"), cleaned.get("left_on")
        if registered_on and left_on and left_on < registered_on:
            self.add_error("left_on", _("Someone cannot leave before they registered."))
        return cleaned


class VolunteerHoursForm(PortalFormMixin, forms.Form):
    """Hours one volunteer of the station served on one day (the 24-hour day is checked by the rule on save)."""

    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=24,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0.1", "max": "24"}),
    )
    activity = forms.CharField(label=_("Activity"), max_length=200)

    def __init__(self, *args, volunteers, **kwargs):
        kwargs.setdefault("initial", {"date": date.today()})
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers

    def clean_date(self):
        served_on = self.cleaned_data["date"]
        if served_on > date.today():
            raise forms.ValidationError(_("Hours are recorded once served, not in advance."))
        return served_on


class RosterImportForm(PortalFormMixin, forms.Form):
    """An .xlsx file filled in from the roster template."""

    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the roster as an .xlsx file, filled in from the template."))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class StarHoursField(forms.CharField):
    """The five volunteer star thresholds typed as ``100, 300, 600, 1000, 1500``."""

    def prepare_value(self, value):
        return ", ".join(str(hours) for hours in value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value).replace("，", ",")
        try:
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError as error:
            raise forms.ValidationError(
                _("Give whole hours separated by commas, e.g. 100, 300, 600, 1000, 1500.")
            ) from error


class StaffingPolicyForm(PortalFormMixin, FieldsetsMixin, RegionPolicyFormFieldsMixin, forms.ModelForm):
    """A region's staffing standard for a year; the region is one the user may set policy for."""

    FIELDSETS = [
        (_("Region and year"), ["region", "year"]),
        (_("Staff and volunteers"), ["full_time_min", "certified_min", "professional_share_min", "volunteers_min"]),
        (_("Operator and site"), ["operator_rating_min", "site_area_min"]),
        (_("Pay"), ["prior_year_average_wage", "salary_floor_ratio"]),
        (_("Volunteer stars"), ["volunteer_star_hours"]),
    ]

    volunteer_star_hours = StarHoursField(label=_("Volunteer star thresholds (hours)"))
    duplicate_message = _("%(region)s already has a policy for %(year)s: edit it instead.")

    class Meta:
        model = StaffingPolicy
        fields = [
            "region",
            "year",
            "full_time_min",
            "certified_min",
            "volunteers_min",
            "professional_share_min",
            "operator_rating_min",
            "site_area_min",
            "salary_floor_ratio",
            "prior_year_average_wage",
            "volunteer_star_hours",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_texts = {
            "professional_share_min": _("A fraction of full-time staff: 0.50 is 50 %."),
            "prior_year_average_wage": _("The region's average wage of the year before, in CNY."),
            "salary_floor_ratio": _("Each full-time salary must reach this many times the average wage."),
            "volunteer_star_hours": _("Cumulative hours for 1 to 5 stars, ascending, separated by commas."),
            "year": _("The policy applies to the stations of this region and below for this year."),
        }
        for name, text in help_texts.items():
            self.fields[name].help_text = text
