"""What an officer and a supervisor do, in a browser, over the running services.

An officer signs in, finds a routed case in the queue, claims it, adds an internal note and asks the beneficiary for
information; the beneficiary answers through intake's API; the answer appears on the case page; the officer resolves
it with a public reply, and intake's status lookup shows the reply and never the note. A supervisor assigns a case
to an officer and sees the dashboard's charts drawn with data. The Arabic queue, case page and dashboard render
right to left with real Arabic glyphs. Screenshots of each are saved to the artifacts.
"""

import re
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from contracts.vocabulary import Language
from tests import samples
from tests.browser.conftest import INSTALL, Open, People, gettext, submit
from tests.system import System, wait_for

pytestmark = pytest.mark.browser


async def status(system: System, tracking: str) -> httpx.Response:
    """Intake's status lookup, as the beneficiary's portal makes it."""
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.get(system.url("intake", f"/api/v1/requests/{tracking}"),
                                params={"account_id": samples.ACCOUNT}, headers={"X-Api-Key": system.keys["absher"]})


async def until_status(system: System, tracking: str, wanted: str) -> httpx.Response:
    async def reached():
        response = await status(system, tracking)
        return response.status_code == 200 and response.json()["status"] == wanted and response

    return await wait_for(reached, timeout_s=60, what=f"intake's status of {tracking} {wanted}")


async def case(system: System, tracking: str) -> dict:
    async with httpx.AsyncClient(timeout=30) as client:
        return await system.case(client, tracking)


def form_of(page: Page, button: str) -> Locator:
    """The form whose submit button reads `button` (exactly)."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def facts(page: Page, language: Language) -> Locator:
    """The case page's account of the request (status, officer, due time)."""
    return page.get_by_role("region", name=gettext(language, "The request"))


async def done(page: Page, language: Language) -> None:
    """The action was taken: the case page is back, saying so."""
    said = gettext(language, "Done.")
    await expect(page.get_by_role("status").filter(has_text=re.compile(rf"^\s*{re.escape(said)}\s*$"))).to_be_visible()


async def test_an_officer_works_a_case_from_the_queue_to_a_public_reply(system: System, people: People,
                                                                         open_page: Open, artifacts: Path):
    officer, en = people.officer, "en"
    tracking, _ = await submit(system, language="en")
    note = f"Internal: the applicant's file is at the Riyadh office, ref {uuid.uuid4().hex[:8]}"
    question = "Please attach a clear copy of the passport page with the visa."
    answer = f"The passport page is attached, ref {uuid.uuid4().hex[:8]}."
    reply = "Your iqama has been renewed; you can print it from Absher."

    page = await open_page(officer)
    assert await page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["en", "ltr"]
    await expect(page.get_by_role("heading", level=1)).to_contain_text(gettext(en, "Queue"))
    link = page.get_by_role("link", name=tracking, exact=True)
    await expect(link).to_be_visible()
    await page.screenshot(path=artifacts / "queue-en.png")

    await link.click()
    await page.wait_for_url(re.compile(rf"/cases/{tracking}$"))
    await page.get_by_role("button", name=gettext(en, "Claim"), exact=True).click()
    await done(page, en)
    assert (await case(system, tracking))["assignee"] == officer.username

    await page.get_by_label(gettext(en, "Internal note (never shown to the beneficiary)")).fill(note)
    await page.get_by_role("button", name=gettext(en, "Add note"), exact=True).click()
    await done(page, en)
    await expect(page.get_by_text(note)).to_be_visible()

    asking = form_of(page, gettext(en, "Request information"))
    await expect(asking, "the case page has no form with a 'Request information' button "
                         "(POST /cases/{id}/request-information, textarea `question`)").to_have_count(1)
    await asking.get_by_role("textbox").fill(question)
    await asking.get_by_role("button", name=gettext(en, "Request information"), exact=True).click()
    await done(page, en)
    asked = (await until_status(system, tracking, "information_requested")).json()
    assert asked["question"] == question

    async with httpx.AsyncClient(timeout=30) as client:  # the beneficiary answers, through their portal
        answered = await client.post(system.url("intake", f"/api/v1/requests/{tracking}/information"),
                                     json={"account_id": samples.ACCOUNT, "answer": answer},
                                     headers={"X-Api-Key": system.keys["absher"]})
    assert answered.status_code == 200, answered.text

    async def back_with_the_officer():
        view = await case(system, tracking)
        return view["status"] == "open" and view

    await wait_for(back_with_the_officer, timeout_s=60, what="the answer reaching casework")
    await page.goto(f"/cases/{tracking}")
    await expect(page.get_by_text(answer)).to_be_visible()

    resolving = form_of(page, gettext(en, "Resolve"))
    await resolving.get_by_label(gettext(en, "Outcome"), exact=True).select_option("completed")
    await resolving.get_by_label(re.compile("^" + re.escape(gettext(en, "Reply to the beneficiary")))).fill(reply)
    await resolving.get_by_role("button", name=gettext(en, "Resolve"), exact=True).click()
    await done(page, en)
    await expect(facts(page, en)).to_contain_text(gettext(en, "resolved"))
    await expect(page.get_by_text(reply)).to_be_visible()
    await page.screenshot(path=artifacts / "case-en.png", full_page=True)

    told = await until_status(system, tracking, "resolved")
    assert told.json()["public_reply"] == reply
    assert told.json()["outcome"] == "completed"
    assert note not in told.text, f"intake's status lookup shows the internal note: {told.text}"
    assert "NoteAdded" not in told.text and officer.username not in told.text


async def test_a_supervisor_assigns_a_case_and_sees_the_dashboard_drawn_with_data(system: System, people: People,
                                                                                    resolved_case, open_page: Open,
                                                                                    artifacts: Path):
    supervisor, officer, en = people.supervisor, people.officer, "en"
    tracking, _ = await submit(system, language="en")
    page = await open_page(supervisor)
    await page.goto(f"/cases/{tracking}")

    assigning = form_of(page, gettext(en, "Assign"))
    await expect(assigning, "the case page shows a supervisor no form with an 'Assign' button "
                            "(POST /cases/{id}/assign, select `officer`)").to_have_count(1)
    await assigning.get_by_role("combobox").select_option(officer.username)
    await assigning.get_by_role("button", name=gettext(en, "Assign"), exact=True).click()
    await done(page, en)
    assert (await case(system, tracking))["assignee"] == officer.username
    await expect(facts(page, en)).to_contain_text(officer.username)

    await dashboard(page, en, artifacts / "dashboard-en.png")


async def test_the_arabic_queue_and_case_page_render_right_to_left_in_arabic_glyphs(
        first_case, people: People, open_page: Open, artifacts: Path):
    assert arabic_fonts(), f"fontconfig knows no Noto Arabic font: {INSTALL}"
    tracking, _ = first_case
    page = await open_page(people.officer_ar)
    await expect(page.get_by_role("heading", level=1)).to_contain_text(gettext("ar", "Queue"))
    link = page.get_by_role("link", name=tracking, exact=True)
    await expect(link).to_be_visible()
    await right_to_left(page, "h1")
    await page.screenshot(path=artifacts / "queue-ar.png")

    await link.click()
    await page.wait_for_url(re.compile(rf"/cases/{tracking}$"))
    await expect(page.get_by_role("heading", name=gettext("ar", "The request"))).to_be_visible()
    await right_to_left(page, "h2#facts")
    await expect(page.get_by_role("button", name=gettext("ar", "Claim"), exact=True)).to_be_visible()
    await page.screenshot(path=artifacts / "case-ar.png", full_page=True)


async def test_the_arabic_dashboard_draws_its_charts_right_to_left(people: People, resolved_case, open_page: Open,
                                                                    artifacts: Path):
    page = await open_page(people.supervisor_ar)
    await dashboard(page, "ar", artifacts / "dashboard-ar.png")
    await right_to_left(page, "h1")


async def dashboard(page: Page, language: Language, screenshot: Path) -> None:
    """The dashboard's every chart drawn, with data (Chart.js' own view of it, and painted pixels)."""
    response = await page.goto("/dashboard")
    assert response is not None and response.status == 200, \
        f"GET /dashboard answered {response.status if response else None}: the dashboard page is missing"
    canvases = page.locator("canvas")
    await expect(canvases.first, "the dashboard has no <canvas> (Chart.js charts)").to_be_attached()

    async def drawn():
        charts = await page.evaluate(DRAWN)
        return charts if all(c["chart"] and c["total"] > 0 and c["painted"] > 0 for c in charts) else None

    try:
        charts = await wait_for(drawn, timeout_s=10, every_s=0.25, what="every chart drawn")
    except AssertionError:
        charts = await page.evaluate(DRAWN)
        raise AssertionError(f"not every dashboard chart is drawn with data: {charts}") from None
    await page.screenshot(path=screenshot, full_page=True)
    print(f"dashboard ({language}): {charts}")


DRAWN = """() => [...document.querySelectorAll("canvas")].map(canvas => {
  const chart = window.Chart && typeof window.Chart.getChart === "function" ? window.Chart.getChart(canvas) : null;
  const number = v => typeof v === "number" ? v : v && typeof v === "object" ? (v.y ?? v.v ?? v.r ?? 0) : +v || 0;
  const values = chart ? chart.data.datasets.flatMap(d => d.data || []).map(number) : [];
  let painted = 0;
  if (canvas.width && canvas.height) {
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  }
  return {canvas: canvas.getAttribute("aria-label") || canvas.id || canvas.outerHTML.slice(0, 80),
          chart: !!chart, total: values.reduce((a, b) => a + b, 0), painted};
})"""


def arabic_fonts() -> list[str]:
    """The Noto font families fontconfig has for Arabic."""
    try:
        listed = subprocess.run(["fc-list", ":lang=ar", "family"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"fc-list failed ({error}): {INSTALL}", pytrace=False)
    return sorted({family for line in listed.splitlines() for family in line.split(",") if "Noto" in family})


async def right_to_left(page: Page, selector: str) -> None:
    """The page is Arabic and right to left, the text of `selector` sits against the right edge, and Chromium drew
    its Arabic letters from an Arabic font (the fonts it actually used, not the ones the CSS asks for)."""
    assert await page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    box = await page.locator(selector).evaluate("""element => {
        const range = document.createRange(); range.selectNodeContents(element);
        const text = range.getBoundingClientRect();
        return {left: text.left, right: text.right, width: document.documentElement.clientWidth,
                direction: getComputedStyle(element).direction};
    }""")
    assert box["direction"] == "rtl", box
    assert box["width"] - box["right"] < 64 and box["left"] > box["width"] - box["right"], \
        f"the text of {selector} does not start at the right edge: {box}"
    cdp = await page.context.new_cdp_session(page)
    try:
        await cdp.send("DOM.enable")
        await cdp.send("CSS.enable")
        root = (await cdp.send("DOM.getDocument", {"depth": 0}))["root"]["nodeId"]
        node = (await cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector}))["nodeId"]
        fonts = (await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node}))["fonts"]
    finally:
        await cdp.detach()
    arabic = [font for font in fonts if "Arabic" in font["familyName"] and font["glyphCount"] > 0]
    assert arabic, f"{selector} was drawn without an Arabic font (fonts used: {fonts}): {INSTALL}"
