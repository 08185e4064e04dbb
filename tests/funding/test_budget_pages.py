"""The budget pages (issue item 8): the station's budget against spending, the form with its errors next to the
fields, the steps as POST forms, and the township official's approval queue."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from funding.choices import BudgetStatus
from funding.models import Budget
from funding.rules.budgets import budget_approve, budget_create, budget_submit

from .helpers import spend

pytestmark = pytest.mark.django_db

YEAR = date.today().year
D = Decimal


def client_for(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def made(world, *, personnel="280000.00", year=YEAR, station="S1"):
    lines = {"personnel": D(personnel), "activities": D("80000.00"), "management": D("40000.00")}
    return budget_create(
        station=world.stations[station],
        year=year,
        lines=lines,
        sources={"township_fiscal": sum(lines.values())},
        user=world.users["manager" if station == "S1" else "admin"],
    )


def submitted(world, **kwargs):
    return budget_submit(budget=made(world, **kwargs), user=world.users["manager"])


def form_data(**overrides) -> dict:
    data = {f"line_{key}": "" for key in ("personnel", "activities", "management", "other")}
    data.update(line_personnel="70000", line_activities="30000", source_township_fiscal="100000", note="", year=YEAR)
    data.update(overrides)
    return data


def test_the_station_page_shows_the_budget_in_force_against_spending(world):
    budget_approve(budget=submitted(world), user=world.users["township"])
    spend(world.stations["S1"], "252000.00", line="personnel")

    response = client_for(world, "manager").get(reverse("funding:budget", args=[world.stations["S1"].pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-key="personnel" data-level="warning"' in content
    assert "252,000.00" in content and "progress-bar bg-warning" in content
    assert reverse("funding:expenditure-list", args=[world.stations["S1"].pk]) in content


def test_the_problems_of_a_draft_are_shown_in_red(world):
    made(world, personnel="288000.00")
    response = client_for(world, "manager").get(reverse("funding:budget", args=[world.stations["S1"].pk]))
    content = response.content.decode()
    assert 'id="budget-problems"' in content and "人员经费占 70.59%，超过 70%" in content


def test_the_station_detail_page_links_to_the_budget(world):
    response = client_for(world, "worker").get(reverse("stations:detail", args=[world.stations["S1"].pk]))
    assert reverse("funding:budget", args=[world.stations["S1"].pk]).encode() in response.content


def test_the_form_shows_a_negative_amount_next_to_its_field_and_saves_nothing(world):
    url = reverse("funding:budget-create", args=[world.stations["S1"].pk])
    response = client_for(world, "manager").post(url, form_data(line_other="-1"))
    assert response.status_code == 200
    assert 'id="id_line_other_errors"' in response.content.decode()
    assert not Budget.objects.exists()


def test_the_form_saves_a_draft_and_goes_to_its_page(world):
    url = reverse("funding:budget-create", args=[world.stations["S1"].pk])
    response = client_for(world, "manager").post(url, form_data())
    budget = Budget.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("funding:budget-version", args=[budget.pk])
    assert budget.total == D("100000.00") and budget.status == BudgetStatus.DRAFT


def test_a_second_budget_of_the_year_is_refused_on_the_form(world):
    made(world)
    url = reverse("funding:budget-create", args=[world.stations["S1"].pk])
    response = client_for(world, "manager").post(url, form_data())
    assert response.status_code == 200 and "请提出修订" in response.content.decode()
    assert Budget.objects.count() == 1


def test_the_edit_form_of_a_submitted_budget_goes_back_with_a_message(world):
    budget = submitted(world)
    response = client_for(world, "manager").get(reverse("funding:budget-edit", args=[budget.pk]), follow=True)
    assert "已批准的预算不能修改" in response.content.decode()


def test_the_edit_form_changes_a_draft(world):
    budget = made(world)
    response = client_for(world, "manager").post(reverse("funding:budget-edit", args=[budget.pk]), form_data())
    assert response.status_code == 302
    assert Budget.objects.get(pk=budget.pk).total == D("100000.00")


def test_submitting_a_draft_with_problems_shows_them_and_changes_nothing(world):
    budget = made(world, personnel="288000.00")
    response = client_for(world, "manager").post(reverse("funding:budget-submit", args=[budget.pk]), follow=True)
    assert "人员经费占 70.59%，超过 70%" in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.DRAFT


def test_the_township_official_approves_from_the_queue_and_comes_back_to_it(world):
    budget = submitted(world)
    queue = reverse("funding:budget-queue")
    response = client_for(world, "township").post(reverse("funding:budget-approve", args=[budget.pk]), {"next": queue})
    assert response.status_code == 302 and response["Location"] == queue
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.APPROVED


def test_a_return_without_a_reason_is_refused_with_a_message(world):
    budget = submitted(world)
    url = reverse("funding:budget-return", args=[budget.pk])
    response = client_for(world, "township").post(url, {"reason": ""}, follow=True)
    assert "请填写退回原因" in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).status == BudgetStatus.SUBMITTED


def test_a_next_address_on_another_site_is_ignored(world):
    budget = submitted(world)
    url = reverse("funding:budget-approve", args=[budget.pk])
    response = client_for(world, "township").post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("funding:budget-version", args=[budget.pk])


def test_revise_opens_the_new_version(world):
    budget = budget_approve(budget=submitted(world), user=world.users["township"])
    response = client_for(world, "manager").post(reverse("funding:budget-revise", args=[budget.pk]))
    revision = Budget.objects.get(version=2)
    assert response["Location"] == reverse("funding:budget-version", args=[revision.pk])
    page = client_for(world, "manager").get(reverse("funding:budget", args=[world.stations["S1"].pk]))
    assert 'id="budget-open-version"' in page.content.decode()


def test_the_queue_lists_the_submitted_budgets_with_the_buttons(world):
    waiting = submitted(world)
    made(world, year=YEAR - 1)
    response = client_for(world, "township").get(reverse("funding:budget-queue"))
    content = response.content.decode()
    assert f'data-budget="{waiting.pk}"' in content
    assert content.count("data-budget=") == 1
    assert reverse("funding:budget-approve", args=[waiting.pk]) in content
    assert "70.00%" in content


def test_officials_above_the_township_read_every_budget_without_buttons(world):
    waiting = submitted(world)
    draft = made(world, year=YEAR - 1)
    content = client_for(world, "county").get(reverse("funding:budget-queue")).content.decode()
    assert f'data-budget="{waiting.pk}"' in content and f'data-budget="{draft.pk}"' in content
    assert reverse("funding:budget-approve", args=[waiting.pk]) not in content
    filtered = client_for(world, "county").get(reverse("funding:budget-queue"), {"status": "draft"}).content.decode()
    assert f'data-budget="{waiting.pk}"' not in filtered


def test_the_queue_keeps_a_fixed_query_count(world, django_assert_max_num_queries):
    for year in range(YEAR - 6, YEAR + 1):
        submitted(world, year=year)
    client = client_for(world, "township")
    client.get(reverse("funding:budget-queue"))  # warm the session and the caches
    with django_assert_max_num_queries(14):
        response = client.get(reverse("funding:budget-queue"))
    assert response.content.decode().count("data-budget=") == 7


def test_the_version_page_shows_its_lines_and_history(world):
    budget = made(world)
    response = client_for(world, "city").get(reverse("funding:budget-version", args=[budget.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "280,000.00" in content and 'id="budget-history"' in content
    assert reverse("funding:budget-edit", args=[budget.pk]) not in content
