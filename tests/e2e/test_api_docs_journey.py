"""The API's documentation page in a real browser: Swagger UI from the app's own static
files loads the schema and lists the operations, under the site's Content-Security-Policy
(no violation reported, nothing fetched from elsewhere), in English with ?lang=en."""

from playwright.sync_api import expect

from .conftest import sign_in


def test_the_api_docs_page_shows_the_operations_under_the_csp(
    page, live_server, frozen_today, viewer
):
    violations, elsewhere = [], []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    sign_in(page, viewer)
    page.goto("/api/docs/?lang=en")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Liwan Projects API")
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/projects/").first
    ).to_be_visible()
    expect(page.get_by_text("List the projects").first).to_be_visible()
    assert not violations, violations
    assert not elsewhere, elsewhere
