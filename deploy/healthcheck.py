#!/usr/local/bin/python3
"""Container health probe for the Tawasul services.

Usage:
    tawasul-healthcheck                  # probe the service PID 1 runs ("tawasul run <service>")
    tawasul-healthcheck 8080             # probe http://127.0.0.1:8080/healthz
    tawasul-healthcheck http://host:port/healthz

TAWASUL_HEALTH_URL, when set, is used if no argument is given.
Exits 0 when /healthz answers 2xx, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_PORTS = {"casework": 8080, "intake": 8081, "routing": 8082, "notify": 8083}
TIMEOUT_SECONDS = 4.0


def _url_for_port(port: int) -> str:
    return f"http://127.0.0.1:{port}/healthz"


def _service_of_pid1() -> str | None:
    try:
        with open("/proc/1/cmdline", "rb") as handle:
            argv = [part.decode(errors="replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return None
    for index, word in enumerate(argv[:-1]):
        if word == "run" and argv[index + 1] in DEFAULT_PORTS:
            return argv[index + 1]
    return None


def target_url(args: list[str]) -> str | None:
    if args:
        value = args[0]
        return value if "://" in value else _url_for_port(int(value))
    if os.environ.get("TAWASUL_HEALTH_URL"):
        return os.environ["TAWASUL_HEALTH_URL"]
    service = _service_of_pid1()
    return _url_for_port(DEFAULT_PORTS[service]) if service else None


def main() -> int:
    try:
        url = target_url(sys.argv[1:])
    except ValueError:
        print(f"unusable argument: {sys.argv[1]!r}", file=sys.stderr)
        return 1
    if url is None:
        print("cannot tell which service runs here; pass a port or URL", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            if 200 <= response.status < 300:
                return 0
            print(f"{url} answered {response.status}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
