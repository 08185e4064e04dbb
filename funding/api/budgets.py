"""The funding API: budgets (their versions, lines and sources, and the steps of their workflow) and a station's
budget against actual spending.

Every write calls ``funding.rules.budgets``: its ``ValidationError`` is a 400 on the same fields (``lines``,
``sources``, ``reason``), its ``PermissionDenied`` a 403 and its ``Conflict`` (a step the status does not allow, a
second budget for a year, a change to a frozen version) a 409. ``lines`` and ``sources`` are lists of
``{line|source, amount}``; each line or source at most once, and one left out is 0.00 (a budget always holds all
four lines and eight sources). Money is a decimal string with two places. A station manager may delete only a draft
never submitted; every other version is kept.
"""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.viewsets import ScopedModelViewSet, ScopedRelatedField
from config.filters import ID_REGEX, IdFilter
from config.params import YEAR_MAX, YEAR_MIN
from services.api import ruled
from stations.models import Station

from ..choices import BudgetLine, BudgetStatus, FundingSource
from ..models import Budget, BudgetLineAmount, BudgetSourceAmount
from ..rules.budgets import (
    budget_amounts,
    budget_approve,
    budget_create,
    budget_delete,
    budget_history,
    budget_policies,
    budget_problems,
    budget_return,
    budget_revise,
    budget_submit,
    budget_update,
)
from ..rules.execution import budget_execution

YEAR = {"min_value": YEAR_MIN, "max_value": YEAR_MAX}
MONEY = {"max_digits": 14, "decimal_places": 2}


class BudgetFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    year = django_filters.NumberFilter(**YEAR)
    status = django_filters.MultipleChoiceFilter(choices=BudgetStatus.choices)
    version = django_filters.NumberFilter(min_value=1, max_value=1000)

    class Meta:
        model = Budget
        fields = ["station", "year", "status", "version"]


class BudgetLineInputSerializer(serializers.Serializer):
    line = serializers.ChoiceField(choices=BudgetLine.choices)
    amount = serializers.DecimalField(**MONEY, min_value=0)


class BudgetSourceInputSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=FundingSource.choices)
    amount = serializers.DecimalField(**MONEY, min_value=0)


def user_name(user) -> str | None:
    return (user.get_full_name() or user.username) if user else None


class BudgetSerializer(serializers.ModelSerializer):
    """A budget version; ``problems``: what stops an open version (draft, submitted, returned) going ahead, by field
    (empty for an approved or superseded one)."""

    station_name = serializers.CharField(source="station.name", read_only=True)
    lines = serializers.SerializerMethodField()
    sources = serializers.SerializerMethodField()
    total = serializers.DecimalField(**MONEY, read_only=True)
    problems = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = Budget
        fields = [
            "id",
            "station",
            "station_name",
            "year",
            "version",
            "status",
            "note",
            "return_reason",
            "lines",
            "sources",
            "total",
            "problems",
            "created_at",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields

    def get_lines(self, budget) -> list[dict]:
        return [{"line": row.line, "amount": f"{row.amount:.2f}"} for row in budget.lines.all()]

    def get_sources(self, budget) -> list[dict]:
        return [{"source": row.source, "amount": f"{row.amount:.2f}"} for row in budget.sources.all()]

    def get_problems(self, budget) -> dict[str, list[str]]:
        if budget.status not in (BudgetStatus.DRAFT, BudgetStatus.SUBMITTED, BudgetStatus.RETURNED):
            return {}
        policies = self.context.get("policies") or budget_policies([budget])
        lines, sources = budget_amounts(budget)
        return budget_problems(lines=lines, sources=sources, policy=policies[budget.pk])

    def get_submitted_by(self, budget) -> str | None:
        return user_name(budget.submitted_by)

    def get_decided_by(self, budget) -> str | None:
        return user_name(budget.decided_by)


class BudgetAmountsSerializer(serializers.Serializer):
    """The lines and sources of a write, each at most once."""

    lines = BudgetLineInputSerializer(many=True, required=False)
    sources = BudgetSourceInputSerializer(many=True, required=False)
    note = serializers.CharField(allow_blank=True, required=False, max_length=2000)

    def validate_lines(self, rows):
        return self.once(rows, "line", _("Give each budget line once."))

    def validate_sources(self, rows):
        return self.once(rows, "source", _("Give each funding source once."))

    @staticmethod
    def once(rows, key: str, message: str) -> dict:
        amounts = {row[key]: row["amount"] for row in rows}
        if len(amounts) != len(rows):
            raise serializers.ValidationError(message)
        return amounts


class BudgetCreateSerializer(BudgetAmountsSerializer):
    """A station's first budget of a year (a draft, version 1)."""

    station = ScopedRelatedField(queryset=Station.objects.all())
    year = serializers.IntegerField(**YEAR)


class BudgetReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class BudgetChangeSerializer(serializers.Serializer):
    """One change of the budget, a line or a source: who, when, and each field's old and new value."""

    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=["budget", "line", "source"])
    item = serializers.CharField()
    change = serializers.CharField(help_text="+ created, ~ changed, - deleted")
    fields = serializers.SerializerMethodField(method_name="changed_fields")

    def changed_fields(self, change) -> list[dict]:
        return [{"field": name, "old": old, "new": new} for name, old, new in change.fields]


def step_schema(description: str, request=None, code: int = 200):
    return extend_schema(
        description=description,
        request=request,
        responses={
            code: BudgetSerializer,
            400: OpenApiResponse(description="Field errors (lines, sources, reason)"),
            403: OpenApiResponse(description="The caller may not take this step"),
            409: OpenApiResponse(description="The budget's status does not allow this step"),
        },
    )


@extend_schema_view(
    list=extend_schema(description="Budget versions of the stations in the caller's scope, with lines and sources."),
    retrieve=extend_schema(description="A budget version with its lines, sources, total and problems."),
    create=step_schema("Create a station's first budget of a year (a draft).", BudgetCreateSerializer, 201),
    update=step_schema("Change a draft or returned budget's lines, sources and note.", BudgetAmountsSerializer),
    partial_update=step_schema("Change a draft or returned budget's lines, sources or note.", BudgetAmountsSerializer),
    destroy=extend_schema(description="Delete a draft never submitted (the station manager); 409 otherwise."),
)
class BudgetViewSet(ScopedModelViewSet):
    """The budgets of the stations in the caller's scope, every version."""

    queryset = Budget.objects.select_related("station__township", "submitted_by", "decided_by").prefetch_related(
        Prefetch("lines", queryset=BudgetLineAmount.objects.order_by("pk")),
        Prefetch("sources", queryset=BudgetSourceAmount.objects.order_by("pk")),
    )
    serializer_class = BudgetSerializer
    filterset_class = BudgetFilter
    ordering_fields = ["year", "version", "status", "station__name", "submitted_at"]
    ordering = ["-year", "station__name", "-version", "pk"]
    action_perms = {
        "destroy": "change",
        "submit": "submit",
        "approve": "approve",
        "return_": "approve",
        "revise": "add",
        "history": "view",
    }

    def get_serializer(self, *args, **kwargs):
        """On lists, the policies of the page's budgets in one query (``problems`` needs them)."""
        if args and kwargs.get("many"):
            args = (list(args[0]), *args[1:])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["policies"] = budget_policies(args[0])
        return super().get_serializer(*args, **kwargs)

    def answer(self, budget, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=budget.pk)
        return Response(BudgetSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = BudgetCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        budget = ruled(
            budget_create,
            station=data["station"],
            year=data["year"],
            lines=data.get("lines", {}),
            sources=data.get("sources", {}),
            note=data.get("note", ""),
            user=request.user,
        )
        return self.answer(budget, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Lines or sources given replace the budget's (one left out is 0.00); left out altogether, they stay."""
        budget = self.get_object()
        serializer = BudgetAmountsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines, sources = budget_amounts(budget)
        ruled(
            budget_update,
            budget=budget,
            lines=data.get("lines", lines),
            sources=data.get("sources", sources),
            note=data.get("note", budget.note),
            user=request.user,
        )
        return self.answer(budget)

    def perform_destroy(self, instance):
        budget_delete(budget=instance, user=self.request.user)

    @step_schema("Hand a draft or returned budget in for approval (the station manager); 400 while it has problems.")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.answer(ruled(budget_submit, budget=self.get_object(), user=request.user))

    @step_schema("Approve a submitted budget (the township official); the version approved before is superseded.")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.answer(ruled(budget_approve, budget=self.get_object(), user=request.user))

    @step_schema(
        "Return a submitted budget to the station with a reason (the township official).", BudgetReasonSerializer
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        budget = self.get_object()
        data = BudgetReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.answer(ruled(budget_return, budget=budget, user=request.user, reason=data.validated_data["reason"]))

    @step_schema("Start a revision of the approved budget in force: a new version, a draft (the station manager).")
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        revision = ruled(budget_revise, budget=self.get_object(), user=request.user)
        return self.answer(revision, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BudgetChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Every change of the budget, its lines and its sources, newest first: who, when, old and new."""
        return Response(BudgetChangeSerializer(budget_history(budget=self.get_object()), many=True).data)


# --- budget against actual spending -------------------------------------------------------------------------------


class BudgetExecutionQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(**YEAR, required=False)


class BudgetExecutionRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    planned = serializers.DecimalField(**MONEY)
    actual = serializers.DecimalField(**MONEY, allow_null=True)
    share = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    level = serializers.ChoiceField(choices=["ok", "warning", "over"])


class BudgetExecutionSerializer(serializers.Serializer):
    station = serializers.IntegerField(source="station_id")
    year = serializers.IntegerField()
    budget = serializers.SerializerMethodField()
    lines = BudgetExecutionRowSerializer(many=True)
    sources = BudgetExecutionRowSerializer(many=True)
    planned_total = serializers.DecimalField(**MONEY)
    actual_total = serializers.DecimalField(**MONEY)
    total_share = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    total_level = serializers.CharField()
    personnel_share = serializers.DecimalField(max_digits=8, decimal_places=4, allow_null=True)
    personnel_max_share = serializers.DecimalField(source="policy.personnel_max_share", max_digits=5, decimal_places=4)
    personnel_over = serializers.BooleanField()
    personnel_hidden = serializers.BooleanField()

    def get_budget(self, execution) -> dict | None:
        budget = execution.budget
        if budget is None:
            return None
        return {"id": budget.pk, "version": budget.version, "status": budget.status}


class StationBudgetExecutionView(APIView):
    """A station's budget in force of a year (``?year=``, this year by default) against its actual spending."""

    perm_model = Budget

    @extend_schema(parameters=[BudgetExecutionQuerySerializer], responses=BudgetExecutionSerializer)
    def get(self, request, pk):
        """Planned, actual, share and level per line and per source, the totals and the personnel share of actual
        spending (a social worker's figures leave the personnel line out)."""
        station = get_object_or_404(Station.objects.visible_to(request.user).select_related("township"), pk=pk)
        query = BudgetExecutionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        return Response(BudgetExecutionSerializer(budget_execution(station=station, year=year, user=request.user)).data)


ROUTES: list = [("budgets", BudgetViewSet, "budget")]
PATHS: list = [
    # A regex, not ``<id:pk>``: this module is imported before ``config/urls.py`` registers the ``id`` converter.
    re_path(
        rf"^stations/(?P<pk>{ID_REGEX})/budget-execution/$",
        StationBudgetExecutionView.as_view(),
        name="station-budget-execution",
    )
]
