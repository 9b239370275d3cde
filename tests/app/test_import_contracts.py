"""The dependency order (app ← centers.directory ← programs ← the rest of centers) is checked by
import-linter; these tests prove the contracts hold today and catch each kind of violation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports")


def _copy_tree(dest: Path) -> None:
    for package in ("app", "programs", "centers"):
        shutil.copytree(ROOT / package, dest / package, ignore=shutil.ignore_patterns("*.pyc", "__pycache__",
                                                                                   "static", "templates"))
    shutil.copy(ROOT / ".importlinter", dest / ".importlinter")


def _lint(where: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([str(LINT), "--no-cache"], cwd=where, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    if not LINT.exists():
        pytest.fail("lint-imports is not installed (requirements-dev.txt)")
    where = tmp_path_factory.mktemp("contracts")
    _copy_tree(where)
    return where


def test_the_tree_keeps_every_contract(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, imports, contract",
    [
        ("programs/schedule/probe.py", "import centers.attendance.models", "Programs stand on the directory"),
        ("programs/catalog/probe.py", "from centers.members import services", "Programs stand on the directory"),
        ("centers/directory/probe.py", "import programs.schedule.models", "The directory of counties"),
        ("centers/directory/probe.py", "from centers.tablet import models", "The directory of counties"),
        ("app/new_core_module.py", "import centers.directory.models", "The core (app) imports no feature"),
        ("app/auth/probe.py", "from programs.catalog import models", "The core (app) imports no feature"),
        ("centers/members/probe.py", "import centers.care.models", "feature on feature"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tree, module, imports, contract):
    probe = tree / module
    probe.write_text(f"{imports}  # noqa: F401\n")
    try:
        result = _lint(tree)
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert contract in result.stdout and "BROKEN" in result.stdout
