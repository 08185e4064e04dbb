"""Browser pages of services: logging a service fast, the records and their evidence, the "123X" portfolio and
its projects, beneficiaries, cases with their timeline, key-target visits and community focus problems.

Every page reaches its station through ``StationPageMixin`` or its object through ``ScopedQuerysetMixin`` (404
outside the scope), writes through ``save_in_scope`` and decides nothing itself: the rules of ``rules.py`` do,
the same functions the API calls. ID numbers are shown masked.
"""

from datetime import date, timedelta
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView

from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
    add_rule_errors,
    save_in_scope,
)
from reports.spreadsheets import workbook_response
from staffing.models import StaffMember, Volunteer
from staffing.selectors import staff_current, volunteers_current
from staffing.views import WholeIdNumberView
from stations.views import sorted_by

from .choices import (
    BASIC_SUBTYPES,
    BRAND_SUBTYPES,
    STAGE_ORDER,
    CaseStatus,
    FocusProblemStatus,
    ProjectCategory,
    ProjectStage,
    ProjectSubtype,
    ServiceKind,
    next_in,
)
from .excel import records_workbook
from .forms import (
    CASE_STEPS,
    BeneficiaryForm,
    CaseOpenForm,
    FocusProblemForm,
    ProjectForm,
    RecordFilterForm,
    ServiceRecordForm,
    VolunteerShareFormSet,
)
from .models import Attachment, Beneficiary, Case, CaseFollowUp, FocusProblem, Project, ServiceRecord, TargetGroup
from .models import BeneficiaryIdNumberView as IdNumberLog
from .rules import (
    attachment_add,
    case_assess,
    case_close,
    case_follow_up,
    case_open,
    case_plan,
    case_refer,
    case_timeline,
    focus_problem_advance,
    month_start,
    portfolio_check,
    project_progress,
    project_stage_advance,
    projects_progress,
    service_policy_for,
    service_record_create,
    service_record_update,
    township_targets,
    unvisited_key_targets,
    visit_goal_met,
    visit_rate,
)

PAGE_SIZE = 25
LOOKUP_LIMIT = 15


def last_choice_key(station_id: int) -> str:
    """The session key of the project and kind this user logged last at a station."""
    return f"services:last:{station_id}"


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def asked_year(request) -> int:
    """``?year=`` when it is a plausible year, else this year."""
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else date.today().year


def count_of(model, field: str) -> Coalesce:
    """How many ``model`` rows point at the outer row through ``field``: a subquery, run for the shown rows only."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows), 0)


class StationTabMixin(StationPageMixin):
    """A page of one station's services, with the services tabs; ``tab`` names the one shown."""

    tab = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tab", self.tab)
        return super().get_context_data(**kwargs)


# --- logging a service -------------------------------------------------------------------------------------------


class RecordFormMixin:
    """The service-record form and its volunteer rows, with every list cut to the station and the user's scope."""

    def choices(self) -> dict:
        user, station, today = self.request.user, self.station, date.today()
        return {
            "beneficiaries": Beneficiary.objects.visible_to(user).filter(station=station),
            "staff": (StaffMember.objects.visible_to(user) & staff_current(station=station, on=today)).order_by(
                "role", "name"
            ),
            "projects": Project.objects.visible_to(user)
            .filter(station=station, year__gte=today.year - 1)
            .order_by("-year", "category", "name"),
        }

    def volunteers(self):
        return (
            Volunteer.objects.visible_to(self.request.user) & volunteers_current(station=self.station, on=date.today())
        ).order_by("name")

    def record_forms(self, data=None, files=None, initial=None, volunteer_initial=None):
        form = ServiceRecordForm(data, files, station=self.station, initial=initial, **self.choices())
        shares = VolunteerShareFormSet(
            data, prefix="volunteers", initial=volunteer_initial, form_kwargs={"volunteers": self.volunteers()}
        )
        return form, shares

    def save_record(self, form, shares, save):
        """Run ``save(data, volunteers)`` in scope; a refusal lands on its field and nothing stays, files included."""
        data = form.cleaned_data
        volunteers = [
            {"volunteer": row.cleaned_data["volunteer"], "hours": row.cleaned_data["hours"]}
            for row in shares
            if row.cleaned_data.get("volunteer")
        ]
        stored = []

        def save_with_files():
            record = save(data, volunteers)
            for upload in data["attachments"]:
                try:
                    stored.append(attachment_add(record=record, user=self.request.user, file=upload))
                except ValidationError as error:
                    raise ValidationError({"attachments": error.messages}) from error
            return record

        try:
            return save_in_scope(self.request.user, save_with_files)
        except (ValidationError, OutOfScope) as refusal:
            for attachment in stored:
                attachment.file.delete(save=False)
            if isinstance(refusal, OutOfScope):
                form.add_error(None, refusal.message)
            else:
                volunteer_errors = getattr(refusal, "error_dict", {}).pop("volunteers", None)
                if volunteer_errors:
                    shares._non_form_errors = shares.error_class([m for e in volunteer_errors for m in e.messages])
                add_rule_errors(form, refusal)
            return None


class ServiceLogView(RolePermissionRequiredMixin, StationTabMixin, RecordFormMixin, TemplateView):
    """Log what was done: a keyboard-first form that remembers the last project and kind, saves with one click,
    and lists today's and this week's records beside it. ``?kind=visit&beneficiary=<id>`` prefills a visit.
    """

    permission_required = ("services.view_servicerecord", "services.add_servicerecord")
    template_name = "services/log.html"
    tab = "log"

    def initial(self) -> dict:
        last = self.request.session.get(last_choice_key(self.station.pk), {})
        initial = {
            "date": date.today(),
            "kind": last.get("kind", ServiceKind.VISIT),
            "project": last.get("project"),
            "duration_minutes": 60,
            "headcount": 0,
        }
        if self.request.GET.get("kind") in ServiceKind.values:
            initial["kind"] = self.request.GET["kind"]
        if self.request.GET.get("beneficiary", "").isdigit():
            initial["beneficiaries"] = [int(self.request.GET["beneficiary"])]
        return initial

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["shares"] = self.record_forms(initial=self.initial())
        today = date.today()
        recent = list(
            ServiceRecord.objects.visible_to(self.request.user)
            .filter(station=self.station, date__gte=week_start(today), date__lte=today)
            .select_related("project")
            .prefetch_related(Prefetch("beneficiaries", queryset=Beneficiary.objects.only("id", "name")))
            .annotate(files=count_of(Attachment, "record"))
            .order_by("-date", "-pk")[:100]
        )
        return super().get_context_data(
            today_records=[record for record in recent if record.date == today],
            week_records=[record for record in recent if record.date != today],
            week_start=week_start(today),
            saved=self.request.GET.get("saved", ""),
            kinds=ServiceKind.choices,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form, shares = self.record_forms(request.POST, request.FILES)
        if form.is_valid() and shares.is_valid():
            record = self.save_record(
                form,
                shares,
                lambda data, volunteers: service_record_create(
                    station=self.station,
                    user=request.user,
                    date=data["date"],
                    kind=data["kind"],
                    project=data["project"],
                    beneficiaries=data["beneficiaries"],
                    headcount=data["headcount"],
                    staff=data["staff"],
                    volunteers=volunteers,
                    duration_minutes=data["duration_minutes"],
                    place=data["place"],
                    summary=data["summary"],
                ),
            )
            if record is not None:
                request.session[last_choice_key(self.station.pk)] = {"project": record.project_id, "kind": record.kind}
                messages.success(
                    request,
                    _("Saved: %(kind)s on %(date)s.") % {"kind": record.get_kind_display(), "date": record.date},
                )
                return HttpResponseRedirect(f"{reverse('services:log', args=[self.station.pk])}?saved={record.pk}")
        return self.render_to_response(self.get_context_data(form=form, shares=shares))


class BeneficiaryLookupView(RolePermissionRequiredMixin, StationPageMixin, View):
    """``?q=`` part of a name, or the last digits of an ID number: up to 15 active beneficiaries, as JSON."""

    permission_required = "services.view_beneficiary"

    def get(self, request, *args, **kwargs):
        query = request.GET.get("q", "").strip()[:50]
        if not query:
            return JsonResponse({"results": []})
        people = Beneficiary.objects.visible_to(request.user).filter(station=self.station, active=True)
        match = Q(name__icontains=query)
        if query.isdigit() or query[-1:] in "Xx" and query[:-1].isdigit():
            match |= Q(id_number__endswith=query.upper())
        people = people.filter(match).select_related("community").order_by("-key_target", "name", "pk")
        return JsonResponse(
            {
                "results": [
                    {
                        "id": person.pk,
                        "name": person.name,
                        "masked_id_number": person.masked_id_number,
                        "community": person.community.name if person.community_id else "",
                        "key_target": person.key_target,
                    }
                    for person in people[:LOOKUP_LIMIT]
                ]
            }
        )


# --- records -----------------------------------------------------------------------------------------------------


class RecordListView(RolePermissionRequiredMixin, StationTabMixin, ScopedQuerysetMixin, ListView):
    """A station's service records: period, kind and project filters, sortable, 25 a page, exportable."""

    model = ServiceRecord
    permission_required = "services.view_servicerecord"
    template_name = "services/record_list.html"
    paginate_by = PAGE_SIZE
    tab = "records"
    sorts = {"date": "date", "kind": "kind", "duration": "duration_minutes", "project": "project__name"}

    @cached_property
    def filters(self) -> RecordFilterForm:
        projects = Project.objects.visible_to(self.request.user).filter(station=self.station).order_by("-year", "name")
        form = RecordFilterForm(self.request.GET or None, projects=projects)
        form.is_valid()
        return form

    def scoped_queryset(self, queryset):
        records = queryset.filter(station=self.station)
        data = getattr(self.filters, "cleaned_data", {})
        if data.get("date_after"):
            records = records.filter(date__gte=data["date_after"])
        if data.get("date_before"):
            records = records.filter(date__lte=data["date_before"])
        if data.get("kind"):
            records = records.filter(kind=data["kind"])
        if data.get("project"):
            records = records.filter(project=data["project"])
        self.sort, ordering = sorted_by(self.request, self.sorts, ["-date", "-pk"])
        return (
            records.select_related("project", "created_by")
            .annotate(
                named=count_of(ServiceRecord.beneficiaries.through, "servicerecord"),
                files=count_of(Attachment, "record"),
            )
            .order_by(*ordering, "-pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filters, sort=self.sort, **kwargs)


class RecordExportView(RecordListView):
    """The filtered records of the list page, every page, as .xlsx (names only; no ID numbers)."""

    def get(self, request, *args, **kwargs):
        records = self.get_queryset().prefetch_related(
            Prefetch("beneficiaries", queryset=Beneficiary.objects.only("id", "name")),
            Prefetch("staff", queryset=StaffMember.objects.only("id", "name")),
            "volunteers__volunteer",
        )
        workbook = records_workbook(station=self.station, records=records)
        return workbook_response(workbook, _("%(station)s service records.xlsx") % {"station": self.station.name})


class RecordDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One record with everyone in it and its evidence; attachments are added here."""

    model = ServiceRecord
    permission_required = "services.view_servicerecord"
    template_name = "services/record_detail.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township", "project", "created_by").prefetch_related(
            Prefetch("beneficiaries", queryset=Beneficiary.objects.select_related("community")),
            "staff",
            "volunteers__volunteer",
            "attachments",
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(station=self.object.station, tab="records", **kwargs)


class AttachmentAddView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """POST files to a record; each is checked by ``attachment_add`` (type by content, size)."""

    model = ServiceRecord
    permission_required = "services.add_attachment"

    def post(self, request, *args, **kwargs):
        record = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        uploads = request.FILES.getlist("attachments")
        if not uploads:
            messages.error(request, _("Choose a photo or a PDF to attach."))
        for upload in uploads:
            try:
                save_in_scope(
                    request.user, lambda upload=upload: attachment_add(record=record, user=request.user, file=upload)
                )
            except ValidationError as error:
                messages.error(request, f"{upload.name}: {' '.join(error.messages)}")
            else:
                messages.success(request, _("%(name)s attached.") % {"name": upload.name})
        return HttpResponseRedirect(reverse("services:record_detail", args=[record.pk]))


class AttachmentDownloadView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """An attachment, to users whose scope covers its record (404 otherwise), never cached."""

    model = Attachment
    permission_required = "services.view_attachment"

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=request.GET.get("download") == "1",
            filename=attachment.original_name,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class RecordUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, RecordFormMixin, UpdateView):
    """Correct a record: the same form and checks as logging it (``service_record_update``)."""

    model = ServiceRecord
    permission_required = "services.change_servicerecord"
    template_name = "services/record_form.html"
    fields = []

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township")

    @property
    def station(self):
        return self.object.station

    def initial(self) -> dict:
        record = self.object
        return {
            "date": record.date,
            "kind": record.kind,
            "project": record.project_id,
            "beneficiaries": list(record.beneficiaries.values_list("pk", flat=True)),
            "headcount": record.headcount,
            "staff": list(record.staff.values_list("pk", flat=True)),
            "duration_minutes": record.duration_minutes,
            "place": record.place,
            "summary": record.summary,
        }

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["shares"] = self.record_forms(
                initial=self.initial(),
                volunteer_initial=[
                    {"volunteer": row.volunteer_id, "hours": row.hours} for row in self.object.volunteers.all()
                ],
            )
        return super().get_context_data(station=self.station, tab="records", kinds=ServiceKind.choices, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, shares = self.record_forms(request.POST, request.FILES)
        if form.is_valid() and shares.is_valid():
            record = self.save_record(
                form,
                shares,
                lambda data, volunteers: service_record_update(
                    record=self.object,
                    user=request.user,
                    **{
                        name: data[name]
                        for name in ("date", "kind", "project", "headcount", "duration_minutes", "place", "summary")
                    },
                    beneficiaries=data["beneficiaries"],
                    staff=data["staff"],
                    volunteers=volunteers,
                ),
            )
            if record is not None:
                messages.success(request, _("Service record saved."))
                return HttpResponseRedirect(reverse("services:record_detail", args=[record.pk]))
        return self.render_to_response(self.get_context_data(form=form, shares=shares))


# --- the "123X" portfolio and projects ----------------------------------------------------------------------------


class PortfolioView(RolePermissionRequiredMixin, StationTabMixin, TemplateView):
    """A station's projects of a year against "123X" and the township targets, each problem in plain words."""

    permission_required = "services.view_project"
    template_name = "services/portfolio.html"
    tab = "portfolio"

    def get_context_data(self, **kwargs):
        year = asked_year(self.request)
        projects = list(
            Project.objects.visible_to(self.request.user)
            .filter(station=self.station, year=year)
            .prefetch_related("communities")
            .order_by("category", "subtype", "name")
        )
        progress = projects_progress(projects=projects)
        for project in projects:
            project.progress = progress[project.pk]
            project.stage_index = STAGE_ORDER.index(project.stage) + 1
            project.next_stage = next_in(ProjectStage, project.stage)
        slots = portfolio_slots(projects)
        years = (
            Project.objects.visible_to(self.request.user).filter(station=self.station).values_list("year", flat=True)
        )
        return super().get_context_data(
            year=year,
            years=sorted({*years, date.today().year}, reverse=True),
            portfolio=portfolio_check(station=self.station, year=year),
            targets=township_targets(station=self.station, year=year),
            projects=projects,
            slots=slots,
            stage_count=len(STAGE_ORDER),
            **kwargs,
        )


def portfolio_slots(projects: list[Project]) -> list[dict]:
    """The places of "123X" in order (core, two brand, three basic, optional), each with the projects filling it."""
    slots = [{"category": ProjectCategory.CORE, "subtype": "", "label": ProjectCategory.CORE.label}]
    for category, subtypes in ((ProjectCategory.BRAND, BRAND_SUBTYPES), (ProjectCategory.BASIC, BASIC_SUBTYPES)):
        for subtype in subtypes:
            slots.append({"category": category, "subtype": subtype, "label": ProjectSubtype(subtype).label})
    for slot in slots:
        slot["projects"] = [p for p in projects if p.category == slot["category"] and p.subtype == slot["subtype"]]
    slots.append(
        {
            "category": ProjectCategory.OPTIONAL,
            "subtype": "",
            "label": ProjectCategory.OPTIONAL.label,
            "projects": [p for p in projects if p.category == ProjectCategory.OPTIONAL],
            "optional": True,
        }
    )
    return slots


class ProjectDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """A project: its place in the portfolio, its stages with who moved them and when, targets against actuals."""

    model = Project
    permission_required = "services.view_project"
    template_name = "services/project_detail.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township").prefetch_related(
            "communities", "catalog_items__sub_item__category"
        )

    def get_context_data(self, **kwargs):
        project = self.object
        changes = project.stage_changes.select_related("changed_by").order_by("changed_at", "pk")
        return super().get_context_data(
            station=project.station,
            tab="portfolio",
            progress=project_progress(project=project),
            changes=changes,
            stages=STAGE_ORDER,
            stage_index=STAGE_ORDER.index(project.stage),
            next_stage=next_in(ProjectStage, project.stage),
            records=project.service_records.order_by("-date", "-pk").select_related("project")[:10],
            **kwargs,
        )


class ProjectFormMixin(ScopedFormMixin):
    model = Project
    form_class = ProjectForm
    template_name = "services/project_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        return super().get_context_data(tab="portfolio", **kwargs)

    def get_success_url(self):
        return reverse("services:project_detail", args=[self.object.pk])


class ProjectCreateView(RolePermissionRequiredMixin, StationPageMixin, ProjectFormMixin, CreateView):
    """A new project; ``?category=&subtype=&year=`` come from the empty place of the portfolio it fills."""

    permission_required = "services.add_project"
    success_message = gettext_lazy("Project %(object)s created.")

    def get_initial(self):
        initial = {"year": asked_year(self.request)}
        for name in ("category", "subtype"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return initial


class ProjectUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, ProjectFormMixin, UpdateView):
    permission_required = "services.change_project"
    success_message = gettext_lazy("Project %(object)s saved.")

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township")

    @property
    def station(self):
        return self.object.station


class ProjectAdvanceView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """POST ``to_stage``: the project moves to its next stage (``project_stage_advance``), recording who and when."""

    model = Project
    permission_required = "services.advance_project"

    def post(self, request, *args, **kwargs):
        project = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        to_stage = request.POST.get("to_stage", "")
        try:
            moved = save_in_scope(
                request.user,
                lambda: project_stage_advance(project=project, to_stage=to_stage, user=request.user).project,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(project)s moved to “%(stage)s”.") % {"project": moved.name, "stage": moved.get_stage_display()},
            )
        back = request.POST.get("back") == "portfolio"
        if back:
            return HttpResponseRedirect(
                f"{reverse('services:portfolio', args=[project.station_id])}?year={project.year}"
            )
        return HttpResponseRedirect(reverse("services:project_detail", args=[project.pk]))


# --- beneficiaries -------------------------------------------------------------------------------------------------


class BeneficiaryListView(RolePermissionRequiredMixin, StationTabMixin, ScopedQuerysetMixin, ListView):
    """The people a station serves: search by name or last ID digits, key targets and target groups, 25 a page."""

    model = Beneficiary
    permission_required = "services.view_beneficiary"
    template_name = "services/beneficiary_list.html"
    paginate_by = PAGE_SIZE
    tab = "beneficiaries"
    sorts = {"name": "name", "registered_on": "registered_on", "community": "community__code"}

    def scoped_queryset(self, queryset):
        people = queryset.filter(station=self.station)
        self.q = self.request.GET.get("q", "").strip()[:50]
        if self.q:
            people = people.filter(Q(name__icontains=self.q) | Q(id_number__endswith=self.q.upper()))
        self.key = self.request.GET.get("key") == "1"
        if self.key:
            people = people.filter(key_target=True)
        self.group = self.request.GET.get("group", "")
        if self.group:
            people = people.filter(target_groups__code=self.group)
        self.show_all = self.request.GET.get("show") == "all"
        if not self.show_all:
            people = people.filter(active=True)
        self.sort, ordering = sorted_by(self.request, self.sorts, ["-key_target", "name"])
        return (
            people.select_related("community")
            .prefetch_related(Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order")))
            .annotate(records=count_of(ServiceRecord.beneficiaries.through, "beneficiary"))
            .order_by(*ordering, "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            q=self.q,
            key=self.key,
            group=self.group,
            show_all=self.show_all,
            sort=self.sort,
            groups=TargetGroup.objects.order_by("order"),
            **kwargs,
        )


class BeneficiaryFormMixin(ScopedFormMixin):
    model = Beneficiary
    form_class = BeneficiaryForm
    template_name = "services/beneficiary_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        return super().get_context_data(
            tab="beneficiaries", can_see_whole=self.request.user.has_perm("staffing.view_full_id_number"), **kwargs
        )

    def get_success_url(self):
        return reverse("services:beneficiaries", args=[self.station.pk])


class BeneficiaryCreateView(RolePermissionRequiredMixin, StationPageMixin, BeneficiaryFormMixin, CreateView):
    permission_required = "services.add_beneficiary"
    success_message = gettext_lazy("%(object)s registered.")


class BeneficiaryUpdateView(RolePermissionRequiredMixin, ScopedQuerysetMixin, BeneficiaryFormMixin, UpdateView):
    permission_required = "services.change_beneficiary"
    success_message = gettext_lazy("%(object)s saved.")

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township")

    @property
    def station(self):
        return self.object.station


class BeneficiaryIdNumberView(WholeIdNumberView):
    model = Beneficiary
    log_model = IdNumberLog
    subject = "beneficiary"
    back_url_name = "services:beneficiaries"


# --- key-target visits ---------------------------------------------------------------------------------------------


class VisitsView(RolePermissionRequiredMixin, StationTabMixin, TemplateView):
    """The month's visit rate of key targets against the goal, and the key targets nobody has visited yet."""

    permission_required = "services.view_beneficiary"
    template_name = "services/visits.html"
    tab = "visits"

    def get_context_data(self, **kwargs):
        this_month = date.today().replace(day=1)
        try:
            month = month_start(self.request.GET.get("month", "")) if self.request.GET.get("month") else this_month
        except ValidationError:
            month = this_month
        month = min(month, this_month)
        rate = visit_rate(station=self.station, month=month)
        goal = service_policy_for(station=self.station, year=month.year).key_target_visit_goal
        waiting = list(
            unvisited_key_targets(station=self.station, month=month)
            .select_related("community")
            .prefetch_related(Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order")))
            .order_by("community__code", "name", "pk")
        )
        previous = (month - timedelta(days=1)).replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        return super().get_context_data(
            month=month,
            rate=rate,
            goal=goal,
            reached=visit_goal_met(rate=rate, station=self.station, month=month),
            waiting=waiting,
            previous=previous,
            following=following if following <= this_month else None,
            is_this_month=month == this_month,
            **kwargs,
        )


# --- cases ------------------------------------------------------------------------------------------------------------


class CaseListView(RolePermissionRequiredMixin, StationTabMixin, ScopedQuerysetMixin, ListView):
    """A station's cases: by status, with the scores before and after and the last step's date."""

    model = Case
    permission_required = "services.view_case"
    template_name = "services/case_list.html"
    paginate_by = PAGE_SIZE
    tab = "cases"
    sorts = {"opened_on": "opened_on", "status": "status", "beneficiary": "beneficiary__name"}

    def scoped_queryset(self, queryset):
        cases = queryset.filter(station=self.station)
        self.status = self.request.GET.get("status", "")
        if self.status == "open":
            cases = cases.exclude(status=CaseStatus.CLOSED)
        elif self.status in CaseStatus.values:
            cases = cases.filter(status=self.status)
        self.sort, ordering = sorted_by(self.request, self.sorts, ["-opened_on"])
        return (
            cases.select_related("beneficiary", "worker")
            .annotate(follow_up_count=count_of(CaseFollowUp, "case"))
            .order_by(*ordering, "-pk")
        )

    def get_context_data(self, **kwargs):
        counts = dict(
            Case.objects.visible_to(self.request.user)
            .filter(station=self.station)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        return super().get_context_data(
            status=self.status,
            sort=self.sort,
            statuses=[(value, label, counts.get(value, 0)) for value, label in CaseStatus.choices],
            open_count=sum(n for status, n in counts.items() if status != CaseStatus.CLOSED),
            **kwargs,
        )


class CaseCreateView(RolePermissionRequiredMixin, StationPageMixin, ScopedFormMixin, CreateView):
    """Intake: open a case for a beneficiary of the station (``?beneficiary=`` preselects one)."""

    model = Case
    form_class = CaseOpenForm
    permission_required = "services.add_case"
    template_name = "services/case_form.html"
    success_message = gettext_lazy("Case of %(object)s opened.")

    def get_form_kwargs(self):
        user, station = self.request.user, self.station
        kwargs = super().get_form_kwargs()
        if self.request.GET.get("beneficiary", "").isdigit():
            kwargs["initial"] = {**kwargs.get("initial", {}), "beneficiary": int(self.request.GET["beneficiary"])}
        return {
            **kwargs,
            "beneficiaries": Beneficiary.objects.visible_to(user).filter(station=station, active=True).order_by("name"),
            "workers": (
                StaffMember.objects.visible_to(user) & staff_current(station=station, on=date.today())
            ).order_by("name"),
        }

    def save_form(self, form):
        data = form.cleaned_data
        return case_open(
            station=self.station,
            beneficiary=data["beneficiary"],
            worker=data["worker"],
            opened_on=data["opened_on"],
            intake_notes=data["intake_notes"],
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="cases", **kwargs)

    def get_success_url(self):
        return reverse("services:case_detail", args=[self.object.pk])


class CaseDetailView(RolePermissionRequiredMixin, ScopedQuerysetMixin, DetailView):
    """A case's timeline from intake to closure, with the forms of the steps its status allows."""

    model = Case
    permission_required = "services.view_case"
    template_name = "services/case_detail.html"

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township", "beneficiary__community", "worker")

    def step_forms(self, bound: dict | None = None) -> dict:
        case, today = self.object, date.today()
        workers = (
            StaffMember.objects.visible_to(self.request.user) & staff_current(station=case.station, on=today)
        ).order_by("name")
        forms = {}
        for step, (form_class, statuses) in CASE_STEPS.items():
            extra = {"workers": workers} if step == "follow_up" else {}
            if bound and step in bound:
                forms[step] = bound[step]  # a refused step is shown with its errors, even if not offered now
            elif case.status in statuses:
                date_field = next(name for name in form_class.base_fields if name.endswith("_on") or name == "date")
                forms[step] = form_class(prefix=step, initial={date_field: today, "worker": case.worker_id}, **extra)
        return forms

    def get_context_data(self, **kwargs):
        case = self.object
        can_change = self.request.user.has_perm("services.change_case")
        return super().get_context_data(
            station=case.station,
            tab="cases",
            timeline=case_timeline(case),
            step_forms=self.step_forms(kwargs.pop("bound", None)) if can_change else {},
            change=(case.after_score - case.before_score)
            if case.after_score is not None and case.before_score is not None
            else None,
            **kwargs,
        )


class CaseStepView(CaseDetailView):
    """POST one step of a case (assess, plan, follow_up, refer, close) through its rule; errors on the timeline page."""

    permission_required = ("services.view_case", "services.change_case")
    http_method_names = ["post"]
    STEP_RULES = {
        "assess": case_assess,
        "plan": case_plan,
        "follow_up": case_follow_up,
        "refer": case_refer,
        "close": case_close,
    }

    def take_step(self, step: str, data: dict) -> Case:
        self.STEP_RULES[step](case=self.object, **data)
        return self.object

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        step = kwargs["step"]
        if step not in CASE_STEPS:
            return HttpResponseRedirect(reverse("services:case_detail", args=[self.object.pk]))
        form_class, _statuses = CASE_STEPS[step]
        extra = (
            {"workers": StaffMember.objects.visible_to(request.user).filter(station=self.object.station)}
            if step == "follow_up"
            else {}
        )
        form = form_class(request.POST, prefix=step, **extra)
        if form.is_valid():
            try:
                save_in_scope(request.user, lambda: self.take_step(step, form.cleaned_data))
            except ValidationError as error:
                add_rule_errors(form, error)
            except OutOfScope as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Case updated."))
                return HttpResponseRedirect(reverse("services:case_detail", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(bound={step: form}, failed_step=step))


# --- community focus problems -----------------------------------------------------------------------------------


class FocusProblemListView(RolePermissionRequiredMixin, StationTabMixin, ScopedQuerysetMixin, ListView):
    """A station's community focus problems by status, with the form to report one."""

    model = FocusProblem
    permission_required = "services.view_focusproblem"
    template_name = "services/focus_problems.html"
    paginate_by = PAGE_SIZE
    tab = "problems"

    def scoped_queryset(self, queryset):
        problems = queryset.filter(station=self.station)
        self.status = self.request.GET.get("status", "")
        if self.status in FocusProblemStatus.values:
            problems = problems.filter(status=self.status)
        return problems.select_related("community").order_by(
            F("solved_on").desc(nulls_first=True), "-reported_on", "-pk"
        )

    def get_context_data(self, **kwargs):
        counts = dict(
            FocusProblem.objects.visible_to(self.request.user)
            .filter(station=self.station)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        if "form" not in kwargs and self.request.user.has_perm("services.add_focusproblem"):
            kwargs["form"] = FocusProblemForm(station=self.station)
        context = super().get_context_data(
            status=self.status,
            statuses=[(value, label, counts.get(value, 0)) for value, label in FocusProblemStatus.choices],
            today=date.today(),
            **kwargs,
        )
        for problem in context["object_list"]:
            problem.next_status = next_in(FocusProblemStatus, problem.status)
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("services.add_focusproblem"):
            return self.handle_no_permission()
        form = FocusProblemForm(request.POST, station=self.station)
        if form.is_valid():
            form.instance.created_by = request.user
            try:
                save_in_scope(request.user, form.save)
            except OutOfScope as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Problem reported: %(title)s") % {"title": form.instance.title})
                return HttpResponseRedirect(reverse("services:focus_problems", args=[self.station.pk]))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class FocusProblemAdvanceView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """POST ``to_status`` (and ``solved_on`` when solving): the problem moves one step."""

    model = FocusProblem
    permission_required = "services.change_focusproblem"

    def post(self, request, *args, **kwargs):
        problem = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        try:
            solved_on = date.fromisoformat(request.POST["solved_on"]) if request.POST.get("solved_on") else None
        except ValueError:
            solved_on = None
        try:
            save_in_scope(
                request.user,
                lambda: focus_problem_advance(
                    problem=problem, to_status=request.POST.get("to_status", ""), solved_on=solved_on
                ),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(title)s updated.") % {"title": problem.title})
        return HttpResponseRedirect(reverse("services:focus_problems", args=[problem.station_id]))
