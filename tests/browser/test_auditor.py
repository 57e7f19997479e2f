"""What an auditor does, in a browser, over the running services: opens a case that was transferred, asked for
information, answered, noted and resolved, reads its whole history across the four services (internal steps marked
internal, notify's notifications among them), asks what the read models said at moments between the steps, and
downloads the history as CSV and as JSON. Nothing on the page acts."""

import csv
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Locator, Page, expect

from contracts.vocabulary import RIYADH
from tawasul import system as tawasul
from tests import samples
from tests.browser.conftest import Open, People, gettext, submit
from tests.system import System, wait_for

pytestmark = pytest.mark.browser


async def worked(system: System) -> str:
    """A case transferred, asked for information, answered, noted and resolved (as its officers and the
    beneficiary do, through the APIs), once notify has told the beneficiary of its resolution."""
    tracking, first = await submit(system, language="en")
    async with httpx.AsyncClient(timeout=30) as client:
        async def at(department: str, status: str, paused: bool | None = None):
            view = await system.case(client, tracking)
            return view["department"] == department and view["status"] == status and \
                paused in (None, view["paused"])

        async def did(action: str, body: dict, department: str, status: str) -> None:
            response = await system.act(client, tracking, action, body)
            assert response.status_code == 200, response.text
            await wait_for(lambda: at(department, status), timeout_s=60, what=f"{action} of {tracking}")

        await did("transfer", {"to_department": "passports", "reason": "its passport is the matter"}, "passports",
                  "open")
        await did("request-information", {"question": "Which passport number?"}, "passports", "awaiting_information")
        await wait_for(lambda: at("passports", "awaiting_information", paused=True), timeout_s=60,
                       what="the clock paused")  # routing's pause comes before the answer, as it would

        async def asked() -> bool:
            status = await client.get(system.url("intake", f"/api/v1/requests/{tracking}"),
                                      params={"account_id": samples.ACCOUNT},
                                      headers={"X-Api-Key": system.keys["absher"]})
            return status.json()["status"] == "information_requested"

        await wait_for(asked, timeout_s=60, what="the question at intake")
        answered = await client.post(system.url("intake", f"/api/v1/requests/{tracking}/information"),
                                     json={"account_id": samples.ACCOUNT, "answer": "The new one."},
                                     headers={"X-Api-Key": system.keys["absher"]})
        assert answered.status_code == 200, answered.text
        await wait_for(lambda: at("passports", "open", paused=False), timeout_s=60, what="the answer, the clock on")
        await did("notes", {"note": "Checked with the passports office."}, "passports", "open")
        await did("resolve", {"outcome": "completed", "public_reply": "Your passport record is corrected."},
                  "passports", "resolved")

        async def told() -> bool:  # the auditor's export, with the auditor's key
            response = await client.get(system.url("casework", f"/cases/{tracking}/history.json"),
                                        headers=system.auditor())
            return response.status_code == 200 and any(
                event["type"] == "NotificationSent" and event["details"]["notified_event_type"] == "Resolved"
                for event in response.json()["events"])

        await wait_for(told, timeout_s=90, what="the resolution told, in casework's copy of the log")
    assert first != "passports"
    return tracking


def entry(page: Page, kind: str, nth: int = 0) -> Locator:
    """The timeline's `nth` entry of event type `kind` (as the English page names it)."""
    return page.locator("ol.history > li").filter(has=page.locator("strong", has_text=re.compile(
        rf"^{re.escape(kind)}$"))).nth(nth)


async def just_after(item: Locator) -> str:
    """A moment 1 ms after the entry's event, as the auditor types it into the page (Riyadh's wall clock)."""
    at = datetime.fromisoformat(await item.locator("time").get_attribute("datetime"))
    local = (at + timedelta(milliseconds=1)).astimezone(RIYADH)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}"


async def as_of(page: Page, moment: str) -> Locator:
    """What the page says each read model said at `moment`, once it says it."""
    await page.get_by_label(gettext("en", "Moment (Riyadh time)")).fill(moment)
    await page.get_by_role("button", name=gettext("en", "Show what the read models said then")).click()
    said = page.locator("#as-of")
    await expect(said).to_contain_text(moment[:10])
    return said.locator("section.said-model").filter(has_text="casework · queue")


async def downloaded(page: Page, link: str) -> str:
    async with page.expect_download() as started:
        await page.get_by_role("link", name=link, exact=True).click()
    download = await started.value
    return Path(await download.path()).read_text(encoding="utf-8")


async def test_an_auditor_reads_a_case_s_whole_history_as_of_moments_between_its_steps_and_exports_it(
        system: System, people: People, open_page: Open, artifacts: Path):
    tracking = await worked(system)
    first_department = tawasul.reference().department_name("residency-riyadh", "en")
    passports = tawasul.reference().department_name("passports", "en")
    en = "en"

    page = await open_page(people.auditor)
    await page.goto(f"/cases/{tracking}")
    await page.get_by_role("link", name=gettext(en, "Whole history")).click()
    await page.wait_for_url(re.compile(rf"/cases/{tracking}/history$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text(tracking)
    assert await page.locator('form[method="post"][action^="/cases/"]').count() == 0  # read-only

    for kind in ("TransferRequested", "SlaPaused", "NoteAdded"):
        await expect(entry(page, kind).locator(".badge")).to_have_text(gettext(en, "internal"))
        await expect(entry(page, kind)).to_have_class(re.compile(r"\binternal\b"))
    for kind in ("RequestSubmitted", "InfoRequested", "Resolved", "NotificationSent"):
        await expect(entry(page, kind).locator(".badge")).to_have_text(gettext(en, "public"))
    await expect(entry(page, "Routed", 1)).to_contain_text(f"{gettext(en, 'Caused by')}TransferRequested (casework)")
    await expect(entry(page, "SlaPaused")).to_contain_text("InfoRequested (casework)")
    await expect(entry(page, "Routed", 0)).to_contain_text("rules_version=")
    await expect(entry(page, "NoteAdded")).to_contain_text("Checked with the passports office.")
    await expect(entry(page, "NoteAdded")).to_contain_text("officer:")
    await expect(page.locator("ol.history")).not_to_contain_text(samples.ACCOUNT)
    await page.screenshot(path=artifacts / "history-en.png", full_page=True)

    queue = await as_of(page, await just_after(entry(page, "Routed", 0)))  # routed, not yet transferred
    await expect(queue).to_contain_text(first_department)
    await expect(queue).to_contain_text("open")
    assert "as_of=" in page.url  # the moment is in the address, for the back button and for sharing
    queue = await as_of(page, await just_after(entry(page, "InfoRequested")))  # transferred, then asked
    await expect(queue).to_contain_text(passports)
    await expect(queue).to_contain_text("awaiting_information")
    await expect(page.locator("#as-of")).to_contain_text(f"{gettext(en, 'Notifications sent: %(count)s')}"
                                                         .split("%")[0])
    await page.screenshot(path=artifacts / "history-as-of-en.png")

    moment_json = json.loads(await downloaded(page, gettext(en, "the timeline and the read models as JSON")))
    assert moment_json["read_models"]["casework.queue"]["status"] == "awaiting_information"
    assert moment_json["read_models"]["casework.queue"]["department"] == "passports"
    assert moment_json["events"][-1]["type"] in ("InfoRequested", "SlaPaused")
    assert moment_json["read_models"]["routing.cases"]["department"] == "passports"  # every service's, as folded
    assert "intake.requests" in moment_json["read_models"]  # through the projections the composition root gave

    whole = json.loads(await downloaded(page, gettext(en, "The whole timeline as JSON")))
    types = [event["type"] for event in whole["events"]]
    steps = ["RequestSubmitted", "Routed", "TransferRequested", "Routed", "InfoRequested", "SlaPaused",
             "InfoProvided", "SlaResumed", "NoteAdded", "Resolved"]
    assert [kind for kind in types if kind in steps] == steps, types
    assert "NotificationSent" in types and whole["read_models"] is None
    by_type = {event["type"]: event for event in whole["events"]}
    assert by_type["NoteAdded"]["public"] is False and by_type["Resolved"]["public"] is True
    assert by_type["SlaPaused"]["caused_by"] == "InfoRequested (casework)"

    table = list(csv.DictReader(io.StringIO(await downloaded(page, gettext(en, "The whole timeline as CSV")))))
    assert [row["type"] for row in table] == types
    noted = next(row for row in table if row["type"] == "NoteAdded")
    assert noted["public"] == "False" and "Checked with the passports office." in noted["details"]
    exported = json.dumps(whole, ensure_ascii=False) + json.dumps(table, ensure_ascii=False)
    assert samples.ACCOUNT not in exported and samples.ACCOUNT[-4:] in exported
    assert "@example.sa" not in exported and "966500000000" not in exported  # the beneficiary's contact (demo's)
