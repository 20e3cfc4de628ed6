"""``yilian check uscc`` / ``yilian check id`` as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

YILIAN = str(Path(sys.executable).with_name("yilian"))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([YILIAN, "check", *args], capture_output=True, text=True, timeout=60)


def test_a_valid_uscc_exits_0():
    result = run("uscc", "91330100716105852F")
    assert result.returncode == 0
    assert "valid" in result.stdout and "330100" in result.stdout


def test_an_invalid_uscc_exits_1_with_the_reason():
    result = run("uscc", "91330100716105852G")
    assert result.returncode == 1
    assert "校验码错误" in result.stdout and "position 18 should be F" in result.stdout


def test_an_id_number():
    assert run("id", "11010519491231002X").returncode == 0
    bad = run("id", "110105194902300026")
    assert bad.returncode == 1 and "birth date" in bad.stdout
