import shutil
from pathlib import Path

import pytest

from shebao.data import default_directory


@pytest.fixture
def policy_copy(tmp_path) -> Path:
    """A writable copy of the shipped tables, for breaking them on purpose."""
    target = tmp_path / "policydata"
    shutil.copytree(default_directory(), target, ignore=shutil.ignore_patterns("*.md"))
    return target


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
