"""Evaluation pages: scorecard templates (list, a template with its versions, edit a draft, diff, Excel import and
export). The evaluation policy pages are in ``policies.py``.

Every change goes through ``evaluation.rules.templates``; a frozen template's refusal (``Frozen``) is shown as a
message on its page, never as a changed row.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin
from accounts.scope import scope_of
from config.lists import Column, ListPageMixin
from config.params import query_id
from reports.spreadsheets import xlsx_response
from stations.policy_views import policy_regions

from ..api.templates import ScorecardTemplateFilter, tree_prefetch
from ..forms.templates import (
    DiffAgainstForm,
    TemplateFieldsForm,
    TemplateImportForm,
    TemplateRowFormSet,
)
from ..models import ScorecardTemplate
from ..rules.templates import (
    FULL_MARKS,
    TemplateFileError,
    in_use_condition,
    template_activate,
    template_assert_changeable,
    template_diff,
    template_export_xlsx,
    template_import_xlsx,
    template_new_version,
    template_region_editable,
    template_retire,
    template_rows,
    template_update,
    template_versions,
)
from ..rules.workflow import Conflict

PAGE_SIZE = 25


def tree_total(template) -> Decimal:
    return sum(
        (indicator.max_points for dimension in template.dimensions.all() for indicator in dimension.indicators.all()),
        Decimal("0.0"),
    )


def refusal_messages(error) -> list[str]:
    if isinstance(error, Conflict):
        return [error.message]
    return list(error.messages)


# --- templates ----------------------------------------------------------------------------------------------------


class TemplateListView(RolePermissionRequiredMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """Every scorecard version (filters as the API's), newest version of each code first, with its total points."""

    model = ScorecardTemplate
    permission_required = "evaluation.view_scorecardtemplate"
    template_name = "evaluation/templates/template_list.html"
    paginate_by = PAGE_SIZE
    filterset_class = ScorecardTemplateFilter
    filter_labels = {
        "purpose": gettext_lazy("Purpose"),
        "status": gettext_lazy("Status"),
    }
    search_fields = ("name", "code")
    search_placeholder = gettext_lazy("Name or code")
    default_ordering = ("code", "-version", "pk")
    export_filename = gettext_lazy("scorecards %(date)s.xlsx")
    empty_message = gettext_lazy("No scorecard matches these filters.")
    empty_icon = "clipboard-check"
    columns = (
        Column("name", gettext_lazy("Scorecard"), "name", value="name", width=36),
        Column("code", gettext_lazy("Code"), "code", value="code", width=20),
        Column("version", gettext_lazy("Version"), "version", css="text-end", value="version", width=8),
        Column("purpose", gettext_lazy("Purpose"), "purpose", value="get_purpose_display", width=22),
        Column(
            "region",
            gettext_lazy("Region"),
            "region__path",
            value=lambda t: t.region.name if t.region else _("National"),
        ),
        Column("status", gettext_lazy("Status"), "status", value="get_status_display", width=10),
        Column("total", gettext_lazy("Maximum points"), css="text-end", value=lambda t: t.total, width=10),
        Column("in_use", gettext_lazy("In use"), value=lambda t: _("Yes") if t.in_use else _("No"), width=8),
        Column("actions", gettext_lazy("Actions"), label_hidden=True),
    )

    def scoped_queryset(self, queryset):
        templates = self.listed(queryset).select_related("region").annotate(in_use=in_use_condition())
        return self.ordered(templates.prefetch_related(tree_prefetch()))

    def prepare_rows(self, rows):
        for template in rows:
            template.total = tree_total(template)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_import"] = user.has_perm("evaluation.add_scorecardtemplate") and policy_regions(user).exists()
        return context


class TemplateObjectMixin:
    model = ScorecardTemplate

    def scoped_queryset(self, queryset):
        return queryset.select_related("region", "previous").annotate(in_use=in_use_condition())


class TemplateDetailView(RolePermissionRequiredMixin, TemplateObjectMixin, ScopedQuerysetMixin, DetailView):
    """A template: its dimensions as sections with subtotals, its versions, and what the user may do with it.

    POST ``action``: ``activate``, ``retire`` or ``new_version`` (a copy for the template's region, or for the
    user's own when they may not keep the template's).
    """

    permission_required = "evaluation.view_scorecardtemplate"
    template_name = "evaluation/templates/template_detail.html"
    ACTIONS = {
        "activate": "evaluation.change_scorecardtemplate",
        "retire": "evaluation.change_scorecardtemplate",
        "new_version": "evaluation.add_scorecardtemplate",
    }

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset).prefetch_related(tree_prefetch())

    def copy_region(self):
        """Where "new version" puts the copy: the template's region if the user keeps it, else their own."""
        user, template = self.request.user, self.object
        if template_region_editable(user=user, region=template.region):
            return template.region
        region = scope_of(user).region
        return region if template_region_editable(user=user, region=region) else False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template, user = self.object, self.request.user
        dimensions = []
        for dimension in template.dimensions.all():
            indicators = list(dimension.indicators.all())
            dimensions.append(
                {"dimension": dimension, "indicators": indicators, "subtotal": sum(i.max_points for i in indicators)}
            )
        total = sum((d["subtotal"] for d in dimensions), Decimal("0.0"))
        editable = ScorecardTemplate.objects.editable_by(user).filter(pk=template.pk).exists()
        draft = template.status == "draft"
        copy_region = self.copy_region()
        context.update(
            dimensions=dimensions,
            total=total,
            complete=total == FULL_MARKS,
            versions=template_versions(template),
            can_edit=editable
            and draft
            and not template.in_use
            and user.has_perm("evaluation.change_scorecardtemplate"),
            can_activate=editable and draft and user.has_perm("evaluation.change_scorecardtemplate"),
            can_retire=editable
            and template.status == "active"
            and user.has_perm("evaluation.change_scorecardtemplate"),
            can_copy=copy_region is not False and user.has_perm("evaluation.add_scorecardtemplate"),
            copy_region=copy_region or None,
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        name = request.POST.get("action", "")
        if name not in self.ACTIONS:
            messages.error(request, _("Choose what to do with this scorecard."))
            return HttpResponseRedirect(self.object_url(self.object))
        if not request.user.has_perm(self.ACTIONS[name]):
            raise PermissionDenied
        try:
            if name == "activate":
                template = template_activate(template=self.object, user=request.user)
                messages.success(request, _("%(name)s is now in force.") % {"name": template})
            elif name == "retire":
                template = template_retire(template=self.object, user=request.user)
                messages.success(request, _("%(name)s is retired.") % {"name": template})
            else:
                region = self.copy_region()
                if region is False:
                    raise PermissionDenied
                template = template_new_version(template=self.object, user=request.user, region=region)
                messages.success(request, _("Draft %(name)s made: edit it, then activate it.") % {"name": template})
        except (Conflict, ValidationError) as error:
            for message in refusal_messages(error):
                messages.error(request, message)
            template = self.object
        return HttpResponseRedirect(self.object_url(template))

    @staticmethod
    def object_url(template) -> str:
        return reverse("evaluation:template-detail", args=[template.pk])


class TemplateEditView(RolePermissionRequiredMixin, TemplateObjectMixin, ScopedQuerysetMixin, DetailView):
    """Edit a draft nothing uses: its name, purpose and description, and its indicators as rows (add, change,
    reorder by the order of the rows, delete). A template the user may not keep is a 404; a frozen one goes back
    to its page with the reason."""

    permission_required = "evaluation.change_scorecardtemplate"
    template_name = "evaluation/templates/template_edit.html"

    def scoped_queryset(self, queryset):
        return super().scoped_queryset(queryset & ScorecardTemplate.objects.editable_by(self.request.user))

    def frozen(self):
        try:
            template_assert_changeable(self.object)
        except Conflict as error:
            messages.error(self.request, error.message)
            return HttpResponseRedirect(reverse("evaluation:template-detail", args=[self.object.pk]))
        return None

    def forms(self, data=None):
        initial = [row.__dict__ for row in template_rows(self.object)]
        return (
            TemplateFieldsForm(data, instance=self.object, prefix="template"),
            TemplateRowFormSet(data, initial=None if data is not None else initial, prefix="rows"),
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        refused = self.frozen()
        if refused:
            return refused
        fields, rows = self.forms()
        return self.render_to_response(self.get_context_data(fields_form=fields, rows_formset=rows))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        refused = self.frozen()
        if refused:
            return refused
        fields, rows = self.forms(request.POST)
        if fields.is_valid() and rows.is_valid():
            try:
                template_update(
                    template=self.object,
                    user=request.user,
                    name=fields.cleaned_data["name"],
                    purpose=fields.cleaned_data["purpose"],
                    description=fields.cleaned_data["description"],
                    rows=rows.rows(),
                )
            except Conflict as error:
                messages.error(request, error.message)
            except ValidationError as error:
                fields.add_error(None, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": self.object})
                return HttpResponseRedirect(reverse("evaluation:template-detail", args=[self.object.pk]))
        return self.render_to_response(
            self.get_context_data(fields_form=fields, rows_formset=rows, total=getattr(rows, "total", None))
        )


class TemplateDiffView(RolePermissionRequiredMixin, TemplateObjectMixin, ScopedQuerysetMixin, DetailView):
    """What changed from another version (``?against=<id>``, by default the one this was copied from) to this."""

    permission_required = "evaluation.view_scorecardtemplate"
    template_name = "evaluation/templates/template_diff.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.object
        others = ScorecardTemplate.objects.visible_to(self.request.user).exclude(pk=template.pk)
        versions = others.filter(code=template.code).order_by("-version")
        against_id = query_id(self.request.GET, "against", default=template.previous_id)
        against = get_object_or_404(others, pk=against_id) if against_id else None
        form = DiffAgainstForm(initial={"against": against}, versions=versions)
        context.update(form=form, against=against, diff=template_diff(against, template) if against else None)
        return context


class TemplateExportView(RolePermissionRequiredMixin, TemplateObjectMixin, ScopedQuerysetMixin, DetailView):
    """The template as .xlsx, to keep or to edit and import as a new version."""

    permission_required = "evaluation.view_scorecardtemplate"

    def get(self, request, *args, **kwargs):
        template = self.get_object()
        return xlsx_response(template_export_xlsx(template), f"{template.code}-v{template.version}.xlsx")


class TemplateImportView(RolePermissionRequiredMixin, FormView):
    """Upload a scorecard file: every row checked first; a new draft, or nothing and every bad row listed."""

    permission_required = "evaluation.add_scorecardtemplate"
    template_name = "evaluation/templates/template_import.html"
    form_class = TemplateImportForm

    def get_form_kwargs(self):
        user = self.request.user
        return {**super().get_form_kwargs(), "regions": policy_regions(user), "national": scope_of(user).everything}

    def form_valid(self, form):
        try:
            result = template_import_xlsx(
                file=form.cleaned_data["file"], user=self.request.user, region=form.cleaned_data["region"]
            )
        except TemplateFileError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, result=result))
        messages.success(
            self.request, _("Draft %(name)s imported: check it, then activate it.") % {"name": result.created}
        )
        return HttpResponseRedirect(reverse("evaluation:template-detail", args=[result.created.pk]))


urlpatterns = [
    path("templates/", TemplateListView.as_view(), name="template-list"),
    path("templates/import/", TemplateImportView.as_view(), name="template-import"),
    path("templates/<id:pk>/", TemplateDetailView.as_view(), name="template-detail"),
    path("templates/<id:pk>/edit/", TemplateEditView.as_view(), name="template-edit"),
    path("templates/<id:pk>/diff/", TemplateDiffView.as_view(), name="template-diff"),
    path("templates/<id:pk>/export/", TemplateExportView.as_view(), name="template-export"),
]
