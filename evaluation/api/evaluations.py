"""The evaluation API: evaluations, their scores, evidence, files, facts and the steps of their workflow.

Evaluations are begun from their assignment (``assignments/{id}/start/``), never POSTed here; only the administrator
deletes one (a draft: a published one is a 409). Every write is a call into ``evaluation.rules.workflow``: its
``ValidationError`` is a 400 on the same fields (scores keyed by the indicator's code), its ``PermissionDenied`` a 403
and its ``Conflict`` (a step the status does not allow, any write to a published evaluation) a 409, answered by the
scoped viewset's write wrapper. The actions' permissions name the right each step needs, so a role without it is
a 403 before the evaluation is looked up; an evaluation outside the caller's scope is a 404.

Scores are read from the sheet (``evaluation.selectors.evaluation_sheet``), as the scorecard page and the PDF read
them; ``facts/`` adds what the portal knows for each indicator and the suggested score (``rules.facts``).
"""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.viewsets import ScopedViewSetMixin
from config.downloads import evidence_response
from config.filters import ID_REGEX, IdFilter
from config.params import YEAR_MAX, YEAR_MIN
from services.api import ruled
from stations.models import Region

from ..choices import EvaluationStatus, Grade, Stage, TownshipAnswer
from ..models import Evaluation, EvaluationFile, Evidence
from ..rules.workflow import (
    Conflict,
    assert_may,
    assert_not_published,
    evaluation_amend,
    evaluation_answer,
    evaluation_file_add,
    evaluation_publish,
    evaluation_return,
    evaluation_review,
    evaluation_submit,
    evidence_add,
    evidence_remove,
    scores_write,
    summary_write,
)
from ..selectors import evaluation_sheet, evaluation_with_history
from .serializers import (
    AmendSerializer,
    EvaluationFileSerializer,
    EvaluationListSerializer,
    EvaluationSerializer,
    EvidenceAddSerializer,
    EvidenceSerializer,
    FileUploadSerializer,
    IndicatorFactsSerializer,
    ReasonSerializer,
    ScoreLineSerializer,
    ScoresWriteSerializer,
    ScoreWriteSerializer,
    SummarySerializer,
)

NOT_GRADED = "none"


class EvaluationFilter(django_filters.FilterSet):
    """Year, stage, status, grade (``none``: not graded yet), station, assignment, agency, and ``region``: the
    division code of a county or township, for the evaluations of the stations under it."""

    year = django_filters.NumberFilter(min_value=YEAR_MIN, max_value=YEAR_MAX)
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    status = django_filters.MultipleChoiceFilter(choices=EvaluationStatus.choices)
    grade = django_filters.ChoiceFilter(choices=[*Grade.choices, (NOT_GRADED, NOT_GRADED)], method="filter_grade")
    station = IdFilter(field_name="station_id")
    assignment = IdFilter(field_name="assignment_id")
    agency = IdFilter(field_name="assignment__agency_id")
    region = django_filters.CharFilter(method="filter_region", validators=[RegexValidator(r"^[0-9]{12}$")])

    class Meta:
        model = Evaluation
        fields = ["year", "stage", "status", "grade", "station", "assignment", "agency", "region"]

    def filter_grade(self, queryset, name, value):
        return queryset.filter(grade="") if value == NOT_GRADED else queryset.filter(grade=value)

    def filter_region(self, queryset, name, value):
        region = Region.objects.filter(code=value).only("path").first()
        return queryset.filter(station__township__path__startswith=region.path) if region else queryset.none()


FILE_PATH = OpenApiParameter("file_id", OpenApiTypes.INT, OpenApiParameter.PATH)
EVIDENCE_PATH = OpenApiParameter("evidence_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def step_schema(description: str, request=ReasonSerializer):
    return extend_schema(
        description=description,
        request=request,
        responses={
            200: EvaluationSerializer,
            400: OpenApiResponse(description="A field error (a missing reason, a bad score)"),
            403: OpenApiResponse(description="The caller may not take this step"),
            409: OpenApiResponse(description="The evaluation's status does not allow this step"),
        },
    )


@extend_schema_view(
    list=extend_schema(description="Evaluations in the caller's scope, with progress, total, grade and stars."),
    retrieve=extend_schema(description="An evaluation with its scores, evidence, steps, answers and amendments."),
    update=extend_schema(request=SummarySerializer, description="The overall comment of a draft (the evaluator)."),
    partial_update=extend_schema(
        request=SummarySerializer, description="The overall comment of a draft (the evaluator)."
    ),
    destroy=extend_schema(
        description="Delete a draft or a returned evaluation (the administrator); 409 once published."
    ),
)
class EvaluationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Evaluations of the stations in the caller's scope (an agency's evaluators: those of its current assignments)."""

    queryset = Evaluation.objects.all()
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    ordering_fields = ["year", "stage", "status", "total", "stars", "station__name", "submitted_at", "published_at"]
    ordering = ["-year", "station__name", "pk"]
    action_perms = {
        "update": "score",
        "partial_update": "score",
        "submit": "score",
        "return_": "review",
        "review": "review",
        "publish": "publish",
        "confirm": "answer",
        "object_": "answer",
        "amend": "amend",
        "scores": "view",
        "scores_write": "score",
        "evidence": "view",
        "evidence_add": "score",
        "evidence_remove": "score",
        "files": "view",
        "files_add": "score",
        "file": "view",
        "facts": "view",
    }

    def scoped_queryset(self, queryset):
        if self.action == "list":
            # A row's progress from one aggregate over its scores; its history is the detail's.
            return queryset.select_related("station__township", "assignment__agency", "template").annotate(
                indicator_count=Count("scores"),
                scored_count=Count("scores", filter=Q(scores__score__isnull=False)),
                points_given=Sum("scores__score"),
            )
        return (
            evaluation_with_history(queryset)
            .select_related("created_by")
            .prefetch_related(Prefetch("files", queryset=EvaluationFile.objects.select_related("uploaded_by")))
        )

    def get_serializer_class(self):
        return EvaluationListSerializer if self.action == "list" else EvaluationSerializer

    def answer(self, evaluation, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=evaluation.pk)
        return Response(EvaluationSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    # --- the evaluation itself ---------------------------------------------------------------------------------

    def update(self, request, *args, **kwargs):
        evaluation = self.get_object()
        assert_not_published(evaluation)
        serializer = SummarySerializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        if "summary" in serializer.validated_data:
            ruled(summary_write, evaluation=evaluation, user=request.user, summary=serializer.validated_data["summary"])
        else:
            assert_may(
                request.user,
                "score_evaluation",
                evaluation,
                _("Only the assigned evaluation agency's evaluators score."),
            )
        return self.answer(evaluation)

    def perform_destroy(self, instance):
        if instance.is_published:
            raise Conflict(_("A published evaluation is never deleted; a city official can amend it."))
        super().perform_destroy(instance)

    # --- the steps ---------------------------------------------------------------------------------------------

    def step(self, request, rule, **extra) -> Response:
        evaluation = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ruled(rule, evaluation=evaluation, user=request.user, reason=data.validated_data["reason"], **extra)
        return self.answer(evaluation)

    @step_schema("Hand in a draft whose every indicator is scored (the evaluator); sets total, grade and stars.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.step(request, evaluation_submit)

    @step_schema("Send a submitted (a reviewer) or reviewed (a city official) evaluation back to draft, with a reason.")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.step(request, evaluation_return)

    @step_schema("Pass a submitted evaluation on for publication (an official of the station's region).")
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self.step(request, evaluation_review)

    @step_schema("Publish a reviewed evaluation (a city official): it becomes the station's result, and immutable.")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.step(request, evaluation_publish)

    @step_schema("Confirm a published result (the township official), with an optional note.")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self.step(request, evaluation_answer, answer=TownshipAnswer.CONFIRM)

    @step_schema("Object to a published result (the township official), saying why.")
    @action(detail=True, methods=["post"], url_path="object", url_name="object")
    def object_(self, request, pk=None):
        return self.step(request, evaluation_answer, answer=TownshipAnswer.OBJECT)

    @step_schema(
        "Correct one score of a published evaluation (a city official), optionally answering an objection; "
        "total, grade and stars are recomputed.",
        request=AmendSerializer,
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        evaluation = self.get_object()
        serializer = AmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ruled(
            evaluation_amend,
            evaluation=evaluation,
            user=request.user,
            indicator=data["indicator"],
            new_score=data["new_score"],
            reason=data["reason"],
            objection=serializer.objection_of(evaluation),
        )
        return self.answer(evaluation)

    # --- scores ------------------------------------------------------------------------------------------------

    def sheet_scores(self, evaluation) -> Response:
        lines = evaluation_sheet(evaluation, with_facts=False).lines
        context = {**self.get_serializer_context(), "station": evaluation.station_id}
        return Response(ScoreLineSerializer(lines, many=True, context=context).data)

    @extend_schema(methods=["GET"], request=None, responses=ScoreLineSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def scores(self, request, pk=None):
        """The scores of the sheet, in dimension and indicator order, each with its comment and evidence."""
        return self.sheet_scores(self.get_object())

    @extend_schema(
        methods=["PUT", "PATCH"],
        request=ScoreWriteSerializer(many=True),
        responses={
            200: ScoreLineSerializer(many=True),
            400: OpenApiResponse(description="Errors keyed by the indicator's code"),
            409: OpenApiResponse(description="The evaluation is published"),
        },
        description="Write some scores of a draft, all or nothing: ``[{indicator, score, comment}]``; a null score "
        "clears it. A score differing from the portal's suggestion needs a comment.",
    )
    @scores.mapping.put
    @scores.mapping.patch
    def scores_write(self, request, pk=None):
        evaluation = self.get_object()
        serializer = ScoresWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ruled(scores_write, evaluation=evaluation, user=request.user, scores=serializer.validated_data)
        return self.sheet_scores(evaluation)

    # --- evidence ----------------------------------------------------------------------------------------------

    def evidence_of(self, evaluation):
        return Evidence.objects.filter(score__evaluation=evaluation).select_related(
            "score", "record", "case", "attachment__record", "file"
        )

    @extend_schema(methods=["GET"], request=None, responses=EvidenceSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def evidence(self, request, pk=None):
        """Every piece of evidence linked to the evaluation's scores."""
        evaluation = self.get_object()
        context = {**self.get_serializer_context(), "station": evaluation.station_id}
        rows = self.evidence_of(evaluation).order_by(
            "score__indicator__dimension__order", "score__indicator__order", "pk"
        )
        return Response(EvidenceSerializer(rows, many=True, context=context).data)

    @extend_schema(
        methods=["POST"],
        request=EvidenceAddSerializer,
        responses={201: EvidenceSerializer, 400: OpenApiResponse(description="A field error")},
    )
    @evidence.mapping.post
    def evidence_add(self, request, pk=None):
        """Link a service record, case or attachment of the evaluated station and year, or an uploaded file, to one
        indicator's score of a draft."""
        evaluation = self.get_object()
        serializer = EvidenceAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        added = ruled(
            evidence_add,
            score=serializer.score_of(evaluation),
            user=request.user,
            kind=data["kind"],
            target_id=data["target"],
            note=data["note"],
        )
        row = self.evidence_of(evaluation).get(pk=added.pk)
        context = {**self.get_serializer_context(), "station": evaluation.station_id}
        return Response(EvidenceSerializer(row, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[EVIDENCE_PATH], request=None, responses={204: None})
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"evidence/(?P<evidence_id>{ID_REGEX})",
        url_name="evidence-remove",
        pagination_class=None,
        filter_backends=[],
    )
    def evidence_remove(self, request, pk=None, evidence_id=None):
        """Unlink a piece of evidence from a draft's score."""
        evaluation = self.get_object()
        evidence = self.evidence_of(evaluation).filter(pk=evidence_id).first()
        if evidence is None:
            raise Http404
        ruled(evidence_remove, evidence=evidence, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- files -------------------------------------------------------------------------------------------------

    @extend_schema(methods=["GET"], request=None, responses=EvaluationFileSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def files(self, request, pk=None):
        """The files uploaded to the evaluation as evidence."""
        evaluation = self.get_object()
        return Response(EvaluationFileSerializer(evaluation.files.all(), many=True).data)

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": FileUploadSerializer},
        responses={201: EvaluationFileSerializer, 400: OpenApiResponse(description="Not an image or a PDF")},
    )
    @files.mapping.post
    def files_add(self, request, pk=None):
        """Upload a photo or a PDF to a draft (checked by its content, like service attachments)."""
        evaluation = self.get_object()
        serializer = FileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        added = ruled(
            evaluation_file_add, evaluation=evaluation, user=request.user, upload=serializer.validated_data["file"]
        )
        fresh = EvaluationFile.objects.select_related("uploaded_by").get(pk=added.pk)
        return Response(EvaluationFileSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[FILE_PATH],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="The uploaded file")},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"files/(?P<file_id>{ID_REGEX})",
        url_name="file",
        pagination_class=None,
        filter_backends=[],
    )
    def file(self, request, pk=None, file_id=None):
        """Download a file of the evaluation; an evaluation outside the caller's scope does not exist (404)."""
        found = self.get_object().files.filter(pk=file_id).first()
        if found is None:
            raise Http404
        return evidence_response(found, as_attachment=True)

    # --- facts -------------------------------------------------------------------------------------------------

    @extend_schema(request=None, responses=IndicatorFactsSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def facts(self, request, pk=None):
        """For each indicator: what the portal's own rules know for the station and the evaluated year (with a link
        to each fact), the suggested score and the score given. Indicators without a source have null facts."""
        evaluation = self.get_object()
        lines = evaluation_sheet(evaluation, with_facts=True).lines
        return Response(IndicatorFactsSerializer(lines, many=True).data)


ROUTES = [("evaluations", EvaluationViewSet, "evaluation")]
PATHS: list = []
