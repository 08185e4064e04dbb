"""The funding pages: a station's expenditures (the filtered list, its total and export), entering and correcting
one with its voucher and change history, and a month's import from the template.

Officials reach the same list of a station they oversee; a social worker's leaves out the personnel line (the
queryset's ``visible_to``); evaluators have no funding pages. Every check is ``funding.rules.expenditures``'.
"""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView

from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
    add_rule_errors,
    save_in_scope,
)
from config.downloads import evidence_response
from config.lists import EXPORT_PARAM, Column, ListPageMixin
from reports.spreadsheets import xlsx_response

from ..api.expenditures import ExpenditureFilter
from ..forms.expenditures import ExpenditureForm, ExpenditureImportForm
from ..models import Expenditure
from ..rules.expenditure_workbook import (
    ExpenditureFileError,
    ExpenditureImportError,
    expenditure_template_xlsx,
    expenditures_import,
    expenditures_xlsx,
)
from ..rules.expenditures import FIELDS, expenditure_create, expenditure_update, voucher_file
from ..templatetags.money import yuan

PAGE_SIZE = 25


class ExpenditureListView(RolePermissionRequiredMixin, StationPageMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """A station's payments: month, line and source filters, sortable, 25 a page, with the total of every filtered
    payment, a voucher link on each, and the export of the filtered list (``ExpenditureExportView``)."""

    model = Expenditure
    permission_required = "funding.view_expenditure"
    template_name = "funding/expenditures/list.html"
    paginate_by = PAGE_SIZE
    filterset_class = ExpenditureFilter
    filter_labels = {
        "month": gettext_lazy("Month"),
        "line": gettext_lazy("Budget line"),
        "source": gettext_lazy("Funding source"),
    }
    default_ordering = ("-date", "-pk")
    empty_message = gettext_lazy("No payment matches these filters.")
    empty_icon = "receipt"
    columns = (
        Column("date", gettext_lazy("Date"), "date", css="text-nowrap"),
        Column("line", gettext_lazy("Budget line"), "line", css="text-nowrap"),
        Column("source", gettext_lazy("Funding source"), "source", css="text-nowrap"),
        Column("amount", gettext_lazy("Amount (CNY)"), "amount", css="text-end text-nowrap"),
        Column("payee", gettext_lazy("Payee"), "payee"),
        Column("description", gettext_lazy("Payment summary")),
        Column("voucher", gettext_lazy("Voucher"), css="text-center"),
        Column("actions", gettext_lazy("Actions"), label_hidden=True),
    )

    def scoped_queryset(self, queryset):
        self.filtered = self.listed(queryset.filter(station=self.station))
        return self.ordered(self.filtered.select_related("created_by"))

    def get_totals(self, queryset) -> dict:
        """The sum of every filtered payment (one aggregate), not only of the page shown."""
        total = self.filtered.aggregate(total=Sum("amount"))["total"]
        return {"date": _("Total of the filtered payments"), "amount": yuan(total or 0)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop(EXPORT_PARAM, None)
        query = f"?{params.urlencode()}" if params else ""
        context["export_url"] = reverse("funding:expenditure-export", args=[self.station.pk]) + query
        return context


class ExpenditureExportView(ExpenditureListView):
    """The list page's filtered payments, every page, as .xlsx with a totals row."""

    def get(self, request, *args, **kwargs):
        rows = self.get_queryset().select_related("station")
        name = _("%(station)s expenditures.xlsx") % {"station": self.station.name}
        return xlsx_response(expenditures_xlsx(rows), name)


class ExpenditureFormMixin:
    """The payment form's page: the rule's refusals land on their fields; a save goes back to the list, or to a
    fresh form with "save and add another"."""

    template_name = "funding/expenditures/form.html"
    form_class = ExpenditureForm
    success_message = ""

    def form_valid(self, form):
        try:
            expenditure = save_in_scope(self.request.user, lambda: self.save(form))
        except ValidationError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        except OutOfScope as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"amount": yuan(expenditure.amount)})
        if "another" in self.request.POST:
            return HttpResponseRedirect(reverse("funding:expenditure-create", args=[self.station.pk]))
        return HttpResponseRedirect(reverse("funding:expenditure-list", args=[self.station.pk]))


class ExpenditureCreateView(RolePermissionRequiredMixin, StationPageMixin, ExpenditureFormMixin, FormView):
    """Enter a payment of the station, with its voucher."""

    permission_required = "funding.add_expenditure"
    success_message = gettext_lazy("Payment of %(amount)s yuan entered.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station}

    def get_initial(self):
        return {"date": timezone.localdate()}

    def save(self, form):
        voucher = form.cleaned_data.get("voucher") or None
        return expenditure_create(station=self.station, user=self.request.user, voucher=voucher, **form.values())


class ExpenditureEditView(RolePermissionRequiredMixin, ScopedQuerysetMixin, ExpenditureFormMixin, FormView):
    """Correct a payment (how a wrong one is fixed: nobody but the administrator deletes one); every earlier state
    is shown below the form, with who changed it and when."""

    model = Expenditure
    permission_required = "funding.change_expenditure"
    success_message = gettext_lazy("Payment of %(amount)s yuan saved.")

    @cached_property
    def expenditure(self) -> Expenditure:
        rows = self.get_queryset().select_related("station__township")
        return get_object_or_404(rows, pk=self.kwargs["pk"])

    @property
    def station(self):
        return self.expenditure.station

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "station": self.station, "expenditure": self.expenditure}

    def get_initial(self):
        return {name: getattr(self.expenditure, name) for name in FIELDS}

    def save(self, form):
        voucher = form.cleaned_data.get("voucher") or None
        return expenditure_update(
            expenditure=self.expenditure, user=self.request.user, voucher=voucher, **form.values()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            station=self.station, expenditure=self.expenditure, history=change_history(self.expenditure), **kwargs
        )


def change_history(expenditure: Expenditure) -> list:
    """The expenditure's saved states, newest first, each with the fields it changed (``changed``)."""
    records = list(expenditure.history.select_related("history_user").order_by("-history_date", "-history_id"))
    watched = [*FIELDS, "voucher_name"]
    for record, before in zip(records, [*records[1:], None], strict=True):
        record.changed = (
            set(watched)
            if before is None
            else {change.field for change in record.diff_against(before, included_fields=watched).changes}
        )
    return records


class ExpenditureVoucherView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """A payment's voucher, to users whose scope covers it (404 otherwise, and when it has none), never cached."""

    model = Expenditure
    permission_required = "funding.view_expenditure"

    def get(self, request, *args, **kwargs):
        voucher = voucher_file(get_object_or_404(self.get_queryset(), pk=kwargs["pk"]))
        if voucher is None:
            raise Http404
        return evidence_response(voucher, as_attachment=request.GET.get("download") == "1")


class ExpenditureTemplateView(RolePermissionRequiredMixin, View):
    """The empty workbook of a month's payments, to fill in and import."""

    permission_required = "funding.add_expenditure"

    def get(self, request, *args, **kwargs):
        return xlsx_response(expenditure_template_xlsx(), _("expenditure import template.xlsx"))


class ExpenditureImportView(RolePermissionRequiredMixin, StationPageMixin, FormView):
    """Upload a month's filled-in template with its vouchers: every row checked first; all saved in one go, or
    nothing and every bad row listed."""

    permission_required = "funding.add_expenditure"
    template_name = "funding/expenditures/import.html"
    form_class = ExpenditureImportForm

    def get(self, request, *args, **kwargs):
        self.station  # noqa: B018  (a station outside the scope is a 404 before anything else)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.station  # noqa: B018
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        """``includes/import_page.html``'s way back and template download."""
        return super().get_context_data(
            cancel_url=reverse("funding:expenditure-list", args=[self.station.pk]),
            template_url=reverse("funding:expenditure-template"),
            **kwargs,
        )

    def form_valid(self, form):
        vouchers = {upload.name: upload for upload in form.cleaned_data["vouchers"]}
        try:
            created = expenditures_import(
                station=self.station,
                file=form.cleaned_data["file"],
                vouchers=vouchers,
                user=self.request.user,
                today=timezone.localdate(),
            )
        except ExpenditureFileError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        except ExpenditureImportError as refused:
            return self.render_to_response(self.get_context_data(form=form, result=refused))
        messages.success(
            self.request,
            _("Payments imported: %(n)s.") % {"n": len(created)},
        )
        month = f"{created[0].date:%Y-%m}"
        return HttpResponseRedirect(reverse("funding:expenditure-list", args=[self.station.pk]) + f"?month={month}")


urlpatterns: list = [
    path("stations/<id:pk>/expenditures/", ExpenditureListView.as_view(), name="expenditure-list"),
    path("stations/<id:pk>/expenditures/new/", ExpenditureCreateView.as_view(), name="expenditure-create"),
    path("stations/<id:pk>/expenditures/import/", ExpenditureImportView.as_view(), name="expenditure-import"),
    path("stations/<id:pk>/expenditures/export.xlsx", ExpenditureExportView.as_view(), name="expenditure-export"),
    path("expenditures/template.xlsx", ExpenditureTemplateView.as_view(), name="expenditure-template"),
    path("expenditures/<id:pk>/edit/", ExpenditureEditView.as_view(), name="expenditure-edit"),
    path("expenditures/<id:pk>/voucher/", ExpenditureVoucherView.as_view(), name="expenditure-voucher"),
]
