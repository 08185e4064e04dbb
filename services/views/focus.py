"""Community focus problems and their progress."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    save_in_scope,
)
from config.params import query_date

from ..choices import (
    FocusProblemStatus,
    next_in,
)
from ..forms import (
    FocusProblemForm,
)
from ..models import FocusProblem
from ..rules import (
    focus_problem_advance,
)
from .common import PAGE_SIZE, StationTabMixin


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
        solved_on = query_date(request.POST, "solved_on", None)
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
