"""The evaluation API: satisfaction surveys, their responses, and the public answer link.

- ``surveys/``: read by everyone whose scope holds the station, with the results in the detail; created and changed
  by the station's staff (``evaluation.add_survey`` / ``change_survey``), who also get the public link and its QR code.
- ``survey-responses/``: the responses in scope; a POST is a paper form keyed in by staff (``add_surveyresponse``).
- ``public/surveys/{token}/responses/``: a respondent's answers, with no sign-in. An unknown or closed token is a 404;
  requests are rate-limited per client address; one response per device, the device being a keyed hash of a random
  id kept in a cookie (never the address, nothing personal).
"""

import re
import secrets

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.network import client_address
from accounts.viewsets import ScopedModelViewSet, ScopedRelatedField, ScopedViewSetMixin
from config.filters import IdFilter
from services.serializers import api_errors, unchanged
from stations.models import Station

from ..choices import SurveyChannel
from ..models import Survey, SurveyQuestion, SurveyResponse
from ..rules.surveys import (
    DUPLICATE,
    MAX_QUESTIONS,
    mean_of,
    survey_create,
    survey_device_key,
    survey_is_open,
    survey_qr_svg,
    survey_response_record,
    survey_results,
    survey_update,
)

# --- the respondent's device and the rate limit (shared with the public page) ----------------------------------

DEVICE_COOKIE = "survey_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
PUBLIC_SURVEY_RATE = "30/hour"  # unless DEFAULT_THROTTLE_RATES names "public_survey"


def device_id_of(request) -> tuple[str, bool]:
    """The random id in the respondent's device cookie, and whether it is new (to be set on the response)."""
    device_id = request.COOKIES.get(DEVICE_COOKIE, "")
    if DEVICE_ID.match(device_id):
        return device_id, False
    return secrets.token_urlsafe(24), True


def remember_device(response, request, device_id: str) -> None:
    """Keep the device id in a cookie only the portal reads (not script), for two years."""
    response.set_cookie(
        DEVICE_COOKIE,
        device_id,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


class PublicSurveyThrottle(SimpleRateThrottle):
    """Answers through the public link per client address (``client_address``: a forged X-Forwarded-For does not
    reset it). A community centre's shared Wi-Fi is one address, so the rate allows a room full of respondents."""

    scope = "public_survey"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or PUBLIC_SURVEY_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "unknown"}


def public_survey_wait(request) -> float | None:
    """``None`` if ``request`` may answer now (and count this one), else the seconds to wait."""
    throttle = PublicSurveyThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 0.0


def open_survey_or_404(token: str) -> Survey:
    """The survey of a public link, if it takes answers today; an unknown or closed one is a 404 alike."""
    survey = Survey.objects.filter(token=token).select_related("station").first()
    if survey is None or not survey_is_open(survey):
        raise Http404()
    return survey


def public_url(request, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("evaluation:survey-public", args=[survey.token]))


def may_manage(user, survey: Survey) -> bool:
    """Whether ``user``, who sees ``survey``, manages it (its public link, poster and QR code): the station's staff
    holding ``change_survey``, and the administrator."""
    return user.has_perm("evaluation.change_survey")


def survey_state(survey: Survey, today=None) -> str:
    """``upcoming``, ``open`` or ``closed``, as of today."""
    today = today or timezone.localdate()
    if today < survey.opens_on:
        return "upcoming"
    return "open" if today <= survey.closes_on else "closed"


def with_figures(queryset):
    """Surveys with their response count and the answer count and sum their mean is made of: one query."""
    return queryset.annotate(
        response_count=Count("responses", distinct=True),
        answer_count=Count("responses__answers"),
        answer_sum=Sum("responses__answers__score"),
    )


# --- serializers -----------------------------------------------------------------------------------------------


class SurveyQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyQuestion
        fields = ["id", "order", "text"]
        read_only_fields = ["id", "order"]


class QuestionResultSerializer(serializers.Serializer):
    text = serializers.CharField()
    responses = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Answers scoring 1, 2, 3, 4 and 5")


class SurveyResultsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)
    questions = QuestionResultSerializer(many=True)


class SurveySerializer(serializers.ModelSerializer):
    """A survey with its questions (in order), response count and mean; the public link for those who manage it.

    Questions are written as ``[{"text": ...}]``: none gives the five default ones, else 3 to 10; they are fixed
    once responses have been recorded.
    """

    station = ScopedRelatedField(queryset=Station.objects.all())
    questions = SurveyQuestionSerializer(many=True, required=False, max_length=MAX_QUESTIONS)
    responses = serializers.IntegerField(source="response_count", read_only=True)
    mean = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    public_url = serializers.SerializerMethodField()
    qr_code_url = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "station",
            "year",
            "title",
            "opens_on",
            "closes_on",
            "state",
            "questions",
            "responses",
            "mean",
            "public_url",
            "qr_code_url",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    @extend_schema_field(serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True))
    def get_mean(self, survey) -> str | None:
        mean = mean_of(getattr(survey, "answer_sum", None) or 0, getattr(survey, "answer_count", 0))
        return None if mean is None else str(mean)

    @extend_schema_field(serializers.ChoiceField(choices=["upcoming", "open", "closed"]))
    def get_state(self, survey) -> str:
        return survey_state(survey)

    def _manages(self, survey) -> bool:
        request = self.context.get("request")
        return bool(request) and may_manage(request.user, survey)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_public_url(self, survey) -> str | None:
        return public_url(self.context["request"], survey) if self._manages(survey) else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_qr_code_url(self, survey) -> str | None:
        if not self._manages(survey):
            return None
        return self.context["request"].build_absolute_uri(reverse("api:survey-qr-code", args=[survey.pk]))

    def validate(self, attrs):
        unchanged(attrs, self.instance, ["station", "year"], _("A survey's station and year cannot change."))
        return attrs

    def _texts(self, validated):
        questions = validated.pop("questions", None)
        return None if questions is None else [question["text"] for question in questions]

    def create(self, validated):
        texts = self._texts(validated)
        try:
            return survey_create(**validated, questions=texts, user=self.context["request"].user)
        except DjangoValidationError as error:
            raise api_errors(error) from error

    def update(self, survey, validated):
        texts = self._texts(validated)
        for fixed in ("station", "year"):  # unchanged (validate): nothing to write
            validated.pop(fixed, None)
        try:
            return survey_update(survey=survey, user=self.context["request"].user, questions=texts, **validated)
        except DjangoValidationError as error:
            raise api_errors(error) from error


class SurveyDetailSerializer(SurveySerializer):
    results = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "results"]

    @extend_schema_field(SurveyResultsSerializer)
    def get_results(self, survey) -> dict:
        return SurveyResultsSerializer(survey_results(survey=survey)).data


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    score = serializers.IntegerField(min_value=1, max_value=5)


class AnswersField(serializers.ListField):
    """``[{"question": id, "score": 1-5}]``, read from and written to the answers of a response."""

    child = AnswerSerializer()

    def to_representation(self, answers):
        return [{"question": answer.question_id, "score": answer.score} for answer in answers.all()]


def answers_dict(answers: list[dict]) -> dict[int, int]:
    """The answers as the rule takes them; a question answered twice is refused, not silently kept once."""
    result = {}
    for answer in answers:
        if answer["question"] in result:
            raise serializers.ValidationError({"answers": [_("A question is answered once.")]})
        result[answer["question"]] = answer["score"]
    return result


class SurveyResponseSerializer(serializers.ModelSerializer):
    """A response: its answers, comment and channel; ``entered_by`` is the staff member who keyed a paper form."""

    survey = ScopedRelatedField(queryset=Survey.objects.all())
    answers = AnswersField(max_length=MAX_QUESTIONS, allow_empty=False)

    class Meta:
        model = SurveyResponse
        fields = ["id", "survey", "channel", "answers", "comment", "entered_by", "submitted_at"]
        read_only_fields = ["id", "channel", "entered_by", "submitted_at"]

    def create(self, validated):
        try:
            return survey_response_record(
                survey=validated["survey"],
                answers=answers_dict(validated["answers"]),
                channel=SurveyChannel.PAPER,
                user=self.context["request"].user,
                comment=validated.get("comment", ""),
            )
        except DjangoValidationError as error:
            raise api_errors(error) from error


class PublicResponseSerializer(serializers.Serializer):
    answers = serializers.ListField(child=AnswerSerializer(), max_length=MAX_QUESTIONS, allow_empty=False)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- viewsets --------------------------------------------------------------------------------------------------


class SurveyFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = Survey
        fields = ["station", "year"]


class SurveyViewSet(ScopedModelViewSet):
    """The satisfaction surveys in scope, with questions, response count and mean (the detail: results per
    question); the station's staff create and change them, the administrator deletes them."""

    queryset = Survey.objects.all()
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["opens_on", "closes_on", "year"]
    ordering = ["-opens_on", "pk"]
    action_perms = {"qr_code": "change"}

    def scoped_queryset(self, queryset):
        return with_figures(queryset).prefetch_related("questions").order_by("-opens_on", "pk")

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action != "list" else SurveySerializer

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiResponse(OpenApiTypes.BINARY, description="The QR code")})
    @action(detail=True, methods=["get"], url_path="qr-code")
    def qr_code(self, request, pk=None):
        """The QR code of the survey's public link, as SVG (for those who manage the survey)."""
        survey = self.get_object()
        svg = survey_qr_svg(url=public_url(request, survey), title=survey.title)
        return HttpResponse(svg, content_type="image/svg+xml")


class SurveyResponseFilter(django_filters.FilterSet):
    survey = IdFilter(field_name="survey_id")
    station = IdFilter(field_name="survey__station_id")
    channel = django_filters.ChoiceFilter(choices=SurveyChannel.choices)

    class Meta:
        model = SurveyResponse
        fields = ["survey", "station", "channel"]


class SurveyResponseViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The survey responses in scope; a POST records a paper form (``evaluation.add_surveyresponse``)."""

    queryset = SurveyResponse.objects.prefetch_related("answers")
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilter
    ordering_fields = ["submitted_at"]
    ordering = ["-submitted_at", "pk"]


class PublicSurveyResponseView(APIView):
    """A respondent's answers through the survey's public link: no sign-in and nothing personal asked.

    An unknown token and a survey not open today are both a 404; a second answer from the same device is a 409;
    more requests from one address than ``public_survey`` allows are a 429.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicSurveyThrottle]

    @extend_schema(
        request=PublicResponseSerializer,
        responses={
            201: OpenApiResponse(description="Recorded, thank you"),
            404: OpenApiResponse(description="No survey open under this link"),
            409: OpenApiResponse(description="Already answered on this device"),
            429: OpenApiResponse(description="Too many answers from this address"),
        },
    )
    def post(self, request, token: str):
        survey = open_survey_or_404(token)
        serializer = PublicResponseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device_id, new = device_id_of(request)
        try:
            survey_response_record(
                survey=survey,
                answers=answers_dict(serializer.validated_data["answers"]),
                channel=SurveyChannel.ONLINE,
                device=survey_device_key(survey=survey, device_id=device_id),
                comment=serializer.validated_data["comment"],
            )
        except DjangoValidationError as error:
            if any(e.code == DUPLICATE for e in getattr(error, "error_dict", {}).get("device", [])):
                return Response({"detail": error.error_dict["device"][0].messages[0]}, status=status.HTTP_409_CONFLICT)
            raise api_errors(error) from error
        response = Response({"detail": _("Thank you for your answers.")}, status=status.HTTP_201_CREATED)
        if new:
            remember_device(response, request, device_id)
        return response


# (prefix, viewset, basename) registered on the API router under /api/v1/, and extra paths.
ROUTES: list = [
    ("surveys", SurveyViewSet, "survey"),
    ("survey-responses", SurveyResponseViewSet, "survey-response"),
]
PATHS: list = [
    path(
        "public/surveys/<str:token>/responses/",
        PublicSurveyResponseView.as_view(),
        name="public-survey-responses",
    ),
]
