"""Every page of the URL configuration, for every role that may read it, in a real browser:
on a phone (390 px wide) and on a wide screen (1440 px), in Chinese and in English.

- No page is wider than its window, and no element sticks out of it or is cut off inside a
  box that scrolls sideways: tables do not scroll inside their .table-wrap either (on a
  phone they are cards, on a wide screen they fit).
- On a phone the first screen shows the page, not only the top bar: <main> starts in the
  top quarter of the screen (the menu folded, the sample-data banner one line).
- axe-core (bundled by axe-playwright-python, nothing downloaded) finds no serious or
  critical violation; every visible form field has a label; every health badge carries a
  word, not a colour alone.

The pages are found, not listed: each URL name of tests/test_authorization.py (which makes
every URL name be classified) with that test's objects, kept when the role's GET gives an
HTML page (a form of a write view included; downloads and refusals left out). The admin
(Django's own pages) is not walked."""

import datetime
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect

from indicators.models import IndicatorValue
from projects.models import AnnualInvestment, KeyProject, ProgressReport, Project

from ..conftest import make_department, make_milestone, make_project, make_report
from ..test_authorization import PUBLIC, READ_ONLY, WRITES, url_for
from ..test_authorization import world as authorization_world  # noqa: F401 (a fixture)
from .conftest import sign_in

PHONE, WIDE = 390, 1440
HEIGHT = 844
AXE = Axe()
SEVERE = {"serious", "critical"}

# What sticks out of the window, or is cut off inside a box scrolling sideways; where the
# first screen's page starts; unlabelled fields; health badges without a word.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const describe = (el) => el.tagName.toLowerCase()
    + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined
      ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
    + ' «' + (el.textContent || '').trim().slice(0, 30) + '»';
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.checkVisibility()) continue;  // such as the folded menu's links
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 1 || box.left < -1)) {
      out.push('sticks out (' + Math.round(box.left) + '–' + Math.round(box.right) + 'px): '
        + describe(el));
    }
    const style = getComputedStyle(el);
    if (style.overflowX !== 'visible' && el.clientWidth > 1
        && el.scrollWidth > el.clientWidth + 1
        && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) {
      out.push('cut off (' + el.scrollWidth + 'px in ' + el.clientWidth + 'px): ' + describe(el));
    }
  }
  const fields = [...document.querySelectorAll('input, select, textarea')].filter(
    (el) => !['hidden', 'submit', 'button'].includes(el.type) && el.getClientRects().length);
  const unlabelled = fields.filter((el) => !(el.labels && el.labels.length)
    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')).map(describe);
  const mute = [...document.querySelectorAll('.health')].filter(
    (el) => !el.textContent.trim()).map(describe);
  const main = document.querySelector('main');
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    out: out,
    mainTop: main ? main.getBoundingClientRect().top + window.scrollY : 0,
    unlabelled: unlabelled,
    mute: mute,
  };
}"""


@pytest.fixture
def walk_world(request, department_b):
    """The authorization walk's objects, with what makes pages long and wide: names in
    both languages (long English ones), reports in each health, a long text without a
    break, investment and a key project for the year the URLs name, an official value with
    its source address, sample data (the banner)."""
    world = request.getfixturevalue("authorization_world")
    department = world["department"]
    department.name_en = "Liwan District Housing, Construction and Transport Bureau"
    department.short_name = "区住房建设交通局"
    department.save()
    project = world["project"]
    project.name = "广州地铁十号线荔湾段沿线综合交通枢纽及城市更新配套工程"
    project.name_en = "Guangzhou Metro Line 10 (Liwan section) interchange and urban renewal works"
    project.is_sample = True
    project.save()
    other = make_project(
        code="LW-CUL-002",
        name="西关永庆坊三期",
        name_en="Xiguan Yongqingfang, phase three",
        lead_department=make_department(name="区文化广电旅游体育局", name_en="Culture Bureau"),
        stage="construction",
    )
    make_milestone(other, datetime.date(2026, 3, 1), title="竣工验收" * 8)
    make_report(
        other,
        datetime.date(2026, 5, 1),
        health=ProgressReport.Health.RED,
        narrative="征拆进度滞后" * 60,
        problems="https://example.org/" + "x" * 120,
    )
    make_report(project, datetime.date(2026, 5, 1), health=ProgressReport.Health.AMBER)
    for each in (project, other):
        AnnualInvestment.objects.create(
            project=each, year=2022, planned=Decimal("12345.67"), completed=Decimal("9876.54")
        )
    KeyProject.objects.create(project=project, year=2022)
    IndicatorValue.objects.create(
        indicator=world["indicator"],
        year=2021,
        value=Decimal("1234.5678"),
        source=IndicatorValue.Source.OFFICIAL,
        source_title="广州市荔湾区2021年国民经济和社会发展统计公报",
        source_url="https://www.lw.gov.cn/tjgb/" + "a" * 150,
    )
    return world


def pages_for(user, objects):
    """The pages `user` may read: the URLs whose GET gives them an HTML page."""
    client = Client()
    client.force_login(user)
    found = []
    for name in sorted(READ_ONLY | set(WRITES)):
        url = url_for(name, objects)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.append(url)
    return found


def check(page, where, width, failures, first_screen=False):
    page.set_viewport_size({"width": width, "height": HEIGHT})
    seen = page.evaluate(MEASURE)
    if seen["scrollWidth"] > seen["innerWidth"]:
        failures.append(f"{where} @{width}: page {seen['scrollWidth']}px wide")
    failures.extend(f"{where} @{width}: {line}" for line in seen["out"][:5])
    failures.extend(f"{where} @{width}: field without a label: {f}" for f in seen["unlabelled"])
    failures.extend(f"{where} @{width}: health badge without a word: {b}" for b in seen["mute"])
    if first_screen and seen["mainTop"] > HEIGHT / 4:
        failures.append(f"{where} @{width}: the page starts {seen['mainTop']:.0f}px down")


def check_axe(page, where, failures):
    for violation in AXE.run(page).response["violations"]:
        if violation["impact"] in SEVERE:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            failures.append(f"{where}: axe {violation['id']} ({violation['impact']}): {targets}")


def walk(page, urls, label, failures, axe=True):
    for url in urls:
        response = page.goto(url)
        where = f"{label} {url}"
        if response.status != 200:
            failures.append(f"{where}: status {response.status}")
            continue
        check(page, where, WIDE, failures)
        if axe:
            check_axe(page, where, failures)
        check(page, where, PHONE, failures, first_screen=True)


@pytest.mark.parametrize("persona", ["viewer", "manager", "editor_a", "administrator"])
def test_every_page_fits_a_phone_and_a_wide_screen_and_passes_axe(
    persona, page, frozen_today, walk_world, request
):
    user = request.getfixturevalue(persona)
    urls = pages_for(user, walk_world)
    # Every reading page (less the workbook, a download; attached files, photos and PDFs,
    # not pages; /bulletins/, which redirects to a month's bulletin; and the review queue,
    # for managers and administrators only), and the forms this role may fill in.
    # The public view is walked signed out below (its JSON is no page).
    files = {"projects:file", "projects:thumbnail", "supervision:file", "supervision:thumbnail"}
    reading = READ_ONLY - {"projects:workbook", "supervision:bulletins"} - files - PUBLIC
    if persona in ("viewer", "editor_a"):
        reading -= {"projects:review_queue"}
    missing = {name for name in reading if url_for(name, walk_world) not in urls}
    assert not missing
    failures = []
    page.goto("/accounts/login/")
    check(page, "signed out /accounts/login/", WIDE, failures)
    check_axe(page, "signed out /accounts/login/", failures)
    check(page, "signed out /accounts/login/", PHONE, failures, first_screen=True)
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})
    sign_in(page, user)
    walk(page, urls, persona, failures)
    assert not failures, "\n".join(failures)


def public_pages(objects):
    """The public view's pages, signed out: each public URL name whose GET gives an HTML
    page, for the walk's real project (LW-CUL-002; its sample one is not public)."""
    client = Client()
    found = []
    for name in sorted(PUBLIC):
        url = url_for(name, objects).replace(objects["project"].code, "LW-CUL-002")
        response = client.get(url)
        if response["Content-Type"].startswith("text/html"):
            assert response.status_code == 200, url
            found.append(url)
    return found


def test_the_public_pages_signed_out_fit_a_phone_and_a_wide_screen_and_pass_axe(
    page, frozen_today, walk_world
):
    urls = public_pages(walk_world)
    assert len(urls) == len([name for name in PUBLIC if name.startswith("public:")])
    failures = []
    walk(page, urls, "signed out", failures)
    # In English, with every project sample data (then shown, under the banner).
    Project.objects.update(is_sample=True)
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})
    page.goto(urls[0])
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".sample-banner")).to_be_visible()
    walk(page, urls, "signed out (English, sample data)", failures)
    assert not failures, "\n".join(failures)


def test_every_page_in_english_fits_too(page, frozen_today, walk_world, manager, editor_a):
    """English words are longer and do not break where Chinese does. (axe's findings do
    not depend on the language: the walks above run it.)"""
    failures = []
    for user in (manager, editor_a):
        page.set_viewport_size({"width": WIDE, "height": HEIGHT})
        sign_in(page, user)
        page.get_by_role("button", name="English").click()
        walk(page, pages_for(user, walk_world), f"{user.username} (English)", failures, axe=False)
        page.context.clear_cookies()
    assert not failures, "\n".join(failures)


def test_on_a_phone_the_menu_folds_and_opens_without_a_script(page, viewer):
    page.set_viewport_size({"width": WIDE, "height": HEIGHT})
    sign_in(page, viewer)
    overdue = page.get_by_role("navigation").get_by_role("link", name="逾期节点")
    expect(overdue).to_be_visible()  # a wide screen: the menu is open, nothing to click
    expect(page.locator("details.menu > summary")).to_be_hidden()
    page.set_viewport_size({"width": PHONE, "height": HEIGHT})
    expect(overdue).to_be_hidden()
    page.locator("details.menu > summary").click()
    expect(overdue).to_be_visible()
    overdue.click()
    expect(page.locator("h1")).to_have_text("逾期节点")
    expect(overdue).to_be_hidden()  # folded again on the next page
