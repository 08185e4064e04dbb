"""``seed_demo`` loads the demo once per version and day: a second run skips and says so, a new version or
``--again`` loads it again; the long steps say what they do. The loaders are replaced by stand-ins here (the real
load is ``test_seed_demo.py``'s), so these tests count loads rather than wait for them."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from accounts.management.commands import seed_demo
from accounts.models import DemoStamp

pytestmark = pytest.mark.django_db


@pytest.fixture
def loads(monkeypatch, settings):
    """Stand-ins for the demo's loaders; the list counts how many times the stations step ran."""
    settings.DEBUG = True
    calls = []
    demo = SimpleNamespace(counties={"海宁市": None}, stations={"马桥街道": None})
    staffing = SimpleNamespace(failures={}, compliant=[], operating=1, staff=3, volunteers=2, hour_records=5)
    services = SimpleNamespace(
        beneficiaries=4, key_targets=1, projects=2, records=9, volunteer_shares=1, cases=1, focus_problems=1,
        operating=1, incomplete_portfolios=[], fully_visited=[], lowest_visit_rate=None,
    )  # fmt: skip
    monkeypatch.setattr(seed_demo.stations_demo, "seed", lambda rng, today: calls.append(today) or demo)
    monkeypatch.setattr(seed_demo.staffing_demo, "seed", lambda rng, demo, today: staffing)
    evaluation = SimpleNamespace(published=12, drafts=4, surveys=13, responses=500, grades={"优秀": 3})
    monkeypatch.setattr(seed_demo.evaluation_demo, "seed", lambda rng, demo, today: evaluation)
    monkeypatch.setattr(seed_demo.services_demo, "seed", lambda rng, demo, today: services)
    funding = seed_demo.funding_demo.DemoFunding(budgets=6, expenditures=40)
    monkeypatch.setattr(seed_demo.funding_demo, "seed", lambda rng, demo, today: funding)
    monkeypatch.setattr(seed_demo, "seed_accounts", lambda demo: [])
    return calls


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_first_run_loads_stamps_and_prints_each_long_step_with_its_counts(loads):
    out = run()
    assert len(loads) == 1
    assert "[1/8]" in out and "[8/8]" in out and "9 service records" in out and "3 staff records" in out
    assert "40 expenditures" in out
    assert DemoStamp.objects.get().version == seed_demo.demo_version()


def test_a_second_run_at_the_same_version_is_skipped_and_says_so(loads):
    run()
    out = run()
    assert len(loads) == 1
    assert "skipped" in out and "--again" in out and "9 service records" in out


def test_a_new_version_of_the_demo_loads_again(loads, monkeypatch):
    run()
    monkeypatch.setattr(seed_demo, "demo_version", lambda: "f" * 64)
    out = run()
    assert len(loads) == 2 and "skipped" not in out
    assert DemoStamp.objects.get().version == "f" * 64


def test_again_loads_even_at_the_same_version(loads):
    run()
    run("--again")
    assert len(loads) == 2 and DemoStamp.objects.count() == 1


def test_the_version_changes_with_the_demo_code(monkeypatch, tmp_path):
    before = seed_demo.demo_version()
    changed = tmp_path / "demo.py"
    changed.write_text("# another demo\\n")
    monkeypatch.setattr(seed_demo.services_demo, "__file__", str(changed))
    assert seed_demo.demo_version() != before


def test_the_version_covers_every_module_of_a_demo_package(monkeypatch, tmp_path):
    """The services demo is a package: a change in any of its modules, not only ``__init__``, is a new version."""
    package = tmp_path / "demo"
    package.mkdir()
    (package / "__init__.py").write_text("# the package\n")
    (package / "log.py").write_text("# the log\n")
    monkeypatch.setattr(seed_demo.services_demo, "__file__", str(package / "__init__.py"))
    before = seed_demo.demo_version()
    (package / "log.py").write_text("# the log, changed\n")
    assert seed_demo.demo_version() != before


def test_a_failed_load_leaves_no_stamp(loads, monkeypatch):
    def broken(rng, demo, today):
        raise RuntimeError("broker down")

    monkeypatch.setattr(seed_demo.services_demo, "seed", broken)
    with pytest.raises(RuntimeError):
        run()
    assert not DemoStamp.objects.exists()
