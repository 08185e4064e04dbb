"""The dashboard API's query and answer (``GET /api/v1/dashboard/``), drawn from ``reports.dashboard``.

The answer is built by ``dashboard_data`` from ``figures_data``, the one form the pages' charts and the PDFs read too;
the serializers below describe it for the schema (and schemathesis holds the answers to it).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.params import ID_MAX
from config.periods import MONTH, PeriodError, current_period, parse_period
from config.serializer_fields import AsciiIntegerField
from evaluation.choices import Grade
from funding.choices import FundingSource
from services.choices import ServiceKind

from .dashboard import DEFAULT_RANK, RANK_FIGURES, Dashboard, figures_data
from .rollups.compute import RULES


class PeriodQueryField(serializers.CharField):
    """A month (``2026-10``), a quarter (``2026-Q3``) or a year (``2026``) begun, as a ``Period``."""

    def __init__(self, **kwargs):
        super().__init__(max_length=10, **kwargs)

    def run_validation(self, data=serializers.empty):
        # The length is checked on the text, before it becomes a Period.
        (is_empty, data) = self.validate_empty_values(data)
        if is_empty:
            return data
        text = serializers.CharField(max_length=10).run_validation(data)
        try:
            return parse_period(text, today=timezone.localdate())
        except PeriodError as error:
            raise serializers.ValidationError(error.message, code="period") from error


class DashboardQuerySerializer(serializers.Serializer):
    region = AsciiIntegerField(
        required=False,
        min_value=1,
        max_value=ID_MAX,
        help_text=_(
            "A region in the caller's reach (the caller's own, or the nation for the administrator, if left "
            "out; station staff always get their station)."
        ),
    )
    period = PeriodQueryField(
        required=False,
        help_text=_("2026-10 (a month), 2026-Q3 (a quarter) or 2026 (a year), begun; this month if left out."),
    )
    rank_by = serializers.ChoiceField(
        choices=list(RANK_FIGURES),
        required=False,
        default=DEFAULT_RANK,
        help_text=_("The figure children are ranked by."),
    )

    def validate(self, attrs):
        attrs.setdefault("period", current_period(MONTH, today=timezone.localdate()))
        return attrs


def rate_field(**kwargs):
    kwargs.setdefault("help_text", _("A fraction of 1 with four places; null without a denominator."))
    return serializers.CharField(allow_null=True, **kwargs)


def money_field(**kwargs):
    kwargs.setdefault("help_text", _("Yuan, two places."))
    return serializers.CharField(**kwargs)


def counts(keys, help_text=""):
    """An object of one integer per key (service kinds, rules, grades) for the schema."""
    keys = ", ".join(keys)
    return serializers.DictField(
        child=serializers.IntegerField(), help_text=f"{help_text} ({keys})" if help_text else keys
    )


class DashboardCoverageSerializer(serializers.Serializer):
    townships = serializers.IntegerField()
    covered = serializers.IntegerField(help_text=_("Townships with a station in operation."))
    rate = rate_field()


class DashboardComplianceSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("The month whose last day (today while it runs) was checked."))
    checked = serializers.IntegerField()
    compliant = serializers.IntegerField()
    rate = rate_field()
    failing = counts(RULES, help_text=_("Stations failing each rule."))


class DashboardServicesSerializer(serializers.Serializer):
    records = serializers.IntegerField()
    by_kind = counts(ServiceKind.values)
    people_served = serializers.IntegerField(help_text=_("Named people served, each once."))
    headcount = serializers.IntegerField(help_text=_("People at services without names (the headcount)."))
    hours = serializers.CharField(help_text=_("Service hours, one place."))


class DashboardVisitsSerializer(serializers.Serializer):
    key_targets = serializers.IntegerField()
    visited = serializers.IntegerField()
    rate = rate_field()


class DashboardFundingSerializer(serializers.Serializer):
    budget = money_field(help_text=_("The year's approved budgets."))
    spent = money_field()
    execution = rate_field(help_text=_("Spent over the year's budget (null without a budget)."))
    personnel_share = rate_field()
    by_source = serializers.DictField(child=serializers.CharField(), help_text=", ".join(FundingSource.values))
    city_share = money_field(allow_null=True, help_text=_("The settled splits' city shares; null for station staff."))
    township_share = money_field(allow_null=True)
    pending = serializers.IntegerField(allow_null=True, help_text=_("Townships whose split is pending."))


class DashboardFiguresSerializer(serializers.Serializer):
    stations = serializers.IntegerField(help_text=_("Stations in operation."))
    coverage = DashboardCoverageSerializer()
    compliance = DashboardComplianceSerializer()
    services = DashboardServicesSerializer()
    visits = DashboardVisitsSerializer()
    volunteer_hours = serializers.CharField()
    funding = DashboardFundingSerializer()
    evaluation = counts(Grade.values, help_text=_("Stations per published grade of the year."))


class DashboardPeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=["month", "quarter", "year"])
    first = serializers.DateField()
    last = serializers.DateField()
    label = serializers.CharField()


class DashboardSubjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text=_("Null for the nation."))
    name = serializers.CharField()
    level = serializers.CharField(help_text=_("nation, province, city, county, township or station"))


class DashboardPreviousSerializer(serializers.Serializer):
    period = DashboardPeriodSerializer()
    figures = DashboardFiguresSerializer()


class DashboardChildSerializer(DashboardSubjectSerializer):
    kind = serializers.ChoiceField(choices=["region", "station"])
    rank = serializers.IntegerField(allow_null=True, help_text=_("1 is best; null without the figure."))
    figures = DashboardFiguresSerializer()


class DashboardSerializer(serializers.Serializer):
    region = DashboardSubjectSerializer(help_text=_("What the figures are of: the nation, a region or a station."))
    period = DashboardPeriodSerializer()
    as_of = serializers.DateTimeField(allow_null=True, help_text=_("When the newest figure read was computed."))
    figures = DashboardFiguresSerializer()
    previous = DashboardPreviousSerializer()
    rank_by = serializers.CharField()
    children = DashboardChildSerializer(many=True)


def period_data(period) -> dict:
    return {
        "key": period.key,
        "kind": period.kind,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "label": str(period.label),
    }


def dashboard_data(board: Dashboard) -> dict:
    """The API's answer: the subject, the period, the figures, the period before, the ranked children."""
    subject = board.subject
    as_of = board.figures.as_of
    return {
        "region": {"id": getattr(subject, "pk", None), "name": board.name, "level": board.level},
        "period": period_data(board.period),
        "as_of": serializers.DateTimeField().to_representation(as_of) if as_of else None,
        "figures": figures_data(board.figures),
        "previous": {"period": period_data(board.previous.period), "figures": figures_data(board.previous)},
        "rank_by": board.rank_by,
        "children": [
            {
                "id": child.pk,
                "kind": child.kind,
                "name": child.name,
                "level": child.level,
                "rank": child.rank,
                "figures": figures_data(child.figures),
            }
            for child in board.children
        ],
    }
