"""The lock files (锁定文件) are in step with pyproject.toml, every pin carries hashes, and
this environment was installed from them (as ./run and so CI do)."""

from __future__ import annotations

import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.artifacts import LOCKS, ROOT, read_lock

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
# Production installs every optional extra but dev: one image, configured at run time.
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]] + [
    Requirement(r) for name, extra in EXTRAS.items() if name != "dev" for r in extra]
DEV = [Requirement(r) for r in EXTRAS["dev"]]
BUILD = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]


def extra_requirements(requirement: Requirement) -> list[Requirement]:
    """What ``name[extra]`` adds to ``name``, read from the installed packages' metadata,
    extras of extras included (celery[redis] needs kombu[redis], which needs redis)."""
    if not requirement.extras:
        return []
    try:
        requires = metadata.requires(requirement.name) or []
    except metadata.PackageNotFoundError:
        pytest.fail(f"{requirement.name} is not installed: ./run installs the lock")
    found = []
    for line in requires:
        needed = Requirement(line)
        if needed.marker and any(needed.marker.evaluate({"extra": extra})
                                 for extra in requirement.extras):
            if not needed.marker.evaluate({"extra": ""}):
                found += [needed, *extra_requirements(needed)]
    return found


@pytest.mark.parametrize(("lock", "requirements"), [
    ("runtime.txt", RUNTIME), ("dev.txt", RUNTIME + DEV), ("build.txt", BUILD)],
    ids=["runtime", "dev", "build"])
def test_every_dependency_of_pyproject_is_pinned_within_its_range(lock, requirements):
    pins = read_lock(lock)
    problems = []
    for requirement in requirements:
        for needed in [requirement, *extra_requirements(requirement)]:
            pin = pins.get(canonicalize_name(needed.name))
            if pin is None:
                problems.append(f"{needed} (from {requirement}) is not in {lock}")
            elif not needed.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{lock} pins {needed.name}=={pin.version}, outside {needed}")
    assert not problems, "run requirements/update (docs/DEPLOY.md):\n" + "\n".join(problems)


@pytest.mark.parametrize("lock", ["runtime.txt", "dev.txt", "build.txt"])
def test_every_pin_is_exact_and_carries_sha256_hashes(lock):
    pins = read_lock(lock)
    assert pins
    for name, pin in pins.items():
        assert str(pin.requirement.specifier).startswith("=="), name
        assert pin.hashes and all(h.startswith("sha256:") for h in pin.hashes), name


def test_tests_and_production_run_the_same_versions():
    runtime, dev, build = (read_lock(f"{n}.txt") for n in ("runtime", "dev", "build"))
    for name, pin in runtime.items():
        assert dev[name].version == pin.version, name
    for name, pin in build.items():
        assert name not in dev or dev[name].version == pin.version, name


def test_this_environment_was_installed_from_the_lock():
    """./run installs requirements/dev.txt with --require-hashes; a version that differs
    here means the tests ran on something else than what is locked."""
    differ = []
    for name, pin in read_lock("dev.txt").items():
        if pin.requirement.marker and not pin.requirement.marker.evaluate():
            continue
        installed = metadata.version(name)
        if installed != pin.version:
            differ.append(f"{name}: installed {installed}, locked {pin.version}")
    assert not differ, "\n".join(differ)


def test_run_ci_and_the_image_install_with_require_hashes():
    run = (ROOT / "run").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements/dev.txt" in run
    assert "--require-hashes -r requirements/build.txt" in run
    assert "./run test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--require-hashes" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert (LOCKS / "update").stat().st_mode & 0o111
