"""Site photos (形象进度) in the browser: an editor adds two photos to the month's report, a
manager sees them on the project page, and a signed-out browser is refused the files."""

import re

from playwright.sync_api import expect

from projects.models import Attachment

from ..conftest import make_project
from ..files import GPS_IFD, image_bytes, jpeg_bytes
from .conftest import sign_in, sign_out


def test_an_editors_photos_reach_the_manager_and_no_one_signed_out(
    page, browser, live_server, frozen_today, editor_a, manager, media_root
):
    project = make_project(
        code="LW-TRA-301",
        name="荔湾路改造",
        lead_department=editor_a.department,
        stage="construction",
    )

    sign_in(page, editor_a)
    page.goto(f"/projects/{project.code}/reports/new/")
    page.locator("#id_health").select_option("green")
    page.locator("#id_percent_complete").fill("40")
    page.locator("#id_narrative").fill("主体结构完成四层。")
    page.locator("#id_photos").set_input_files(
        [
            {"name": "东门.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes((800, 600))},
            {"name": "塔吊.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (600, 800))},
        ]
    )
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.code}/#report-2026-05$"))
    expect(page.locator("#photos img")).to_have_count(2)
    sign_out(page)

    sign_in(page, manager)
    page.goto(f"/projects/{project.code}/")
    photos = page.locator("#photos")
    expect(photos.locator("h3")).to_have_text(["2026-05"])
    expect(photos.locator("img")).to_have_count(2)
    # The thumbnails are shown (loaded through the app, as the manager).
    photos.locator("img").last.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#photos img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    links = [a.get_attribute("href") for a in photos.locator("a:has(img)").all()]
    thumbnails = [img.get_attribute("src") for img in photos.locator("img").all()]
    assert len(links) == 2 and len(thumbnails) == 2
    # The full photo opens for the manager, without its location.
    response = page.request.get(links[0])
    assert response.status == 200 and response.headers["x-content-type-options"] == "nosniff"
    assert response.body()[:3] == b"\xff\xd8\xff"
    stored = Attachment.objects.get(name="东门.jpg")
    from PIL import Image

    assert GPS_IFD not in Image.open(stored.file.path).getexif()

    # A browser that is not signed in gets the sign-in page, never a file.
    stranger = browser.new_context(base_url=live_server.url)
    try:
        for url in links + thumbnails:
            answer = stranger.request.get(url, max_redirects=0)
            assert answer.status == 302, url
            assert answer.headers["location"].startswith("/accounts/login/"), url
            assert not answer.body().startswith((b"\xff\xd8\xff", b"\x89PNG"))
        visit = stranger.new_page()
        visit.goto(links[1])
        expect(visit).to_have_url(re.compile(r"/accounts/login/\?next="))
        expect(visit.locator("#id_username")).to_be_visible()
    finally:
        stranger.close()
