"""The month running kept fresh when what its compliance checks, or who its key targets are, is saved anywhere.

A station's compliance (``StationMonth.checks``) depends on its roster, its volunteers, its site and its operator's
contract, which many pages, the API, the roster import and the admin site save through forms and serializers, with
no one rule function to mark from. These receivers mark the station's month running (``STAFFING``) on every save
or delete, so the 30-second refresh picks it up. Past months (a hire date moved back) and a new staffing policy
(every station of a region) are the nightly repair's: it recomputes the last three months and logs what it fixes.
A beneficiary saved (made a key target or no longer one, registered, moved) marks the month's services
(``RECORDS``): the key targets and those visited are counted there; deleted, the people served with it
(``SERVICES``).
A station deleted (only one without records, staff or budgets can be: they protect it) takes its rollup rows
with it; its regions lose what those rows added, in the delete's transaction, and their coverage is counted again
after it.
Bulk writes (``bulk_create``, the demo, the benchmarks) send no signal and rebuild the rollups themselves.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone

from stations.models import Station

from .dirty import RECORDS, SERVICES, STAFFING, rollup_mark


def mark_station(sender, instance, **kwargs) -> None:
    station_id = instance.pk if sender._meta.label == "stations.Station" else instance.station_id
    if station_id is not None and not kwargs.get("raw"):
        part = RECORDS if sender._meta.label == "services.Beneficiary" else STAFFING
        rollup_mark(station_id=station_id, day=timezone.localdate(), part=part)


def mark_station_after_delete(sender, instance, **kwargs) -> None:
    """A deleted contract or person marks its station after the commit, if the station is still there: the
    delete may be a station's own, whose cascade deletes them first (and its rollups with it)."""
    station_id = instance.station_id

    def mark():
        if Station.objects.filter(pk=station_id).exists():
            # a beneficiary's delete takes its links to the records: the people served too
            part = SERVICES if sender._meta.label == "services.Beneficiary" else STAFFING
            rollup_mark(station_id=station_id, day=timezone.localdate(), part=part)

    transaction.on_commit(mark)


def unshift_station(sender, instance, **kwargs) -> None:
    """Before a station's delete cascades to its rollup rows: move its regions' rows back by what they added."""
    from ..models import StationMonth, StationPeriod, StationYear
    from .regions import regions_of, regions_refresh, regions_shift, rollups_lock

    changes = [
        (model, row, None)
        for model in (StationMonth, StationPeriod, StationYear)
        for row in model.objects.filter(station_id=instance.pk).values()
    ]
    if not changes:
        return
    rollups_lock()
    regions_shift(changes)
    regions = regions_of([row for _model, row, _none in changes])
    # The coverage is of no month; regions_refresh only needs one to run.
    months = sorted({row["month"] for model, row, _none in changes if model is StationMonth}) or [timezone.localdate()]
    transaction.on_commit(
        lambda: regions_refresh(months=months, regions=regions, month=False, people=False, year=False, coverage=True)
    )


def connect() -> None:
    pre_delete.connect(unshift_station, sender="stations.Station", dispatch_uid="rollups-station-delete")
    labels = ("staffing.StaffMember", "staffing.Volunteer", "stations.Station", "stations.OperatingContract")
    for label in (*labels, "services.Beneficiary"):
        post_save.connect(mark_station, sender=label, dispatch_uid=f"rollups-staffing-{label}")
        if label != "stations.Station":  # a deleted station's rows go with it
            post_delete.connect(
                mark_station_after_delete, sender=label, dispatch_uid=f"rollups-staffing-delete-{label}"
            )
