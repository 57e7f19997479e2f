"""A case's attachments, opened from the case page: casework checks the officer, then fetches the file from
intake (which keeps it) with its own key; an officer of another department gets 403 and an unknown file 404."""

import httpx

from tests.e2e.test_lifecycle import submitted
from tests.system import System


async def test_an_officer_of_the_department_opens_the_case_s_files_and_nobody_else_does(shared: System):
    [(case_id, department)] = await submitted(shared, 1)
    other = next(code for code in ("passports", "visit-visas") if code != department)
    async with httpx.AsyncClient(timeout=30) as client:
        [(files,)] = await shared.rows("casework", "SELECT data->'attachments' FROM timeline WHERE type = "
                                       f"'RequestSubmitted' AND case_id = '{case_id}'")
        [first, *_] = files
        url = shared.url("casework", f"/cases/{case_id}/attachments/{first['sha256']}")
        inline = await client.get(url, headers=shared.officer(department))
        assert inline.status_code == 200, inline.text
        assert inline.content.startswith(b"%PDF-") and inline.headers["content-type"] == "application/pdf"
        assert inline.headers["content-disposition"].startswith("inline;")
        assert inline.headers["x-content-type-options"] == "nosniff"
        download = await client.get(url, params={"download": "true"}, headers=shared.supervisor(department))
        assert download.status_code == 200 and download.headers["content-disposition"].startswith("attachment;")
        assert download.content == inline.content
        assert (await client.get(url, headers=shared.auditor())).status_code == 200
        assert (await client.get(url, headers=shared.officer(other))).status_code == 403
        unknown = await client.get(shared.url("casework", f"/cases/{case_id}/attachments/{'f' * 64}"),
                                   headers=shared.officer(department))
        assert unknown.status_code == 404
        page = await client.get(shared.url("casework", f"/cases/{case_id}"), headers=shared.officer(department))
        assert f"/cases/{case_id}/attachments/{first['sha256']}" in page.text and "<iframe" in page.text
