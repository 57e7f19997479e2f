"""The officers' pages in a real browser: headless Chromium (Debian's, never a downloaded one) driven by Playwright,
against one running system for the whole package, with users who sign in by username and password.

Screenshots go to `tests/artifacts/browser/` (git-ignored); a failed test leaves there a Playwright trace of each of
its browser contexts (`playwright show-trace FILE`) and a screenshot of each of its pages.
"""

import itertools
import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from casework.language import translations
from contracts.vocabulary import Language
from tests import samples
from tests.e2e.conftest import running
from tests.system import System, cheap_passwords, wait_for

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
CHROMIUM_ENV = "TAWASUL_CHROMIUM"
CHROMIUM = "/usr/bin/chromium"
INSTALL = ("install Debian's Chromium and the Noto fonts: `apt-get install chromium fonts-noto-core` as root "
           "(`make test` does it when it runs as root with apt), or point TAWASUL_CHROMIUM at a Chromium binary")
VIEWPORT = {"width": 1280, "height": 800}
PLAN = ("iqama", "renew", "holder")
"""The kind of request every case here is; from an account in the Riyadh region, all go to residency-riyadh."""

_numbers = itertools.count(1000)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Each phase's report on the test item, so a fixture's teardown knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if ARTIFACTS.exists() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"browser tests' screenshots and traces: {ARTIFACTS}")


def gettext(language: Language, message: str) -> str:
    """A page's string as casework shows it in `language` (the tests find elements by what people read)."""
    return translations(language).gettext(message)


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: str
    department: str | None
    language: Language
    password: str


@dataclass(frozen=True)
class People:
    officer: Person
    officer_ar: Person
    supervisor: Person
    supervisor_ar: Person
    auditor: Person
    auditor_ar: Person


def chromium_path() -> str:
    path = os.environ.get(CHROMIUM_ENV) or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"no Chromium at {path}: {INSTALL}", pytrace=False)
    return path


@pytest.fixture(scope="package")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("FAILED-*"):  # a previous run's failures
        stale.unlink()
    print(f"\nbrowser artifacts: {ARTIFACTS}")
    return ARTIFACTS


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    path = chromium_path()  # before the system starts: no browser, no point
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="package")
async def system(browser, infra, tmp_path_factory) -> AsyncIterator[System]:
    """The four services, once for every browser test."""
    async with running(infra, tmp_path_factory.mktemp("browser")) as system:
        yield system


async def submit(system: System, *, language: Language = "en", plan: tuple[str, str, str] = PLAN) -> tuple[str, str]:
    """A request through intake's portal API, once it is open in casework: (tracking number, department)."""
    n = 3 * next(_numbers) + (0 if language == "en" else 1)  # n % 3 == 0: a description in English
    body = samples.submission(n, plan=plan, portal="absher", language=language, region="riyadh")
    async with httpx.AsyncClient(timeout=30) as client:
        created = await client.post(system.url("intake", "/api/v1/requests"), json=body,
                                    headers={"X-Api-Key": system.keys["absher"]})
        assert created.status_code == 201, created.text
        tracking = created.json()["tracking_number"]

        async def opened():
            response = await client.get(system.url("casework", f"/api/v1/cases/{tracking}"), headers=system.auditor())
            return response.status_code == 200 and response.json()["status"] == "open" and response.json()

        return tracking, (await wait_for(opened, timeout_s=60, what=f"{tracking} open in casework"))["department"]


@pytest.fixture(scope="package")
async def first_case(system: System) -> tuple[str, str]:
    """A case that stays open in the department, for the pages that need one: (tracking number, department)."""
    return await submit(system, language="ar")


@pytest.fixture(scope="package")
async def resolved_case(system: System, first_case) -> str:
    """A case of the department resolved today (through the API), so the dashboard has resolutions to chart."""
    tracking, department = await submit(system, language="en")
    assert department == first_case[1]
    await system.resolve([tracking])
    return tracking


@pytest.fixture(scope="package")
async def people(system: System, first_case) -> People:
    """An officer and a supervisor of the cases' department and an auditor, in each language, with passwords (hashed
    cheaply)."""
    from casework.accounts import Accounts
    from casework.users import User
    from services.app import service_database
    from tawasul import system as tawasul
    from tawasul.users import departments

    department = first_case[1]
    chosen = People(
        officer=Person("hala.officer", "Hala Officer", "officer", department, "en", ""),
        officer_ar=Person("noura.officer", "نورة الضابطة", "officer", department, "ar", ""),
        supervisor=Person("sami.supervisor", "Sami Supervisor", "supervisor", department, "en", ""),
        supervisor_ar=Person("fahad.supervisor", "فهد المشرف", "supervisor", department, "ar", ""),
        auditor=Person("maha.auditor", "Maha Auditor", "auditor", None, "en", ""),
        auditor_ar=Person("reem.auditor", "ريم المدققة", "auditor", None, "ar", ""),
    )
    made = {}
    async with service_database(tawasul.service("casework"), system.settings) as sessions:
        accounts = Accounts(sessions, frozenset(departments()), passwords=cheap_passwords())
        for field, person in vars(chosen).items():
            password = f"browser-{uuid.uuid4().hex}"
            await accounts.add(User(person.username, person.display_name, person.role, person.department,
                                    person.language), password, actor="tests")
            made[field] = Person(**{**vars(person), "password": password})
    return People(**made)


Open = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_page(request, browser: Browser, system: System, artifacts: Path) -> AsyncIterator[Open]:
    """`await open_page(person)`: a page in a browser context of its own, signed in as `person` through the sign-in
    form (or `None`: signed in as nobody). Each context is traced; on failure the traces and a screenshot of every
    page are saved to the artifacts."""
    contexts: list[tuple[str, BrowserContext]] = []

    async def open_(person: Person | None, language: Language | None = None) -> Page:
        language = language or (person.language if person else "en")
        context = await browser.new_context(viewport=VIEWPORT, locale={"ar": "ar-SA", "en": "en-GB"}[language],
                                            timezone_id="Asia/Riyadh", base_url=system.url("casework", ""))
        context.set_default_timeout(15_000)
        await context.tracing.start(screenshots=True, snapshots=True, sources=False)
        contexts.append((person.username if person else "anonymous", context))
        page = await context.new_page()
        if person is not None:
            await sign_in(page, person)
        return page

    yield open_

    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False)
                 for when in ("setup", "call"))
    name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    for n, (who, context) in enumerate(contexts):
        if failed:
            for m, page in enumerate(context.pages):
                try:
                    await page.screenshot(path=artifacts / f"FAILED-{name}-{who}-{n}{m}.png", full_page=True)
                except Exception as error:  # a page that crashed cannot be photographed; the trace still helps
                    print(f"no screenshot of {page.url}: {error}")
            await context.tracing.stop(path=artifacts / f"FAILED-{name}-{who}-{n}-trace.zip")
            print(f"\ntrace of {who}'s browser: {artifacts / f'FAILED-{name}-{who}-{n}-trace.zip'}")
        else:
            await context.tracing.stop()
        await context.close()


async def sign_in(page: Page, person: Person) -> None:
    """Through the sign-in page in the person's language, as they would."""
    language = person.language
    await page.goto(f"/sign-in?lang={language}")
    await page.get_by_label(gettext(language, "Username")).fill(person.username)
    await page.get_by_label(gettext(language, "Password")).fill(person.password)
    await page.get_by_role("button", name=gettext(language, "Sign in")).click()
    await page.wait_for_url(re.compile(r"/queue$"))
