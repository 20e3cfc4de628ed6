"""The systemd units (服务单元) for hosts without containers: verified by systemd itself,
and held against the CLI and conf.py like the compose file."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.artifacts import (
    PRODUCTION_SECRETS,
    SYSTEMD,
    declared,
    read_env_file,
    read_unit,
)
from tests.deploy.test_image import parse_command

UNITS = {"yilian-web.service": "serve", "yilian-worker.service": "worker",
         "yilian-migrate.service": "manage"}
INSTALLED = "/opt/yilian/bin/yilian"


def settings(unit: str) -> dict[str, list[str]]:
    """The [Service] keys of ``unit`` with the shared drop-in applied (values in order)."""
    merged: dict[str, list[str]] = {}
    for path in (SYSTEMD / "yilian-.service.d" / "common.conf", SYSTEMD / unit):
        for key, value in read_unit(path).get("Service", []):
            merged.setdefault(key, []).append(value)
    return merged


def test_systemd_analyze_verifies_the_units(tmp_path):
    """systemd's own reading: unknown keys, bad values and missing programs are reported.
    The units name the installed program, so the copies checked name this one."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    here = str(Path(sys.executable).with_name("yilian"))
    shutil.copytree(SYSTEMD / "yilian-.service.d", tmp_path / "yilian-.service.d")
    for unit in UNITS:
        text = (SYSTEMD / unit).read_text(encoding="utf-8")
        assert INSTALLED in text
        (tmp_path / unit).write_text(text.replace(INSTALLED, here), encoding="utf-8")
    done = subprocess.run([analyze, "verify", *UNITS], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={"SYSTEMD_UNIT_PATH": f"{tmp_path}:",
                                                      "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), \
        done.stdout + done.stderr


@pytest.mark.parametrize(("unit", "subcommand"), sorted(UNITS.items()))
def test_each_unit_runs_a_yilian_command_that_exists(unit, subcommand):
    (start,) = settings(unit)["ExecStart"]
    argv = shlex.split(start)
    assert argv[0] == INSTALLED
    assert parse_command(["yilian", *argv[1:]]).command == subcommand


def test_web_and_worker_wait_for_the_migrations():
    for unit in ("yilian-web.service", "yilian-worker.service"):
        needs = dict(read_unit(SYSTEMD / unit)["Unit"])
        assert "yilian-migrate.service" in needs["Requires"]
        assert "yilian-migrate.service" in needs["After"]
    assert settings("yilian-migrate.service")["Type"] == ["oneshot"]
    assert "migrate" in settings("yilian-migrate.service")["ExecStart"][0].split()


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_unit_variables_are_declared_and_secrets_are_credentials(unit):
    service = settings(unit)
    (env_file,) = service["EnvironmentFile"]
    example = read_env_file(SYSTEMD / Path(env_file).name)
    env = dict(pair.split("=", 1) for pair in service["Environment"])
    for name in {**example, **env}:
        assert declared(name), f"{unit}: {name} is not declared in yilian/conf.py"
    credentials = {c.split(":", 1)[0] for c in service["LoadCredential"]}
    for secret in PRODUCTION_SECRETS + ("YILIAN_DATABASE_URL",):
        assert f"{secret}_FILE" in env, f"{unit} lacks {secret}_FILE"
        # A secret never sits in the settings file, which is not a credential.
        assert secret not in example and f"{secret}_FILE" not in example
    for name, value in env.items():
        if name.endswith("_FILE"):
            assert value.startswith("%d/") and value[3:] in credentials, name
    assert env["YILIAN_DATA_DIR"] == f"/var/lib/{service['StateDirectory'][0]}"
    assert service["User"] != ["root"]
