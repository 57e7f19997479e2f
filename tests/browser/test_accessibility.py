"""axe-core over every officers' page, in Arabic and in English: no violation of serious or critical impact.

What axe found on each page is saved to the artifacts (`axe-PAGE-LANG.json`: every violation, minor and moderate
ones included, and what it could not decide).
"""

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from tests.browser.conftest import Open, People
from tests.system import System

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
PAGES = ["sign-in", "queue", "case", "dashboard", "history"]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("name", PAGES)
async def test_no_serious_or_critical_accessibility_violation(name: str, language: str, axe: Axe, system: System,
                                                              people: People, first_case, open_page: Open,
                                                              artifacts: Path):
    if name == "sign-in":
        page: Page = await open_page(None, language)
        path = f"/sign-in?lang={language}"
    else:
        person = {("dashboard", "ar"): people.supervisor_ar, ("dashboard", "en"): people.supervisor,
                  ("queue", "ar"): people.officer_ar, ("case", "ar"): people.officer_ar,
                  ("history", "ar"): people.auditor_ar, ("history", "en"): people.auditor}.get((name, language),
                                                                                             people.officer)
        page = await open_page(person)
        now = quote(datetime.now(UTC).isoformat())  # the as-of part shown too: what every read model says now
        path = {"queue": "/queue", "case": f"/cases/{first_case[0]}", "dashboard": "/dashboard",
                "history": f"/cases/{first_case[0]}/history?as_of={now}"}[name]
    response = await page.goto(path)
    assert response is not None and response.status == 200, \
        f"GET {path} answered {response.status if response else None}"
    assert await page.evaluate("document.documentElement.lang") == language
    if name == "dashboard":  # axe looks at the charts as drawn
        await page.wait_for_load_state("networkidle")

    results = await axe.run(page)
    kept = {key: results.response.get(key) for key in ("url", "testEngine", "violations", "incomplete")}
    (artifacts / f"axe-{name}-{language}.json").write_text(json.dumps(kept, indent=1, ensure_ascii=False))
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {path} ({language}) found {len(blocking)} serious or critical:\n{report(blocking)}"
    if results.response["violations"]:
        print(f"{path} ({language}), minor and moderate:\n{report(results.response['violations'])}")
