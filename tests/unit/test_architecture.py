"""The shape the code must keep: imports point inward, and the linter is satisfied."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "routing", "casework", "notify")
FIRST_PARTY = ("contracts", "services", *SERVICES)


def first_party_imports(package: str) -> set[tuple[str, str]]:
    """(module file, imported first-party package) for every import in `package`."""
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in FIRST_PARTY:
                    found.add((str(path.relative_to(ROOT)), top))
    return found


def test_contracts_import_nothing_of_ours_but_contracts():
    assert {(f, top) for f, top in first_party_imports("contracts") if top != "contracts"} == set()


def test_the_shared_runtime_imports_no_service():
    assert {(f, top) for f, top in first_party_imports("services") if top in SERVICES} == set()


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_only_the_runtime_the_contracts_and_itself(service):
    others = set(SERVICES) - {service}
    assert {(f, top) for f, top in first_party_imports(service) if top in others} == set()


def test_the_domain_modules_do_no_io():
    io_packages = {"sqlalchemy", "aiokafka", "faststream", "psycopg", "httpx", "fastapi", "services"}
    domains = [ROOT / service / "domain.py" for service in SERVICES if (ROOT / service / "domain.py").exists()]
    assert len(domains) >= 3
    for domain in domains:
        tree = ast.parse(domain.read_text())
        imported = {
            (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert imported & io_packages == set(), domain


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
