"""Browser forms of the services pages: one station, fixed by the page.

Forms only read what was typed; the rules (``rules.py``) decide, so a page refuses exactly what the API refuses.
Lists of people and projects are cut to the station (and so to the user's scope) before anything is chosen.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.people import form_registered_twin
from accounts.privacy import people_view
from config.forms import FieldsetsMixin, PortalFormMixin
from config.params import parse_id
from staffing.forms import DATE_INPUT, PERSON_LABELS, IdNumberMixin
from staffing.models import StaffMember, Volunteer
from stations.choices import RegionLevel
from stations.models import Region, Station

from .choices import SUBTYPES_OF, CaseStatus, ServiceKind
from .models import Beneficiary, Case, CatalogItem, FocusProblem, Project, TargetGroup

# How the case pages word a case: the date it was opened (开案日期) and the social worker in charge (负责社工).
CASE_LABELS = {
    "beneficiary": _("Beneficiary"),
    "worker": _("Worker in charge"),
    "opened_on": _("Case opened on"),
}


def station_communities(station: Station):
    """The villages and communities of the station's township."""
    return Region.objects.filter(parent_id=station.township_id, level=RegionLevel.COMMUNITY).order_by("code")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (photos, sign-in sheets); each is checked by ``rules.attachment_add``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,.pdf"})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class ServiceRecordForm(PortalFormMixin, forms.Form):
    """A service logged at ``station``: made to be filled from the keyboard in well under a minute."""

    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices, widget=forms.RadioSelect)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("Not under a project")
    )
    beneficiaries = forms.ModelMultipleChoiceField(
        label=_("Beneficiaries"),
        queryset=Beneficiary.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    headcount = forms.IntegerField(
        label=_("People present but not registered"), min_value=0, max_value=100000, initial=0
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=1440, initial=60)
    staff = forms.ModelMultipleChoiceField(
        label=_("Staff"), queryset=StaffMember.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(label=_("Photos and sign-in sheets"))

    def __init__(self, *args, station: Station, beneficiaries, staff, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["project"].queryset = projects
        this_year = date.today().year
        self.fields["project"].label_from_instance = lambda project: (
            project.name if project.year == this_year else f"{project.name}（{project.year}）"
        )
        self.fields["beneficiaries"].queryset = beneficiaries
        self.fields["staff"].queryset = staff
        self.fields["date"].widget.attrs["max"] = date.today().isoformat()
        self.fields["summary"].widget.attrs["placeholder"] = _("What was done, with whom, what came of it.")

    def chosen_beneficiaries(self) -> list[Beneficiary]:
        """The beneficiaries picked so far, to show again when the form comes back with errors."""
        ids = [pk for pk in map(parse_id, self["beneficiaries"].value() or []) if pk is not None]
        return list(self.fields["beneficiaries"].queryset.filter(pk__in=ids).only("id", "name", "key_target"))


class VolunteerShareForm(PortalFormMixin, forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none(), required=False)
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=24,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.1", "max": "24"}),
    )

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("volunteer") and not cleaned.get("hours"):
            self.add_error("hours", _("How many hours did this volunteer serve?"))
        if cleaned.get("hours") and not cleaned.get("volunteer"):
            self.add_error("volunteer", _("Choose the volunteer who served these hours."))
        return cleaned


VolunteerShareFormSet = forms.formset_factory(VolunteerShareForm, extra=3, max_num=20)


class RecordFilterForm(PortalFormMixin, forms.Form):
    """Filters of a station's service records (the same names as the API's)."""

    date_after = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_before = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    worker = forms.ModelChoiceField(label=_("Served by"), queryset=StaffMember.objects.none(), required=False)
    # Found by typing (services/_beneficiary_picker.html): the station's people are never listed whole.
    beneficiary = forms.ModelChoiceField(
        label=_("Beneficiary"), queryset=Beneficiary.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, projects, workers, beneficiaries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Every kind")), *ServiceKind.choices]
        self.fields["project"].queryset = projects
        self.fields["project"].empty_label = _("Every project")
        self.fields["worker"].queryset = workers
        self.fields["worker"].empty_label = _("Every worker")
        self.fields["beneficiary"].queryset = beneficiaries
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"

    def chosen_beneficiaries(self) -> list[Beneficiary]:
        """The person filtered on, to show as chosen in the lookup."""
        person = getattr(self, "cleaned_data", {}).get("beneficiary")
        return [person] if person else []

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_after"), cleaned.get("date_before")
        if start and end and end < start:
            self.add_error("date_before", _("The end of the period comes after its start."))
        return cleaned


class ProjectForm(PortalFormMixin, FieldsetsMixin, forms.ModelForm):
    """A project of ``station``: its place in the "123X" portfolio, targets, communities and catalogue items."""

    FIELDSETS = [
        (_("Project"), ["name", "year", "category", "subtype"]),
        (_("Targets"), ["target_beneficiaries", "target_sessions", "target_communities"]),
        (_("Where and what"), ["communities", "catalog_items", "description"]),
    ]

    class Meta:
        model = Project
        fields = [
            "name",
            "year",
            "category",
            "subtype",
            "target_beneficiaries",
            "target_sessions",
            "target_communities",
            "communities",
            "catalog_items",
            "description",
        ]
        widgets = {
            "communities": forms.CheckboxSelectMultiple,
            "catalog_items": forms.SelectMultiple(attrs={"size": 8}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.fields["communities"].queryset = station_communities(station)
        self.fields["catalog_items"].queryset = CatalogItem.objects.select_related("sub_item__category")
        self.fields["catalog_items"].label_from_instance = lambda item: (
            f"{item.sub_item.category.name} · {item.sub_item.name} · {item.name}"
        )
        self.fields["subtype"].help_text = _(
            "Brand: professional or community-governance. Basic: difficult families, elderly living alone or "
            "children in difficulty. Core and optional projects have none."
        )
        if self.instance.pk and self.instance.service_records.exists():
            self.fields["year"].disabled = True
            self.fields["year"].help_text = _("Services are logged under this project: its year stays.")

    def clean(self):
        cleaned = super().clean()
        category = cleaned.get("category")
        if category and not SUBTYPES_OF.get(category) and cleaned.get("subtype"):
            self.add_error("subtype", _("Core and optional projects have no subtype."))
        return cleaned


class BeneficiaryForm(PortalFormMixin, FieldsetsMixin, IdNumberMixin, forms.ModelForm):
    """A person ``station`` serves; the ID number is typed whole once and shown masked afterwards."""

    FIELDSETS = [
        (_("Person"), ["name", "id_number", "gender", "birth_date", "phone"]),
        (_("Where"), ["community", "address"]),
        (_("Needs"), ["target_groups", "key_target", "active", "notes"]),
    ]

    class Meta:
        model = Beneficiary
        labels = PERSON_LABELS
        fields = [
            "name",
            "id_number",
            "gender",
            "birth_date",
            "phone",
            "community",
            "address",
            "target_groups",
            "key_target",
            "active",
            "notes",
        ]
        widgets = {
            "birth_date": DATE_INPUT,
            "target_groups": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, station: Station, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.user = user
        self.setup_id_number()
        self.fields["birth_date"].required = False
        self.fields["community"].queryset = station_communities(station)
        self.fields["target_groups"].queryset = TargetGroup.objects.all()
        self.fields["key_target"].help_text = _("Key targets are visited at least once every month.")

    def clean(self):
        cleaned = super().clean()
        twin = form_registered_twin(self, user=self.user, person=self.instance, id_number=cleaned.get("id_number"))
        if twin is not None:
            self.add_error(
                "id_number",
                _("This station already has a beneficiary with this ID number: %(name)s")
                % {"name": people_view(self.user).name(twin)},
            )
        return cleaned


class CaseOpenForm(PortalFormMixin, forms.ModelForm):
    """Intake: a beneficiary of the station, the social worker in charge, the date and the first notes."""

    class Meta:
        model = Case
        fields = ["beneficiary", "worker", "opened_on", "intake_notes"]
        labels = CASE_LABELS
        # The beneficiary is found by typing (services/_beneficiary_picker.html), never listed whole in the page.
        widgets = {
            "beneficiary": forms.HiddenInput,
            "opened_on": DATE_INPUT,
            "intake_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, beneficiaries, workers, **kwargs):
        kwargs.setdefault("initial", {"opened_on": date.today()})
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = beneficiaries
        self.fields["worker"].queryset = workers

    def chosen_beneficiaries(self) -> list[Beneficiary]:
        """The beneficiary picked so far (typed, or ``?beneficiary=``), to show as chosen when the page comes back."""
        pk = parse_id(self["beneficiary"].value())
        if pk is None:
            return []
        return list(self.fields["beneficiary"].queryset.filter(pk=pk).only("id", "name", "key_target"))


class CaseAssessForm(PortalFormMixin, forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE_INPUT)
    before_score = forms.IntegerField(label=_("Score before (0-100)"), min_value=0, max_value=100)
    assessment = forms.CharField(label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 3}))


class CasePlanForm(PortalFormMixin, forms.Form):
    planned_on = forms.DateField(label=_("Planned on"), widget=DATE_INPUT)
    plan = forms.CharField(label=_("Service plan"), widget=forms.Textarea(attrs={"rows": 3}))


class CaseFollowUpForm(PortalFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    worker = forms.ModelChoiceField(label=_("Social worker"), queryset=StaffMember.objects.none())
    content = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    next_step = forms.CharField(label=_("Next step"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class CaseReferForm(PortalFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    agency = forms.CharField(label=_("Referred to"), max_length=200)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CaseCloseForm(PortalFormMixin, forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE_INPUT)
    after_score = forms.IntegerField(label=_("Score after (0-100)"), min_value=0, max_value=100)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))


# The step forms of a case page, by the step's name: (form class, the statuses in which the step is offered).
CASE_STEPS = {
    "assess": (CaseAssessForm, (CaseStatus.INTAKE, CaseStatus.ASSESSMENT)),
    "plan": (CasePlanForm, (CaseStatus.ASSESSMENT, CaseStatus.PLAN)),
    "follow_up": (CaseFollowUpForm, (CaseStatus.PLAN, CaseStatus.FOLLOW_UP)),
    "refer": (CaseReferForm, (CaseStatus.INTAKE, CaseStatus.ASSESSMENT, CaseStatus.PLAN, CaseStatus.FOLLOW_UP)),
    "close": (CaseCloseForm, (CaseStatus.PLAN, CaseStatus.FOLLOW_UP)),
}


class FocusProblemForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = FocusProblem
        fields = ["community", "title", "description", "reported_on"]
        widgets = {"reported_on": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, station: Station, **kwargs):
        kwargs.setdefault("initial", {"reported_on": date.today()})
        super().__init__(*args, **kwargs)
        self.instance.station = station
        self.fields["community"].queryset = station_communities(station)
