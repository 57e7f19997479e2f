"""The shape the code must keep: imports point inward (import-linter's contracts in pyproject.toml), the runtime
loads no service by name, and the linter is satisfied."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("contracts", "services", "intake", "routing", "casework", "notify", "tawasul")


def lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    command = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
               "--config", str(config), "--no-cache"]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_import_contracts_fail_when_the_runtime_imports_a_service_the_contracts_do_io_or_a_rebuild_emits(
        tmp_path):
    """The same contracts, over a copy of the layout with three breaches in it, find each."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for service in ("intake", "routing", "casework"):
        (tmp_path / service / "domain.py").write_text("")
    (tmp_path / "services" / "cli.py").write_text("import intake\n")
    for module in ("eventstore", "relay", "sealer"):
        (tmp_path / "services" / f"{module}.py").write_text("")
    (tmp_path / "services" / "rebuild.py").write_text("import services.eventstore\n")
    (tmp_path / "contracts" / "events.py").write_text("import sqlalchemy\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = lint_imports(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode != 0
    assert "services.cli -> intake" in result.stdout
    assert "contracts.events -> sqlalchemy" in result.stdout
    assert "services.rebuild -> services.eventstore" in result.stdout
    assert "3 broken" in result.stdout


def test_the_runtime_loads_no_module_by_name():
    found = [str(path.relative_to(ROOT)) for path in (ROOT / "services").rglob("*.py")
             if "import_module" in path.read_text() or "__import__" in path.read_text()]
    assert found == []


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

