"""Service records: the filtered list and its Excel export, a record's detail with its evidence, editing it."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView, UpdateView

from accounts.mixins import (
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    save_in_scope,
)
from accounts.privacy import people_view
from config.downloads import evidence_response
from config.lists import Column, ListPageMixin
from reports.spreadsheets import workbook_response
from staffing.models import StaffMember

from ..choices import (
    ServiceKind,
)
from ..excel import records_workbook
from ..forms import (
    RecordFilterForm,
)
from ..models import Attachment, Beneficiary, Project, ServiceRecord
from ..rules import (
    attachment_add,
    service_record_update,
)
from ..selectors import RecordTotals, record_totals
from .common import PAGE_SIZE, StationTabMixin, count_of
from .logging import RecordFormMixin


class RecordListView(RolePermissionRequiredMixin, StationTabMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """A station's service records: period, kind, project, worker and person filters, sortable, 25 a page, with
    who served and the totals of every filtered row; exported by ``RecordExportView`` (its own workbook).

    The table is the shared list component (``config.lists``); the filter bar is the page's own, since it finds
    the person by typing (``services/_beneficiary_picker.html``).
    """

    model = ServiceRecord
    permission_required = "services.view_servicerecord"
    template_name = "services/record_list.html"
    paginate_by = PAGE_SIZE
    tab = "records"
    default_ordering = ("-date", "-pk")
    empty_message = gettext_lazy("No service record matches these filters.")
    empty_icon = "journal-text"
    columns = (
        Column("date", gettext_lazy("Date"), "date", css="text-nowrap"),
        Column("kind", gettext_lazy("Kind"), "kind", css="text-nowrap"),
        Column("project", gettext_lazy("Project"), "project__name"),
        Column("served_by", gettext_lazy("Served by")),
        Column("named", gettext_lazy("Registered beneficiaries"), css="text-end"),
        Column("headcount", gettext_lazy("Unregistered attendances"), css="text-end"),
        Column("duration", gettext_lazy("Minutes"), "duration_minutes", css="text-end"),
        Column("place", gettext_lazy("Place")),
        Column("summary", gettext_lazy("Summary")),
        Column("files", gettext_lazy("Evidence"), css="text-center"),
    )

    @cached_property
    def filters(self) -> RecordFilterForm:
        user = self.request.user
        projects = Project.objects.visible_to(user).filter(station=self.station).order_by("-year", "name")
        workers = StaffMember.objects.visible_to(user).filter(station=self.station)
        form = RecordFilterForm(
            self.request.GET or None,
            projects=projects,
            # Who has left stays on the list: their records are still there.
            workers=workers.order_by(F("left_on").desc(nulls_first=True), "name"),
            beneficiaries=Beneficiary.objects.visible_to(user).filter(station=self.station),
        )
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
        if data.get("worker"):
            served = ServiceRecord.staff.through.objects.filter(staffmember=data["worker"])
            records = records.filter(pk__in=served.values("servicerecord_id"))
        if data.get("beneficiary"):
            named = ServiceRecord.beneficiaries.through.objects.filter(beneficiary=data["beneficiary"])
            records = records.filter(pk__in=named.values("servicerecord_id"))
        self.filtered = records
        return self.ordered(
            records.select_related("project", "created_by")
            .prefetch_related(Prefetch("staff", queryset=StaffMember.objects.only("id", "name").order_by("name")))
            .annotate(
                named=count_of(ServiceRecord.beneficiaries.through, "servicerecord"),
                files=count_of(Attachment, "record"),
            )
        )

    def get_filter_form(self):
        return self.filters

    @cached_property
    def totals(self) -> RecordTotals:
        return record_totals(self.filtered)

    def get_totals(self, queryset) -> dict:
        """Records, distinct registered people, unregistered attendances and time of every filtered row."""
        totals = self.totals
        return {
            "date": _("Total of the filtered records: %(n)s") % {"n": totals.records},
            "named": totals.people,
            "headcount": totals.unregistered,
            "duration": _("%(minutes)s (%(hours)s h)") % {"minutes": totals.minutes, "hours": totals.hours},
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(totals=self.totals, **kwargs)


class RecordExportView(RecordListView):
    """The filtered records of the list page, every page, as .xlsx (names only; no ID numbers)."""

    def get(self, request, *args, **kwargs):
        records = self.get_queryset().prefetch_related(  # the staff come with the list's "served by" column
            Prefetch("beneficiaries", queryset=Beneficiary.objects.only("id", "name")),
            "volunteers__volunteer",
        )
        workbook = records_workbook(station=self.station, records=records, people=people_view(self.request.user))
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
        return evidence_response(attachment, as_attachment=request.GET.get("download") == "1")


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
