"""Serializers of assignments and evaluations, shared by their viewsets (``assignments.py``, ``evaluations.py``).

Reading serializers show what ``evaluation.selectors`` reads (the sheet: dimensions, indicators, scores and their
evidence), so the API, the pages and the PDF agree. Writing serializers only read what the client sent: every rule
(a score's range, a missing reason, a step the status does not allow) is ``evaluation.rules.workflow``'s.

People: users (the evaluator, reviewers, publishers, the township official) are shown by username, as elsewhere in
the API; evidence shows a record's date, kind and station, never the people it is about.
"""

from dataclasses import asdict

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import CleanModelSerializer
from accounts.viewsets import ScopedRelatedField
from config.params import ID_MAX, YEAR_MAX, YEAR_MIN
from stations.choices import OrganizationKind
from stations.models import Organization, Station

from ..choices import EvaluationStatus, EvidenceKind, Grade, IndicatorSource, TemplatePurpose, TemplateStatus
from ..models import (
    Amendment,
    Assignment,
    Evaluation,
    EvaluationFile,
    Evidence,
    ScorecardTemplate,
    TownshipResponse,
    Transition,
)
from ..rules.workflow import evaluation_progress

REASON_MAX = 1000
SUMMARY_MAX = 5000
COMMENT_MAX = 2000
NOTE_MAX = 200


def username(user) -> str | None:
    return user.username if user is not None else None


# --- assignments ----------------------------------------------------------------------------------------------


class StationRefSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "name", "township_name"]
        read_only_fields = fields


class StatusCountsSerializer(serializers.Serializer):
    """How far an assignment has got, over the stations the caller sees: evaluations by status, and stations not
    started yet."""

    not_started = serializers.IntegerField()
    draft = serializers.IntegerField()
    submitted = serializers.IntegerField()
    reviewed = serializers.IntegerField()
    published = serializers.IntegerField()


def status_counts(assignment) -> dict:
    """Evaluations of ``assignment`` by status, from the rows the viewset attached (``visible_evaluations``, the
    caller's scope), and the stations shown without one."""
    evaluations = getattr(assignment, "visible_evaluations", None)
    if evaluations is None:
        evaluations = list(assignment.evaluations.only("id", "status", "station_id"))
    counts = {value: 0 for value in EvaluationStatus.values}
    for evaluation in evaluations:
        counts[evaluation.status] += 1
    started = {evaluation.station_id for evaluation in evaluations}
    shown = [station.pk for station in assignment.stations.all()]
    return {"not_started": sum(1 for pk in shown if pk not in started), **counts}


class AssignmentSerializer(CleanModelSerializer):
    """An assignment: an evaluation agency, the year and stage evaluated, the scorecard version, the stations.

    ``stations`` are written as ids (each in the caller's scope) and read as the stations the caller sees; on an
    update, stations outside the caller's scope stay as they were. ``region`` is the commissioning official's.
    """

    agency = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.filter(kind=OrganizationKind.EVALUATION_AGENCY),
        help_text="An evaluation agency (organization of kind evaluation_agency).",
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    template = serializers.PrimaryKeyRelatedField(
        queryset=ScorecardTemplate.objects.filter(purpose=TemplatePurpose.EVALUATION),
        help_text="An active station-evaluation scorecard version.",
    )
    template_name = serializers.CharField(source="template.name", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)
    stations = ScopedRelatedField(queryset=Station.objects.all(), many=True, write_only=True)
    station_list = serializers.SerializerMethodField()
    period = serializers.CharField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    evaluations = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "title",
            "agency",
            "agency_name",
            "year",
            "stage",
            "period",
            "template",
            "template_name",
            "template_version",
            "region",
            "region_name",
            "starts_on",
            "ends_on",
            "due_on",
            "deadline",
            "stations",
            "station_list",
            "evaluations",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["region", "created_at"]

    @extend_schema_field(StationRefSerializer(many=True))
    def get_station_list(self, assignment) -> list:
        return StationRefSerializer(assignment.stations.all(), many=True).data

    @extend_schema_field(StatusCountsSerializer)
    def get_evaluations(self, assignment) -> dict:
        return status_counts(assignment)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, assignment) -> str | None:
        return username(assignment.created_by)

    def validate_template(self, template):
        unchanged = self.instance is not None and self.instance.template_id == template.pk
        if template.status != TemplateStatus.ACTIVE and not unchanged:
            raise serializers.ValidationError(_("Choose an active scorecard."))
        return template

    def validate_stations(self, stations):
        if not stations:
            raise serializers.ValidationError(_("Choose at least one station."))
        return stations


# --- evaluations: the parts ------------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    scored = serializers.IntegerField(help_text="Indicators scored.")
    indicators = serializers.IntegerField(help_text="Indicators on the scorecard.")
    points = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="Points given so far.")


class EvidenceSerializer(serializers.ModelSerializer):
    """One piece of evidence: what it is (kind, target id), its date and station; the people in it are not shown."""

    indicator = serializers.IntegerField(source="score.indicator_id", read_only=True)
    target = serializers.SerializerMethodField()
    date = serializers.SerializerMethodField()
    station = serializers.SerializerMethodField()
    detail = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "score", "indicator", "kind", "target", "date", "station", "detail", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_target(self, evidence) -> int:
        return evidence.record_id or evidence.case_id or evidence.attachment_id or evidence.file_id

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_date(self, evidence):
        if evidence.kind == EvidenceKind.RECORD:
            return evidence.record.date
        if evidence.kind == EvidenceKind.CASE:
            return evidence.case.opened_on
        if evidence.kind == EvidenceKind.ATTACHMENT:
            return evidence.attachment.record.date
        return evidence.file.uploaded_at.date()

    @extend_schema_field(serializers.IntegerField())
    def get_station(self, evidence) -> int:
        """Evidence is always of the evaluated station (``rules.workflow.evidence_target``): the context's, if given."""
        station = self.context.get("station")
        if station is not None:
            return station
        if evidence.kind == EvidenceKind.RECORD:
            return evidence.record.station_id
        if evidence.kind == EvidenceKind.CASE:
            return evidence.case.station_id
        if evidence.kind == EvidenceKind.ATTACHMENT:
            return evidence.attachment.record.station_id
        return evidence.file.evaluation.station_id

    @extend_schema_field(serializers.CharField())
    def get_detail(self, evidence) -> str:
        """The record's kind of service, the case's status, the attachment's type or the uploaded file's name."""
        if evidence.kind == EvidenceKind.RECORD:
            return evidence.record.get_kind_display()
        if evidence.kind == EvidenceKind.CASE:
            return evidence.case.get_status_display()
        if evidence.kind == EvidenceKind.ATTACHMENT:
            return evidence.attachment.content_type
        return evidence.file.original_name


class ScoreLineSerializer(serializers.Serializer):
    """One line of the sheet (``evaluation.selectors.Line``): the indicator, its score, comment and evidence."""

    id = serializers.IntegerField(source="score.pk", help_text="The score row (evidence is added to it).")
    indicator = serializers.IntegerField(source="indicator.pk")
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    dimension = serializers.CharField(source="indicator.dimension.name")
    max_points = serializers.DecimalField(source="indicator.max_points", max_digits=4, decimal_places=1)
    source = serializers.ChoiceField(source="indicator.source", choices=IndicatorSource.choices, allow_blank=True)
    score = serializers.DecimalField(source="score.score", max_digits=4, decimal_places=1, allow_null=True)
    suggested = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    comment = serializers.CharField(source="score.comment")
    evidence = EvidenceSerializer(source="score.evidence.all", many=True)
    scored_by = serializers.SerializerMethodField()
    scored_at = serializers.DateTimeField(source="score.updated_at")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_scored_by(self, line) -> str | None:
        return username(line.score.updated_by) if line.score.score is not None else None


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username")

    class Meta:
        model = Transition
        fields = ["from_status", "to_status", "by", "at", "reason"]
        read_only_fields = fields


class TownshipResponseSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username")

    class Meta:
        model = TownshipResponse
        fields = ["id", "answer", "reason", "by", "at"]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code")
    by = serializers.CharField(source="by.username")

    class Meta:
        model = Amendment
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "old_score",
            "new_score",
            "old_total",
            "new_total",
            "reason",
            "objection",
            "by",
            "at",
        ]
        read_only_fields = fields


class EvaluationFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")

    class Meta:
        model = EvaluationFile
        fields = ["id", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class FactSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(allow_null=True)
    ok = serializers.BooleanField(allow_null=True)
    url = serializers.CharField(allow_null=True, allow_blank=True)


class SourceFactsSerializer(serializers.Serializer):
    """What the portal's own rule functions know for an indicator with a source (``rules.facts.SourceFacts``)."""

    source = serializers.CharField()
    title = serializers.CharField()
    facts = FactSerializer(many=True)
    explanation = serializers.CharField(allow_blank=True)


class IndicatorFactsSerializer(serializers.Serializer):
    """One indicator's facts and suggested score (null facts for an indicator without a source)."""

    indicator = serializers.IntegerField(source="indicator.pk")
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    max_points = serializers.DecimalField(source="indicator.max_points", max_digits=4, decimal_places=1)
    facts = SourceFactsSerializer(allow_null=True)
    suggested = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    score = serializers.DecimalField(source="score.score", max_digits=4, decimal_places=1, allow_null=True)


# --- evaluations ------------------------------------------------------------------------------------------------


class EvaluationListSerializer(serializers.ModelSerializer):
    """An evaluation in a list: where it stands. ``grade`` and ``stars`` are null until it is submitted."""

    station_name = serializers.CharField(source="station.name")
    township_name = serializers.CharField(source="station.township.name")
    agency = serializers.IntegerField(source="assignment.agency_id")
    agency_name = serializers.CharField(source="assignment.agency.name")
    template_name = serializers.CharField(source="template.name")
    template_version = serializers.IntegerField(source="template.version")
    deadline = serializers.DateField(source="assignment.deadline")
    grade = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "station",
            "station_name",
            "township_name",
            "assignment",
            "agency",
            "agency_name",
            "template",
            "template_name",
            "template_version",
            "year",
            "stage",
            "status",
            "total",
            "grade",
            "stars",
            "progress",
            "deadline",
            "submitted_at",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Grade.choices, allow_null=True))
    def get_grade(self, evaluation) -> str | None:
        return evaluation.grade or None

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, evaluation) -> dict:
        """From the list's annotations, or (a single evaluation) from its scores."""
        if hasattr(evaluation, "scored_count"):
            progress = {
                "scored": evaluation.scored_count,
                "indicators": evaluation.indicator_count,
                "points": evaluation.points_given or 0,
            }
        else:
            progress = asdict(evaluation_progress(evaluation))
        return ProgressSerializer(progress).data


class EvaluationSerializer(EvaluationListSerializer):
    """An evaluation whole: the list's fields, the scores of its sheet with their evidence, its steps, the
    township's answers, the amendments and the uploaded files. ``summary`` is the one field a PATCH writes."""

    scores = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)
    responses = TownshipResponseSerializer(many=True, read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    files = EvaluationFileSerializer(many=True, read_only=True)
    created_by = serializers.SerializerMethodField()

    class Meta(EvaluationListSerializer.Meta):
        fields = [
            *EvaluationListSerializer.Meta.fields,
            "summary",
            "scores",
            "transitions",
            "responses",
            "amendments",
            "files",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def sheet(self, evaluation):
        from ..selectors import evaluation_sheet

        if getattr(evaluation, "_api_sheet", None) is None:
            evaluation._api_sheet = evaluation_sheet(evaluation, with_facts=False)
        return evaluation._api_sheet

    @extend_schema_field(ScoreLineSerializer(many=True))
    def get_scores(self, evaluation) -> list:
        context = {**self.context, "station": evaluation.station_id}
        return ScoreLineSerializer(self.sheet(evaluation).lines, many=True, context=context).data

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, evaluation) -> dict:
        sheet = self.sheet(evaluation)
        return ProgressSerializer({"scored": sheet.scored, "indicators": sheet.indicators, "points": sheet.points}).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, evaluation) -> str | None:
        return username(evaluation.created_by)


# --- evaluations: what a client sends ---------------------------------------------------------------------------


class SummarySerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, max_length=SUMMARY_MAX)


class ReasonSerializer(serializers.Serializer):
    """An optional note with the step (the rule says when it is required)."""

    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=REASON_MAX)


class ScoreWriteSerializer(serializers.Serializer):
    """One indicator's score (null or "" to clear it) and comment. The range, the one decimal and the comment an
    override needs are the rule's to check, keyed by the indicator's code."""

    indicator = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    score = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True, required=False)
    comment = serializers.CharField(allow_blank=True, required=False, max_length=COMMENT_MAX)

    def to_internal_value(self, data):
        if isinstance(data, dict) and data.get("score") == "":
            data = {**data, "score": None}
        return super().to_internal_value(data)


class ScoresWriteSerializer(serializers.ListSerializer):
    child = ScoreWriteSerializer()
    max_length = 500

    def validate(self, attrs):
        indicators = [row["indicator"] for row in attrs]
        if len(indicators) != len(set(indicators)):
            raise serializers.ValidationError(_("Give each indicator once."))
        return attrs


class EvidenceAddSerializer(serializers.Serializer):
    """Evidence for one indicator of the evaluation, named by its score row (``score``) or its ``indicator``."""

    score = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    indicator = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    target = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="The record, case, attachment or file.")
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=NOTE_MAX)

    def validate(self, attrs):
        if ("score" in attrs) == ("indicator" in attrs):
            raise serializers.ValidationError({"score": [_("Name the score row or the indicator, one of them.")]})
        return attrs

    def score_of(self, evaluation):
        """The evaluation's score row the evidence is for; a field error when it has none such."""
        data = self.validated_data
        name = "score" if "score" in data else "indicator"
        found = evaluation.scores.filter(Q(pk=data["score"]) if name == "score" else Q(indicator_id=data[name]))
        row = found.select_related("evaluation").first()
        if row is None:
            raise serializers.ValidationError({name: [_("Not on this evaluation's scorecard.")]})
        return row


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A photo (JPEG, PNG) or a PDF, checked by its content.")


class AmendSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    new_score = serializers.DecimalField(max_digits=8, decimal_places=4)
    reason = serializers.CharField(allow_blank=True, max_length=REASON_MAX)
    objection = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, required=False, allow_null=True, help_text="The objection this answers."
    )

    def objection_of(self, evaluation):
        pk = self.validated_data.get("objection")
        if pk is None:
            return None
        objection = evaluation.responses.filter(pk=pk).first()
        if objection is None:
            raise serializers.ValidationError({"objection": [_("Choose an objection to this evaluation.")]})
        return objection


class StartSerializer(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, max_value=ID_MAX)
