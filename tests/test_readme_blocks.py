"""Every code block of the README runs: the shell blocks in a folder holding a copy of the sample warehouse as
`data/` (a `make` line as `make -n`, which checks the target without running the suite inside itself), the
Python blocks compile, the YAML blocks parse. (The SQL blocks run in tests/test_readme_queries.py.)"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from pipelines.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(sh|python|yaml)\n(.*?)```", README, flags=re.S)
MAKE = re.compile(r"^make\s+(.*)$", re.M)


def test_the_readme_has_blocks_of_each_kind() -> None:
    assert {kind for kind, _ in BLOCKS} == {"sh", "python", "yaml"}


@pytest.fixture(scope="module")
def sandbox(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as a newcomer's checkout looks after `make run`: `data/` (a copy of the sample warehouse) and
    `.venv` (this interpreter's environment)."""
    root = tmp_path_factory.mktemp("newcomer")
    shutil.copytree(corpus, root / "data", ignore=shutil.ignore_patterns("staging", "store", "review"))
    (root / ".venv").symlink_to(Path(sys.prefix))
    assert main(["status", "--data-dir", str(root / "data")]) == 0
    return root


def _runnable(block: str) -> str:
    """The block with each `make TARGET...` line as a dry run in the checkout (the comment after it dropped)."""
    return MAKE.sub(lambda m: f"make -C '{ROOT}' -n {m.group(1).split('#')[0].strip()} >/dev/null", block)


@pytest.mark.parametrize("block", [b for k, b in BLOCKS if k == "sh"],
                         ids=[f"sh{i + 1}" for i in range(sum(1 for k, _ in BLOCKS if k == "sh"))])
def test_shell_block_runs(sandbox: Path, block: str) -> None:
    env = {**os.environ, "YUSUAN_DATA_DIR": str(sandbox / "data")}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", _runnable(block)], cwd=sandbox, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{block}\n--- stdout\n{done.stdout[-2000:]}\n--- stderr\n{done.stderr[-2000:]}"
    if "three_public_expenses" in block:  # the first analyst command prints exact amounts as Decimal
        assert "Decimal('" in done.stdout and "float" not in done.stdout


@pytest.mark.parametrize("block", [b for k, b in BLOCKS if k == "python"])
def test_python_block_compiles(block: str) -> None:
    ast.parse(block)


@pytest.mark.parametrize("block", [b for k, b in BLOCKS if k == "yaml"])
def test_yaml_block_parses(block: str) -> None:
    assert yaml.safe_load(block)
