"""Reads of the services pages and reports that gather more than one rule: totals of a filtered list of service
records, the people they served by target group."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, Max, Subquery, Sum
from django.db.models.functions import Coalesce

from .models import Beneficiary, ServiceRecord, TargetGroup


@dataclass(frozen=True)
class RecordTotals:
    """What a filtered list of service records adds up to: records, distinct registered beneficiaries named in
    them, people present but not registered (the records' headcounts, a count of attendances), and hours."""

    records: int
    people: int
    unregistered: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)


def record_totals(records) -> RecordTotals:
    """The totals of ``records`` (a queryset of one station's service records, filtered) in one query.

    The distinct people come from a subquery beside the sums (a join with the beneficiaries would count a record's
    minutes once per person named in it). The subquery is not correlated with the rows, so the database runs it
    once (correlated, it ran once per record: 54 s for a year of 5,000 records); ``Max`` only lifts its single
    value into the aggregate.
    """
    records = records.order_by()
    named = (
        ServiceRecord.beneficiaries.through.objects.filter(servicerecord__in=records.values("pk"))
        .order_by()
        .values("servicerecord__station")
        .annotate(n=Count("beneficiary_id", distinct=True))
        .values("n")
    )
    totals = records.aggregate(
        records=Count("pk"),
        minutes=Coalesce(Sum("duration_minutes"), 0),
        unregistered=Coalesce(Sum("headcount"), 0),
        people=Coalesce(Max(Subquery(named, output_field=IntegerField())), 0),
    )
    return RecordTotals(**totals)


def people_by_target_group(records) -> list[tuple[TargetGroup, int]]:
    """The distinct registered beneficiaries named in ``records`` (a queryset of service records: a station's or a
    region's month) per target group, in the groups' order, every group listed (a person in two groups counts in
    each; one in none is in no row). One query and the groups'."""
    served = Beneficiary.objects.filter(service_records__in=records.order_by().values("pk")).values("pk")
    counts = dict(
        Beneficiary.target_groups.through.objects.filter(beneficiary_id__in=served)
        .order_by()
        .values("targetgroup_id")
        .annotate(n=Count("beneficiary_id", distinct=True))
        .values_list("targetgroup_id", "n")
    )
    return [(group, counts.get(group.pk, 0)) for group in TargetGroup.objects.all()]
