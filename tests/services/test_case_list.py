"""The cases list on the shared list component: sortable, paged, and to Excel with names as the viewer sees them."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from services.rules import case_open

from .helpers import beneficiary, staff_member

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_cases(station):
    worker = staff_member(station, 10)
    today = date.today()
    for n, name in [(1, "刘根林"), (2, "王芳")]:
        case_open(
            station=station,
            beneficiary=beneficiary(station, n, name=name),
            worker=worker,
            opened_on=today - timedelta(days=n),
        )


def test_the_cases_list_sorts_by_the_beneficiary_both_ways(world):
    station = world.stations["S1"]
    open_cases(station)
    client = signed_in(world.users["manager"])

    def names(sort: str) -> list[str]:
        response = client.get(f"/services/stations/{station.pk}/cases/", {"sort": sort})
        return [case.beneficiary.name for case in response.context["object_list"]]

    assert names("-beneficiary") == sorted(names("beneficiary"), reverse=True)
    assert names("opened_on")[0] == "王芳"  # opened two days ago


def test_the_cases_export_masks_names_for_the_evaluator_and_keeps_them_for_the_station(world):
    station = world.stations["S1"]
    open_cases(station)

    def exported(user) -> str:
        response = signed_in(user).get(f"/services/stations/{station.pk}/cases/", {"export": "xlsx"})
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        return repr(list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)))

    assert "刘根林" in exported(world.users["manager"])
    seen = exported(world.users["evaluator"])
    assert "刘*林" in seen and "刘根林" not in seen
