"""The error pages: Chinese by default, English when switched, in the portal's layout, a way back, no detail."""

import json

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, RequestFactory, override_settings
from django.utils import translation

from config import views as error_views
from stations.views import HomeView

SECRET = "secret-detail-4711"


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text_of(response) -> str:
    return response.content.decode()


def assert_no_detail(html: str) -> None:
    for leak in ("Traceback", SECRET, "Exception", "File &quot;", "Request Method"):
        assert leak not in html


def assert_way_back(html: str, sign_in: bool) -> None:
    assert 'href="/"' in html
    assert ('href="/accounts/login/"' in html) is sign_in


def failing_home(self, request, *args, **kwargs):
    raise RuntimeError(SECRET)


@override_settings(DEBUG=False)
def test_a_page_outside_the_role_is_a_chinese_403_with_the_menu(world):
    response = signed_in(world.users["worker"]).get("/stations/new/")
    assert response.status_code == 403
    html = text_of(response)
    assert "您无权访问此页面" in html
    assert "错误 403" in html
    assert "我的社工站" in html  # the worker's own menu, as on every page
    assert_way_back(html, sign_in=False)
    assert_no_detail(html)


@override_settings(DEBUG=False)
def test_the_403_page_in_english(world):
    response = in_english(signed_in(world.users["worker"])).get("/stations/new/")
    assert response.status_code == 403
    html = text_of(response)
    assert "This page is not open to you" in html
    assert 'lang="en"' in html


@override_settings(DEBUG=False)
def test_an_unknown_page_is_a_chinese_404_with_a_way_to_sign_in(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = text_of(response)
    assert "页面不存在" in html
    assert_way_back(html, sign_in=True)
    assert_no_detail(html)


@override_settings(DEBUG=False)
def test_a_station_out_of_scope_is_the_same_404_page(world):
    response = signed_in(world.users["outsider"]).get(f"/stations/{world.stations['S1'].pk}/")
    assert response.status_code == 404
    assert "不在您可访问的站点和地区范围内" in text_of(response)


@override_settings(DEBUG=False)
def test_the_404_page_in_english(db):
    response = in_english(Client()).get("/no-such-page/")
    assert "Page not found" in text_of(response)


@override_settings(DEBUG=False)
def test_a_bad_request_is_a_chinese_400(db):
    """An unknown host is a SuspiciousOperation: Django answers it with handler400."""
    response = Client(HTTP_HOST="attacker.example").get("/")
    assert response.status_code == 400
    html = text_of(response)
    assert "无法识别此请求" in html
    assert_way_back(html, sign_in=True)
    assert_no_detail(html)
    assert "attacker.example" not in html


@override_settings(DEBUG=False)
def test_a_failure_is_a_chinese_500_without_its_detail(world, monkeypatch):
    monkeypatch.setattr(HomeView, "get", failing_home)
    response = signed_in(world.users["city"], raise_request_exception=False).get("/")
    assert response.status_code == 500
    html = text_of(response)
    assert "系统出现了问题" in html
    assert "错误已记录" in html
    assert_way_back(html, sign_in=True)
    assert_no_detail(html)


@override_settings(DEBUG=False)
def test_the_500_page_in_english(world, monkeypatch):
    monkeypatch.setattr(HomeView, "get", failing_home)
    client = in_english(signed_in(world.users["city"], raise_request_exception=False))
    assert "Something went wrong on our side" in text_of(client.get("/"))


def test_the_500_page_renders_with_the_database_down(monkeypatch):
    """Any query (the session, the user, the menu's scope) would need a connection: none can be had."""

    def refuse(self):
        raise OperationalError("the database is down")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    with translation.override("zh-hans"):  # as LocaleMiddleware leaves it for the request
        response = error_views.server_error(RequestFactory().get("/stations/"))
    assert response.status_code == 500
    html = text_of(response)
    assert "系统出现了问题" in html
    assert "portal.css" in html
    assert_way_back(html, sign_in=True)


@override_settings(DEBUG=False)
def test_a_form_without_its_csrf_token_is_the_chinese_csrf_page(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = text_of(response)
    assert "表单未能提交" in html
    assert "请返回并刷新页面" in html
    assert "CSRF" not in html
    assert_way_back(html, sign_in=True)


def test_the_csrf_page_in_english(db):
    response = in_english(Client(enforce_csrf_checks=True)).post("/accounts/login/", {})
    assert response.status_code == 403
    assert "The form could not be sent" in text_of(response)


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (error_views.bad_request, 400),
        (error_views.permission_denied, 403),
        (error_views.page_not_found, 404),
    ],
)
def test_errors_under_the_api_stay_json(db, handler, status):
    response = handler(RequestFactory().get("/api/v1/stations/"), Exception(SECRET))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert set(json.loads(response.content)) == {"detail"}
    assert SECRET not in response.content.decode()


def test_a_500_under_the_api_stays_json():
    response = error_views.server_error(RequestFactory().get("/api/v1/stations/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"


@override_settings(DEBUG=False)
def test_an_unknown_api_url_is_json(db):
    response = Client().get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
