"""The "123X" portfolio of a station and its projects, with their stages."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView

from accounts.mixins import (
    ObjectStationMixin,
    RolePermissionRequiredMixin,
    ScopedFormMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
    save_in_scope,
)
from accounts.scope import day_in_reach, reach_or_404, years_in_reach
from config.params import query_year

from ..choices import (
    BASIC_SUBTYPES,
    BRAND_SUBTYPES,
    STAGE_ORDER,
    ProjectCategory,
    ProjectStage,
    ProjectSubtype,
    next_in,
)
from ..forms import (
    ProjectForm,
)
from ..models import Project
from ..rules import (
    portfolio_check,
    project_progress,
    project_stage_advance,
    projects_progress,
    township_targets,
)
from .common import StationTabMixin, asked_year


class PortfolioView(RolePermissionRequiredMixin, StationTabMixin, TemplateView):
    """A station's projects of a year against "123X" and the township targets, each problem in plain words."""

    permission_required = "services.view_project"
    template_name = "services/portfolio.html"
    tab = "portfolio"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # An evaluator's default is the evaluated year, and another year does not exist for them (404).
        default = day_in_reach(user, station=self.station, today=date.today()).year
        year = query_year(self.request.GET, default=default)
        reach_or_404(user, station=self.station, start=date(year, 1, 1))
        projects = list(
            Project.objects.visible_to(user)
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
        years = Project.objects.visible_to(user).filter(station=self.station).values_list("year", flat=True)
        return super().get_context_data(
            year=year,
            years=sorted({*years, default, *(years_in_reach(user, self.station) or ())}, reverse=True),
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


class ProjectUpdateView(
    RolePermissionRequiredMixin, ObjectStationMixin, ScopedQuerysetMixin, ProjectFormMixin, UpdateView
):
    permission_required = "services.change_project"
    success_message = gettext_lazy("Project %(object)s saved.")


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
