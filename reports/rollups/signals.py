"""The month running kept fresh when what its compliance checks, or who its key targets are, is saved anywhere.

A station's compliance (``StationMonth.checks``) depends on its roster, its volunteers, its site and its operator's
contract, which many pages, the API, the roster import and the admin site save through forms and serializers, with
no one rule function to mark from. These receivers mark the station's month running (``STAFFING``) on every save
or delete, so the 30-second refresh picks it up. Past months (a hire date moved back) and a new staffing policy
(every station of a region) are the nightly repair's: it recomputes the last three months and logs what it fixes.
A beneficiary saved (made a key target or no longer one, registered, moved) marks the month's services
(``SERVICES``): the key targets and those visited are counted there.
Bulk writes (``bulk_create``, the demo, the benchmarks) send no signal and rebuild the rollups themselves.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from stations.models import Station

from .dirty import SERVICES, STAFFING, rollup_mark


def mark_station(sender, instance, **kwargs) -> None:
    station_id = instance.pk if sender._meta.label == "stations.Station" else instance.station_id
    if station_id is not None and not kwargs.get("raw"):
        part = SERVICES if sender._meta.label == "services.Beneficiary" else STAFFING
        rollup_mark(station_id=station_id, day=timezone.localdate(), part=part)


def mark_station_after_delete(sender, instance, **kwargs) -> None:
    """A deleted contract or person marks its station after the commit, if the station is still there: the
    delete may be a station's own, whose cascade deletes them first (and its rollups with it)."""
    station_id = instance.station_id

    def mark():
        if Station.objects.filter(pk=station_id).exists():
            part = SERVICES if sender._meta.label == "services.Beneficiary" else STAFFING
            rollup_mark(station_id=station_id, day=timezone.localdate(), part=part)

    transaction.on_commit(mark)


def connect() -> None:
    labels = ("staffing.StaffMember", "staffing.Volunteer", "stations.Station", "stations.OperatingContract")
    for label in (*labels, "services.Beneficiary"):
        post_save.connect(mark_station, sender=label, dispatch_uid=f"rollups-staffing-{label}")
        if label != "stations.Station":  # a deleted station's rows go with it
            post_delete.connect(
                mark_station_after_delete, sender=label, dispatch_uid=f"rollups-staffing-delete-{label}"
            )
