"""The language switch in the top bar: Chinese by default, English on request, and back."""

from playwright.sync_api import expect

from .conftest import sign_in


def test_the_language_switch_changes_the_interface_and_back(page, viewer):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")

    sign_in(page, viewer)
    nav = page.get_by_role("navigation")
    nav.get_by_role("link", name="逾期节点").click()
    expect(page.locator("h1")).to_have_text("逾期节点")
    board = page.url

    # English: the same page comes back in English, and the next page too.
    nav.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(board)
    expect(page.locator("h1")).to_have_text("Overdue milestones")
    expect(page.get_by_role("button", name="Filter")).to_be_visible()
    nav.get_by_role("link", name="Dashboard").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()

    # And back to Chinese.
    nav.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav.get_by_role("link", name="工作台")).to_be_visible()
    expect(nav.get_by_role("button", name="退出登录")).to_be_visible()
    expect(nav.get_by_role("button", name="English")).to_be_visible()
