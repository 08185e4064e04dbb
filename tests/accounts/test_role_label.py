"""City and county civil-affairs officials share a role but are named apart, by the level of their region."""

import pytest
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("user", "label"),
    [("city", "市民政干部"), ("county", "区县民政干部"), ("manager", "站点负责人"), ("township", "镇街社会事务办")],
)
def test_the_role_label_names_city_and_county_officials_apart(world, user, label):
    with translation.override("zh-hans"):
        assert world.users[user].role_label == label


def test_the_page_header_says_county_official_for_a_county_official(world):
    client = Client()
    client.force_login(world.users["county"])
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "区县民政干部" in page and "市/区县民政干部" not in page
