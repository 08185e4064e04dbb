"""Logging a service fast: the keyboard form with today's and this week's records beside it, and the beneficiary lookup."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    StationPageMixin,
    add_rule_errors,
    save_in_scope,
)
from staffing.models import StaffMember, Volunteer
from staffing.selectors import staff_current, volunteers_current

from ..choices import (
    ServiceKind,
)
from ..forms import (
    ServiceRecordForm,
    VolunteerShareFormSet,
)
from ..models import Attachment, Beneficiary, Project, ServiceRecord
from ..rules import (
    attachment_add,
    service_record_create,
)
from .common import LOOKUP_LIMIT, StationTabMixin, count_of, last_choice_key, week_start


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
