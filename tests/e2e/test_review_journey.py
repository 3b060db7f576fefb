"""A manager works through the review queue in the browser: ticks several reports, accepts
them at once, then ticks all that are left on the page and accepts those too."""

import datetime

from django.utils import translation
from playwright.sync_api import expect

from projects.models import ProgressReport

from ..conftest import make_project, make_report
from .conftest import sign_in


def accepted_message(count):
    """The success message as the page says it (in Chinese, the default language)."""
    with translation.override("zh-hans"):
        return translation.ngettext(
            "%(count)s report accepted.", "%(count)s reports accepted.", count
        ) % {"count": count}


def test_a_manager_accepts_several_reports_at_once_and_they_leave_the_queue(
    page, frozen_today, manager, editor_a, department_b
):
    department_a = editor_a.department
    tunnel = make_project(code="LW-TRA-401", name="东沙隧道", lead_department=department_a)
    road = make_project(code="LW-TRA-402", name="芳村大道", lead_department=department_a)
    museum = make_project(code="LW-CUL-403", name="博物馆", lead_department=department_b)
    may, april = datetime.date(2026, 5, 1), datetime.date(2026, 4, 1)
    reports = {
        "tunnel_april": make_report(tunnel, april, narrative="四月掘进顺利。", author=editor_a),
        "tunnel_may": make_report(
            tunnel, may, health="amber", narrative="五月掘进放缓。" * 30, author=editor_a
        ),
        "road_may": make_report(road, may, narrative="五月完成路面。", problems="需协调交通疏解。"),
        "museum_may": make_report(museum, may, narrative="五月布展。"),
    }
    make_report(museum, april, status="accepted")  # already reviewed: not in the queue

    sign_in(page, manager)
    page.locator("nav a[href='/reports/review/']").click()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("LW-TRA-401")  # the oldest month first
    expect(rows.first).to_contain_text("2026-04")

    # A long narrative is shortened in its row and opens in place.
    long_row = rows.filter(has=page.get_by_role("checkbox", name="LW-TRA-401 2026-05"))
    details = long_row.locator("details.long-text")
    expect(details.locator(".full")).to_be_hidden()
    details.locator("summary").click()
    expect(details.locator(".full")).to_be_visible()
    expect(page.locator("table.data tbody")).to_contain_text("需协调交通疏解。")

    # Tick two and accept them at once.
    page.get_by_role("checkbox", name="LW-TRA-401 2026-04").check()
    page.get_by_role("checkbox", name="LW-TRA-402 2026-05").check()
    page.locator("form.bulk-review button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_have_text(accepted_message(2))
    expect(rows).to_have_count(2)
    expect(page.locator("table.data tbody")).not_to_contain_text("LW-TRA-402")
    for key in ("tunnel_april", "road_may"):
        report = ProgressReport.objects.get(pk=reports[key].pk)
        assert (report.status, report.reviewed_by) == ("accepted", manager)

    # Filter to department B, tick all on the page (a script ticks them in place), accept.
    page.locator("#id_department").select_option(label=department_b.name)
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    page.locator("a.select-all").click()
    expect(page.get_by_role("checkbox", name="LW-CUL-403 2026-05")).to_be_checked()
    assert "select=all" not in page.url  # ticked in place, not by loading the page again
    page.locator("form.bulk-review button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_have_text(accepted_message(1))
    assert f"/reports/review/?department={department_b.pk}&" in page.url  # filter kept
    expect(page.locator("table.data tbody tr")).to_have_count(1)  # the "no report" row
    expect(page.locator("input[name=report]")).to_have_count(0)

    # The one left waits, unticked, for a closer look.
    page.goto("/reports/review/")
    expect(rows).to_have_count(1)
    expect(page.get_by_role("checkbox", name="LW-TRA-401 2026-05")).not_to_be_checked()
    assert ProgressReport.objects.get(pk=reports["tunnel_may"].pk).status == "submitted"
