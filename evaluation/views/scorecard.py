"""The scorecard, built for a day of scoring: dimensions as sections with subtotals and a running total, the portal's
facts and suggestion beside each indicator, scores saved as they are typed, an evidence picker over the station's
records of the evaluated year, and submission with what is still missing listed.

Every read of the scores goes through ``selectors.evaluation_sheet`` and every write through ``rules.workflow``, so
the page, its autosave, the page without JavaScript and the API refuse the same things with the same messages.
The small endpoints answer JSON to the page's script (``Accept: application/json``) and redirect back to the
scorecard otherwise, so removing evidence and uploading a file work without JavaScript too.
"""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin
from accounts.privacy import people_view
from config.downloads import evidence_response
from services.models import Attachment, Case, ServiceRecord

from ..choices import EvaluationStatus, EvidenceKind
from ..forms.scorecard import (
    EvaluationFileForm,
    EvidenceAddForm,
    EvidenceSearchForm,
    ScorecardForm,
    ScoreSaveForm,
)
from ..models import Evaluation, EvaluationFile, Evidence, Transition
from ..rules.workflow import (
    Conflict,
    evaluation_file_add,
    evaluation_submit,
    evidence_add,
    evidence_remove,
    may_score,
    scores_write,
)
from ..selectors import evaluation_sheet

PICKER_PAGE_SIZE = 20
SCORERS = ("evaluation.view_evaluation", "evaluation.score_evaluation")


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def saved_time(moment) -> str:
    return date_format(timezone.localtime(moment), "H:i")


# --- evidence as shown ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    """One linked piece of evidence as the scorecard lists it: what it is, and where to open it."""

    id: int
    kind: str
    kind_label: str
    label: str
    url: str
    remove_url: str

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "label": self.label,
            "url": self.url,
            "remove_url": self.remove_url,
        }


def evidence_item(evidence: Evidence, evaluation_id: int) -> EvidenceItem:
    """``evidence`` with a label read from its own row only (no query: the sheet loads the rows it points at).

    A case is named by its number, dates and status, not by the person it serves: the list needs no personal data.
    """
    kind = EvidenceKind(evidence.kind)
    if kind == EvidenceKind.RECORD:
        record = evidence.record
        label = f"{record.date:%Y-%m-%d} {record.get_kind_display()} {record.summary[:40]}".strip()
        url = reverse("services:record_detail", args=[record.pk])
    elif kind == EvidenceKind.CASE:
        case = evidence.case
        label = _("Case %(number)s · opened %(opened)s · %(status)s") % {
            "number": case.pk,
            "opened": f"{case.opened_on:%Y-%m-%d}",
            "status": case.get_status_display(),
        }
        url = reverse("services:case_detail", args=[case.pk])
    elif kind == EvidenceKind.ATTACHMENT:
        label = evidence.attachment.original_name
        url = reverse("services:attachment", args=[evidence.attachment_id])
    else:
        label = evidence.file.original_name
        url = reverse("evaluation:file", args=[evaluation_id, evidence.file_id])
    return EvidenceItem(
        id=evidence.pk,
        kind=kind.value,
        kind_label=str(kind.label),
        label=label,
        url=url,
        remove_url=reverse("evaluation:scorecard-evidence-remove", args=[evaluation_id, evidence.pk]),
    )


# --- the evaluation of the address ----------------------------------------------------------------------------


class EvaluationPageMixin(RolePermissionRequiredMixin, ScopedQuerysetMixin):
    """The evaluation in the address, within the user's scope (else 404)."""

    model = Evaluation
    permission_required = SCORERS

    def scoped_queryset(self, queryset):
        return queryset.select_related("station__township", "assignment__agency", "template")

    @cached_property
    def evaluation(self) -> Evaluation:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def back(self, anchor: str = "") -> HttpResponseRedirect:
        url = reverse("evaluation:scorecard", args=[self.evaluation.pk])
        return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url)

    def refused(self, request, messages_: list[str], *, status: int, anchor: str = ""):
        """A rule's refusal: JSON for the page's script, else a message on the scorecard."""
        if wants_json(request):
            return JsonResponse({"ok": False, "errors": messages_}, status=status)
        for message in messages_:
            messages.error(request, message)
        return self.back(anchor)


def rule_messages(error: ValidationError) -> list[str]:
    return (
        [message for messages_ in error.message_dict.values() for message in messages_]
        if hasattr(error, "error_dict")
        else list(error.messages)
    )


class ScorecardView(EvaluationPageMixin, TemplateView):
    """The scorecard of one evaluation: editable while a draft for its evaluators, read-only otherwise.

    Users who do not score (officials, the station) are sent to the evaluation's page. Without JavaScript the page
    is one form posting every score; with it, each change is saved as it is made (``ScoreSaveView``).
    """

    permission_required = "evaluation.view_evaluation"
    template_name = "evaluation/scorecard/scorecard.html"

    def get(self, request, *args, **kwargs):
        if not request.user.has_perm("evaluation.score_evaluation"):
            return HttpResponseRedirect(reverse("evaluation:evaluation-detail", args=[self.evaluation.pk]))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        """Save every changed score and comment at once (the page without JavaScript): all or nothing."""
        if not request.user.has_perm("evaluation.score_evaluation"):
            raise PermissionDenied(_("Only the assigned evaluation agency's evaluators score."))
        sheet = evaluation_sheet(self.evaluation)
        form = ScorecardForm(request.POST, sheet=sheet)
        status = 200
        if form.is_valid():
            try:
                changed = scores_write(evaluation=self.evaluation, user=request.user, scores=form.changed_scores())
            except ValidationError as error:
                for key, errors in error.message_dict.items():
                    form.add_error(form.field_of(key), errors)
            except Conflict as conflict:
                form.add_error(None, conflict.message)
                status = 409
            else:
                if changed:
                    messages.success(request, _("Saved %(count)s scores.") % {"count": len(changed)})
                else:
                    messages.info(request, _("Nothing had changed."))
                return self.back()
        context = self.get_context_data(sheet=sheet, form=form)
        return self.render_to_response(context, status=status)

    def get_context_data(self, sheet=None, form=None, **kwargs):
        evaluation, user = self.evaluation, self.request.user
        sheet = sheet or evaluation_sheet(evaluation)
        form = form or ScorecardForm(sheet=sheet)
        for line in sheet.lines:
            line.score_field, line.comment_field = form.bound(line.indicator.pk)
            line.evidence_items = [evidence_item(evidence, evaluation.pk) for evidence in line.score.evidence.all()]
        returned = (
            Transition.objects.filter(evaluation=evaluation, to_status=EvaluationStatus.DRAFT)
            .select_related("by")
            .order_by("-at", "-pk")
            .first()
            if evaluation.status == EvaluationStatus.DRAFT
            else None
        )
        days_left = (evaluation.assignment.deadline - date.today()).days
        return super().get_context_data(
            evaluation=evaluation,
            station=evaluation.station,
            sheet=sheet,
            form=form,
            editable=may_score(user, evaluation),
            files=list(evaluation.files.all()),
            returned=returned,
            days_left=days_left,
            overdue=days_left < 0,
            maximum=sum((section.maximum for section in sheet.sections), 0),
            evidence_kinds=EvidenceSearchForm.KINDS,
            **kwargs,
        )


class ScoreSaveView(EvaluationPageMixin, View):
    """Save one indicator's score and comment as they are typed; JSON back: the error for that indicator, or what
    was saved with the new subtotals, total and what is still missing."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        evaluation = self.evaluation
        form = ScoreSaveForm(request.POST)
        if not form.is_valid():
            errors = [message for field_errors in form.errors.values() for message in field_errors]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        item = form.cleaned_data
        try:
            scores_write(
                evaluation=evaluation,
                user=request.user,
                scores=[{"indicator": item["indicator"], "score": item["score"] or None, "comment": item["comment"]}],
            )
        except ValidationError as error:
            return JsonResponse(
                {"ok": False, "indicator": item["indicator"], "errors": rule_messages(error)}, status=400
            )
        except Conflict as conflict:
            return JsonResponse({"ok": False, "indicator": item["indicator"], "errors": [conflict.message]}, status=409)
        return JsonResponse(
            {"ok": True, **sheet_state(evaluation_sheet(evaluation, with_facts=False), item["indicator"])}
        )


def sheet_state(sheet, indicator_id: int) -> dict:
    """What the page updates after a save: the saved line, every subtotal, the total and the missing indicators."""
    line = next(line for line in sheet.lines if line.indicator.pk == indicator_id)
    return {
        "indicator": indicator_id,
        "score": "" if line.score.score is None else str(line.score.score),
        "comment": line.score.comment,
        "saved_at": saved_time(line.score.updated_at),
        "subtotals": {str(section.dimension.pk): str(section.subtotal) for section in sheet.sections},
        "total": str(sheet.points),
        "scored": sheet.scored,
        "indicators": sheet.indicators,
        "missing": [
            {"id": indicator.pk, "code": indicator.code, "name": indicator.name} for indicator in sheet.missing
        ],
    }


class EvaluationSubmitView(EvaluationPageMixin, View):
    """Hand the evaluation in (``evaluation_submit``); the scorecard then shows its total, grade and stars."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            evaluation = evaluation_submit(evaluation=self.evaluation, user=request.user)
        except ValidationError as error:
            return self.refused(request, rule_messages(error), status=400, anchor="submit")
        except Conflict as conflict:
            return self.refused(request, [conflict.message], status=409, anchor="submit")
        messages.success(
            request,
            _("Submitted: %(total)s points, %(grade)s, %(stars)s stars.")
            % {"total": evaluation.total, "grade": evaluation.get_grade_display(), "stars": evaluation.stars},
        )
        return self.back()


# --- evidence -------------------------------------------------------------------------------------------------


def year_bounds(evaluation: Evaluation) -> tuple[date, date]:
    return date(evaluation.year, 1, 1), date(evaluation.year, 12, 31)


def picker_records(evaluation, user, query: str):
    first, last = year_bounds(evaluation)
    rows = ServiceRecord.objects.visible_to(user).filter(station=evaluation.station_id, date__range=(first, last))
    if query:
        rows = rows.filter(Q(summary__icontains=query) | Q(place__icontains=query) | Q(project__name__icontains=query))
    return rows.select_related("project").order_by("-date", "-pk")


def picker_cases(evaluation, user, query: str):
    first, last = year_bounds(evaluation)
    rows = Case.objects.visible_to(user).filter(station=evaluation.station_id, opened_on__lte=last)
    rows = rows.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first))
    if query:
        rows = rows.filter(Q(intake_notes__icontains=query) | Q(plan__icontains=query) | Q(outcome__icontains=query))
    return rows.select_related("beneficiary").order_by("-opened_on", "-pk")


def picker_attachments(evaluation, user, query: str):
    first, last = year_bounds(evaluation)
    rows = Attachment.objects.visible_to(user).filter(
        record__station=evaluation.station_id, record__date__range=(first, last)
    )
    if query:
        rows = rows.filter(original_name__icontains=query)
    return rows.select_related("record").order_by("-record__date", "-pk")


def picker_row(kind: str, row, people) -> dict:
    """One search result of the evidence picker (the person a case serves named as the user may see them)."""
    if kind == EvidenceKind.RECORD:
        title = f"{row.date:%Y-%m-%d} {row.get_kind_display()}"
        detail = " · ".join(part for part in [row.project.name if row.project_id else "", row.summary[:80]] if part)
        url = reverse("services:record_detail", args=[row.pk])
    elif kind == EvidenceKind.CASE:
        title = _("Case %(number)s · %(person)s") % {"number": row.pk, "person": people.name(row.beneficiary)}
        closed = f"{row.closed_on:%Y-%m-%d}" if row.closed_on else _("open")
        detail = f"{row.opened_on:%Y-%m-%d} – {closed} · {row.get_status_display()}"
        url = reverse("services:case_detail", args=[row.pk])
    else:
        title = row.original_name
        detail = f"{row.record.date:%Y-%m-%d} {row.record.get_kind_display()}"
        url = reverse("services:attachment", args=[row.pk])
    return {"id": row.pk, "title": title, "detail": detail, "url": url}


PICKERS = {
    EvidenceKind.RECORD: picker_records,
    EvidenceKind.CASE: picker_cases,
    EvidenceKind.ATTACHMENT: picker_attachments,
}


class EvidenceSearchView(EvaluationPageMixin, View):
    """The evidence picker's search: the station's records, cases or attachments of the evaluated year, by text,
    20 a page, as JSON (within the user's reach: ``visible_to``, which for an evaluator is the evaluated years)."""

    def get(self, request, *args, **kwargs):
        form = EvidenceSearchForm(request.GET)
        if not form.is_valid():
            errors = [message for field_errors in form.errors.values() for message in field_errors]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        kind, query = form.cleaned_data["kind"], form.cleaned_data["q"]
        rows = PICKERS[kind](self.evaluation, request.user, query)
        page = Paginator(rows, PICKER_PAGE_SIZE).get_page(form.cleaned_data["page"])
        people = people_view(request.user)
        response = JsonResponse(
            {
                "ok": True,
                "kind": kind,
                "results": [picker_row(kind, row, people) for row in page.object_list],
                "page": page.number,
                "pages": page.paginator.num_pages,
                "count": page.paginator.count,
            }
        )
        response["Cache-Control"] = "private, no-store"
        return response


class EvidenceAddView(EvaluationPageMixin, View):
    """Link a record, case or attachment of the evaluated year to one indicator's score (``evidence_add``)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = EvidenceAddForm(request.POST)
        if not form.is_valid():
            errors = [message for field_errors in form.errors.values() for message in field_errors]
            return self.refused(request, errors, status=400)
        data = form.cleaned_data
        score = self.evaluation.scores.filter(pk=data["score"]).first()
        if score is None:
            return self.refused(request, [_("Choose an indicator of this scorecard.")], status=400)
        score.evaluation = self.evaluation
        try:
            evidence = evidence_add(
                score=score, user=request.user, kind=data["kind"], target_id=data["target"], note=data["note"]
            )
        except ValidationError as error:
            return self.refused(request, rule_messages(error), status=400, anchor=f"indicator-{score.indicator_id}")
        except Conflict as conflict:
            return self.refused(request, [conflict.message], status=409)
        evidence = Evidence.objects.select_related("record", "case", "attachment", "file").get(pk=evidence.pk)
        if wants_json(request):
            return JsonResponse(
                {"ok": True, "score": score.pk, "evidence": evidence_item(evidence, self.evaluation.pk).as_json()},
                status=201,
            )
        messages.success(request, _("Evidence linked."))
        return self.back(f"indicator-{score.indicator_id}")


class EvidenceRemoveView(EvaluationPageMixin, View):
    """Unlink one piece of evidence from its score (``evidence_remove``)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        evidence = (
            Evidence.objects.filter(pk=kwargs["evidence_pk"], score__evaluation=self.evaluation)
            .select_related("score")
            .first()
        )
        if evidence is None:
            raise Http404
        evidence.score.evaluation = self.evaluation
        indicator_id = evidence.score.indicator_id
        try:
            evidence_remove(evidence=evidence, user=request.user)
        except Conflict as conflict:
            return self.refused(request, [conflict.message], status=409)
        if wants_json(request):
            return JsonResponse({"ok": True, "removed": kwargs["evidence_pk"]})
        messages.success(request, _("Evidence removed."))
        return self.back(f"indicator-{indicator_id}")


class EvaluationFileUploadView(EvaluationPageMixin, View):
    """Upload a file (an image or a PDF, checked like a service attachment) and link it to an indicator's score."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = EvaluationFileForm(request.POST, request.FILES)
        if not form.is_valid():
            errors = [message for field_errors in form.errors.values() for message in field_errors]
            return self.refused(request, errors, status=400)
        score = None
        if form.cleaned_data["score"] is not None:
            score = self.evaluation.scores.filter(pk=form.cleaned_data["score"]).first()
            if score is None:
                return self.refused(request, [_("Choose an indicator of this scorecard.")], status=400)
            score.evaluation = self.evaluation
        try:
            added = evaluation_file_add(
                evaluation=self.evaluation, user=request.user, upload=form.cleaned_data["upload"]
            )
            evidence = None
            if score is not None:
                evidence = evidence_add(score=score, user=request.user, kind=EvidenceKind.FILE, target_id=added.pk)
        except ValidationError as error:
            return self.refused(request, rule_messages(error), status=400)
        except Conflict as conflict:
            return self.refused(request, [conflict.message], status=409)
        anchor = f"indicator-{score.indicator_id}" if score is not None else "files"
        if wants_json(request):
            body = {"ok": True, "file": {"id": added.pk, "name": added.original_name}}
            if evidence is not None:
                evidence = Evidence.objects.select_related("file").get(pk=evidence.pk)
                body.update(score=score.pk, evidence=evidence_item(evidence, self.evaluation.pk).as_json())
            return JsonResponse(body, status=201)
        messages.success(request, _("File uploaded: %(name)s.") % {"name": added.original_name})
        return self.back(anchor)


class EvaluationFileView(RolePermissionRequiredMixin, View):
    """A file uploaded to an evaluation, to users who reach the evaluation (404 otherwise), never cached."""

    permission_required = "evaluation.view_evaluation"

    def get(self, request, *args, **kwargs):
        evaluations = Evaluation.objects.visible_to(request.user)
        upload = get_object_or_404(
            EvaluationFile.objects.filter(evaluation__in=evaluations), pk=kwargs["file_pk"], evaluation=kwargs["pk"]
        )
        return evidence_response(upload, as_attachment=request.GET.get("download") == "1")


urlpatterns = [
    path("<id:pk>/score/", ScorecardView.as_view(), name="scorecard"),
    path("<id:pk>/score/save/", ScoreSaveView.as_view(), name="scorecard-save"),
    path("<id:pk>/score/submit/", EvaluationSubmitView.as_view(), name="scorecard-submit"),
    path("<id:pk>/score/evidence/", EvidenceSearchView.as_view(), name="scorecard-evidence-search"),
    path("<id:pk>/score/evidence/add/", EvidenceAddView.as_view(), name="scorecard-evidence-add"),
    path(
        "<id:pk>/score/evidence/<id:evidence_pk>/remove/",
        EvidenceRemoveView.as_view(),
        name="scorecard-evidence-remove",
    ),
    path("<id:pk>/score/files/", EvaluationFileUploadView.as_view(), name="scorecard-file-add"),
    path("<id:pk>/files/<id:file_pk>/", EvaluationFileView.as_view(), name="file"),
]
