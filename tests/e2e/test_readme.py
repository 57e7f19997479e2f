"""The README's "To try it" block works when pasted: it is run exactly as written, by bash, beside a `tawasul up`
started the way `make run` starts it (embedded broker and database, the default ports), from a directory of its
own that holds nothing but the virtualenv."""

import asyncio
import json
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from notify.settings import NotifySettings
from services.settings import Settings
from services.supervisor import RUNNING
from tawasul import docs, system
from tests.system import wait_for

pytestmark = pytest.mark.e2e

HOME = Settings.model_fields["home"].default
"""Where `tawasul up` keeps its state, under the directory it runs in."""
DEFAULT_PORTS = {
    "kafka": Settings.model_fields["kafka_port"].default,
    "mail": NotifySettings.model_fields["local_smtp_port"].default,
    "sms": NotifySettings.model_fields["local_sms_port"].default,
    **system.ports(),
}


def try_it_block(readme: Path) -> str:
    """The first ```sh block after the paragraph that begins "To try it"."""
    text = readme.read_text()
    match = re.search(r"^To try it\b.*?^```sh\n(.*?)^```$", text, flags=re.S | re.M)
    assert match, "README.md has no ```sh block after 'To try it'"
    return match[1]


def busy(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def newcomer_environment() -> dict[str, str]:
    """This environment without any TAWASUL_ setting: what a fresh shell has."""
    return {name: value for name, value in os.environ.items() if not name.startswith("TAWASUL_")}


async def all_healthy() -> bool:
    async with httpx.AsyncClient(timeout=2) as client:
        try:
            answers = [await client.get(f"http://127.0.0.1:{port}/healthz") for port in system.ports().values()]
        except httpx.TransportError:
            return False
    return all(answer.status_code == 200 for answer in answers)


@pytest.fixture(scope="module")
async def make_run(tmp_path_factory):
    """`tawasul up` on the embedded defaults, as `make run` runs it, in a directory holding only `.venv`."""
    tmp_path = tmp_path_factory.mktemp("make-run")
    taken = {what: port for what, port in DEFAULT_PORTS.items() if busy(port)}
    assert not taken, f"the README's ports are in use ({taken}): stop `make run` before running this test"
    venv = Path(sys.prefix)
    assert (venv / "bin" / "tawasul").exists(), f"no tawasul command in {venv}"
    (tmp_path / ".venv").symlink_to(venv)
    log = (tmp_path / "up.log").open("wb")
    up = await asyncio.create_subprocess_exec(
        ".venv/bin/tawasul", "up", cwd=tmp_path, env=newcomer_environment(), stdout=log, stderr=log,
        start_new_session=True,
    )
    try:
        await wait_for(all_healthy, timeout_s=120, what="`tawasul up` serving all four services")
        yield tmp_path
    finally:
        if up.returncode is None:
            up.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                await asyncio.wait_for(up.wait(), 60)
            except TimeoutError:
                os.killpg(up.pid, signal.SIGKILL)
                await up.wait()
        log.close()
    assert up.returncode == 0, (tmp_path / "up.log").read_text()[-3000:]
    assert not (tmp_path / HOME / RUNNING).exists()  # stopped: commands beside it no longer find it


async def test_the_readme_try_it_block_works_as_pasted(make_run: Path):
    script = try_it_block(docs.README)
    shell = await asyncio.create_subprocess_exec(
        "bash", "-e", "-o", "pipefail", "-c", script, cwd=make_run, env=newcomer_environment(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(shell.communicate(), 180)
    out, err = out.decode(), err.decode()
    assert shell.returncode == 0, f"the block failed ({shell.returncode}):\n{out[-3000:]}\n{err[-3000:]}"
    lines = [line for line in out.splitlines() if line.strip()]

    routed = [line for line in lines if line.startswith("routed ")]
    assert len(routed) == 3, out  # the first demo's three, each accepted and routed
    catalog, status, queue, resolved = (json.loads(line) for line in lines if line[:1] in "{[")
    assert len(catalog["sections"]) == 10
    tracking_number = status["tracking_number"]
    assert re.fullmatch(r"TW26\d{8}", tracking_number) and status["status"] == "routed", status
    assert tracking_number in {case["case_id"] for case in queue}
    assert all(case["status"] == "open" for case in queue)
    assert resolved["case_id"] == tracking_number and resolved["status"] == "resolved", resolved
    assert "2030-02-17T15:00:00+03:00" in lines
    assert "casework: swapped in; nothing emitted, nothing sent" in lines, out
    assert any(re.fullmatch(r" +queue: rebuilt (\d+) applied, digest (\w+); live \1 applied, digest \2", line)
               for line in lines), out
    assert any(re.search(rf"@example\.sa .*{tracking_number}", line) for line in lines), out  # its mail came
    assert "Traceback" not in out + err, err


async def test_make_run_prints_one_demo_user_per_role_and_each_signs_in_to_the_pages(make_run: Path):
    banner = (make_run / "up.log").read_text()
    printed = re.findall(r"^user +(\S+) +(\S+)  (\w+)", banner, flags=re.M)
    assert sorted(role for *_, role in printed) == ["admin", "auditor", "officer", "officer", "officer", "supervisor"]
    [site] = re.findall(r"^sign in +(http://\S+) ", banner, flags=re.M)
    for username, password, role in printed:
        async with httpx.AsyncClient(base_url=site, timeout=10) as browser:
            form = await browser.get("sign-in")
            token = re.search(r'name="csrftoken" value="([^"]+)"', form.text)[1]
            signed = await browser.post("sign-in", data={"csrftoken": token, "username": username,
                                                         "password": password})
            assert signed.status_code == 303, (username, signed.text)
            assert signed.headers["location"] == ("/users" if role == "admin" else "/queue")
            queue = await browser.get(signed.headers["location"])
        assert queue.status_code == 200, (username, queue.text)  # an admin lands on the users' page
        assert 'dir="rtl"' in queue.text if username not in ("sara.officer", "admin") else 'dir="ltr"' in queue.text
