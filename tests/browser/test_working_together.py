"""The live parts of the officers' pages, in a browser: a new case appears in an open queue without a reload;
a canned reply inserts the beneficiary's language's text; the keyboard moves through the queue, opens a case and
shows its help; an officer sees a colleague typing on the same case."""

import re

import pytest
from playwright.async_api import expect

from casework.reference import canned_replies
from tests.browser.conftest import Open, People, gettext, submit
from tests.system import System

pytestmark = pytest.mark.browser


async def test_a_new_case_appears_in_an_open_queue_without_a_reload(system: System, people: People,
                                                                     open_page: Open):
    page = await open_page(people.officer)
    await page.evaluate("window.loadedOnce = true")  # gone if the page were reloaded
    tracking, _ = await submit(system, language="en")
    await expect(page.get_by_role("link", name=tracking, exact=True)).to_be_visible(timeout=40_000)
    assert await page.evaluate("window.loadedOnce") is True


async def test_the_keyboard_opens_a_case_and_a_canned_reply_is_inserted_in_the_beneficiary_s_language(
        system: System, people: People, open_page: Open):
    tracking, _ = await submit(system, language="ar")  # the beneficiary writes in Arabic
    officer, en = people.officer, "en"
    page = await open_page(officer)
    await page.goto(system.url("casework", f"/queue?q={tracking}"))
    await page.keyboard.press("?")
    await expect(page.get_by_role("dialog")).to_be_visible()
    await expect(page.get_by_role("dialog")).to_contain_text(gettext(en, "Keyboard shortcuts"))
    await page.keyboard.press("Escape")
    await page.keyboard.press("j")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(rf"/cases/{tracking}$"))

    reply = next(reply for reply in canned_replies() if reply.id == "completed")
    await page.get_by_label(gettext(en, "Insert a canned reply")).select_option(label=reply.titles["en"])
    textarea = page.get_by_label(re.compile(re.escape(gettext(en, "Reply to the beneficiary")[:20])))
    await expect(textarea).to_have_value(reply.texts["ar"])
    assert await textarea.get_attribute("dir") == "rtl"
    await page.evaluate("document.activeElement.blur()")  # shortcuts are keys pressed outside a field
    await page.keyboard.press("c")  # claim
    await expect(page.get_by_role("status").filter(has_text=gettext(en, "Done."))).to_be_visible()


async def test_an_officer_sees_a_colleague_on_the_same_case_and_typing_an_answer(
        system: System, people: People, open_page: Open):
    tracking, _ = await submit(system, language="en")
    officer = await open_page(people.officer)
    supervisor = await open_page(people.supervisor)
    await officer.goto(system.url("casework", f"/cases/{tracking}"))
    await supervisor.goto(system.url("casework", f"/cases/{tracking}"))
    await supervisor.get_by_label(re.compile(re.escape(gettext("en", "Reply to the beneficiary")[:20]))) \
        .press_sequentially("We are looking")
    presence = officer.locator("#presence")
    await expect(presence).to_contain_text(people.supervisor.display_name, timeout=25_000)
    await expect(presence).to_contain_text(gettext("en", "is typing an answer"), timeout=25_000)
