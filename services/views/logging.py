"""Logging a service fast: the keyboard form with today's and this week's records beside it, and the beneficiary lookup."""

from datetime import date
from functools import cached_property
from uuid import uuid4

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.idempotency import FORM_FIELD, KeyBusy, KeyReused, Replay, form_body_hash, idempotent_run, key_is_valid
from accounts.mixins import (
    OutOfScope,
    RolePermissionRequiredMixin,
    StationPageMixin,
    add_rule_errors,
    save_in_scope,
)
from accounts.people import people_search
from accounts.privacy import people_view
from config.params import query_id, query_text
from staffing.models import StaffMember, Volunteer
from staffing.selectors import staff_current, staff_member_of, volunteers_current

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
        beneficiary = query_id(self.request.GET, "beneficiary")
        if beneficiary is not None:
            initial["beneficiaries"] = [beneficiary]
        if self.me is not None:
            initial["staff"] = [self.me.pk]  # who logs is usually who served: ticked, and easy to untick
        return initial

    @cached_property
    def me(self) -> StaffMember | None:
        """The signed-in user's own staff record on this station's roster, if they have one."""
        return staff_member_of(user=self.request.user, staff=self.choices()["staff"])

    def whose_records(self) -> str:
        """``mine`` (the default: what I logged or served in) or ``station`` (everyone's), from ``?records=``."""
        return "station" if self.request.GET.get("records") == "station" else "mine"

    def recent_records(self, today: date):
        records = ServiceRecord.objects.visible_to(self.request.user).filter(
            station=self.station, date__gte=week_start(today), date__lte=today
        )
        if self.whose_records() == "mine":
            served = ServiceRecord.staff.through.objects.filter(staffmember=self.me).values("servicerecord_id")
            records = records.filter(Q(created_by=self.request.user) | Q(pk__in=served))
        return records

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            kwargs["form"], kwargs["shares"] = self.record_forms(initial=self.initial())
        today = date.today()
        recent = list(
            self.recent_records(today)
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
            whose=self.whose_records(),
            idempotency_key=uuid4().hex,
            kinds=ServiceKind.choices,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Save the record once per form shown: the same form sent again (a double click, a retry after a
        timeout) goes to the record its first sending saved, and creates nothing."""
        key = request.POST.get(FORM_FIELD, "")
        if not key_is_valid(key):
            return self.log_record(request)
        try:
            outcome = idempotent_run(
                user=request.user,
                key=key,
                request_line=f"POST {request.path}",
                body_hash=form_body_hash(request),
                run=lambda: self.log_record(request),
                answer=lambda response: (302, response["Location"]) if response.status_code == 302 else None,
            )
        except (KeyReused, KeyBusy):
            # The same form changed after it was saved (sent back from the browser's history): show it again
            # under a fresh key, so saving it logs another record on purpose.
            form, shares = self.record_forms(request.POST, request.FILES)
            form.is_valid()
            shares.is_valid()
            form.add_error(
                None,
                _(
                    "This form had already been saved. Check the records beside it, then save again "
                    "to log another record."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form, shares=shares))
        if isinstance(outcome, Replay):
            messages.info(request, _("Already saved: this form was sent twice and is recorded once."))
            return HttpResponseRedirect(outcome.body)
        return outcome

    def log_record(self, request):
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
    """Up to 15 active beneficiaries as JSON, by ``?q=``: part of a name, its pinyin initials or pinyin, or the
    whole ID number (logged); part of an ID number finds nobody (``accounts.people.people_search``).
    """

    permission_required = "services.view_beneficiary"

    def get(self, request, *args, **kwargs):
        query = query_text(request.GET, "q", max_length=50)
        if not query:
            return JsonResponse({"results": []})
        people = Beneficiary.objects.visible_to(request.user).filter(station=self.station, active=True)
        people = people_search(people, query, user=request.user)
        people = people.select_related("community").order_by("-key_target", "name", "pk")
        shown = people_view(request.user)
        return JsonResponse(
            {
                "results": [
                    {
                        "id": person.pk,
                        "name": shown.name(person),
                        "masked_id_number": shown.id_number(person),
                        "community": person.community.name if person.community_id else "",
                        "key_target": person.key_target,
                    }
                    for person in people[:LOOKUP_LIMIT]
                ]
            }
        )
