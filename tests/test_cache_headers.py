"""``Cache-Control: no-store`` on everything that may carry people's data or files (config/cache_control.py)."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from services.models import Attachment
from tests.services.helpers import beneficiary, log


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_api_answer_is_no_store(world, api_client_for):
    beneficiary(world.stations["S1"], 1)

    people = api_client_for("worker").get("/api/v1/beneficiaries/")
    refused = api_client_for("anonymous").get("/api/v1/beneficiaries/")

    assert people.status_code == 200 and no_store(people)
    assert refused.status_code in (401, 403) and no_store(refused)


def test_signed_in_pages_are_no_store(world, client):
    station = world.stations["S1"]
    beneficiary(station, 1)
    client.force_login(world.users["worker"])

    people = client.get(f"/services/stations/{station.pk}/beneficiaries/")
    lookup = client.get(f"/services/stations/{station.pk}/beneficiaries/lookup/", {"q": "对象"})

    assert people.status_code == 200 and no_store(people) and "private" in people["Cache-Control"]
    assert lookup.status_code == 200 and no_store(lookup)


def test_what_an_anonymous_visitor_gets_outside_the_api_is_left_to_its_view(db, client):
    """Nothing personal reaches an anonymous visitor: a redirect to the sign-in page stays cacheable."""
    response = client.get("/")

    assert response.status_code == 302
    assert not no_store(response)


def test_exports_and_attachments_are_no_store(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    station = world.stations["S1"]
    record = log(station, world.users["worker"], date.today() - timedelta(days=1), headcount=3)
    attachment = Attachment.objects.create(
        record=record,
        file=SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in sheet", content_type="application/pdf"),
        original_name="签到表.pdf",
        content_type="application/pdf",
        size=22,
        uploaded_by=world.users["worker"],
    )
    client.force_login(world.users["worker"])

    export = client.get(f"/services/stations/{station.pk}/records/export/")
    download = client.get(f"/services/attachments/{attachment.pk}/")

    assert export.status_code == 200 and no_store(export)
    assert download.status_code == 200 and no_store(download)


def test_static_files_stay_cacheable(client, world):
    client.force_login(world.users["worker"])

    response = client.get("/static/css/portal.css")

    assert not no_store(response)
