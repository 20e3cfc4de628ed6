"""Readers of the deployment artifacts (部署文件) that no engine builds here: the lock
files, the Dockerfile, the compose file and the systemd units. The tests beside this
file hold what they say against the code (CLI, settings, conf.py)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "requirements"
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "deploy" / "compose.yaml"
SYSTEMD = ROOT / "deploy" / "systemd"

# The secrets a production deployment must give (DESIGN.md §5): each as the variable
# itself or as <name>_FILE, a path to a mounted secret.
PRODUCTION_SECRETS = ("YILIAN_SECRET_KEY", "YILIAN_SIGNING_KEY")


# Variables the artifacts may set before the code that reads them lands (none now).
PENDING: set[str] = set()


def declared(name: str) -> bool:
    """Whether Yilian reads ``name``: declared in conf.py (or about to be, PENDING)."""
    from yilian import conf

    return name in conf.VARIABLES or name in PENDING


def assignments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """``A=1 B=2 cmd args`` (a shell command's leading variables) as ({A: 1, B: 2},
    [cmd, args])."""
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    return env, words


def logical_lines(text: str) -> list[str]:
    """Lines with backslash continuations joined and comments dropped (lock files,
    Dockerfiles and unit files all continue lines this way)."""
    lines, current = [], ""
    for raw in text.splitlines():
        if not current and raw.lstrip().startswith("#"):
            continue
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    return lines


@dataclass
class Pin:
    requirement: Requirement
    hashes: list[str]

    @property
    def version(self) -> str:
        return next(iter(self.requirement.specifier)).version


def read_lock(name: str) -> dict[str, Pin]:
    """``requirements/<name>.txt`` as pins by canonical name."""
    pins = {}
    for line in logical_lines((LOCKS / name).read_text(encoding="utf-8")):
        hashes = re.findall(r"--hash=(\S+)", line)
        requirement = Requirement(re.sub(r"--hash=\S+", "", line).strip())
        pins[canonicalize_name(requirement.name)] = Pin(requirement, hashes)
    return pins


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


def read_dockerfile() -> list[Stage]:
    """The Dockerfile's stages, each with its (INSTRUCTION, arguments) in order."""
    stages: list[Stage] = [Stage("(global)")]
    for line in logical_lines(DOCKERFILE.read_text(encoding="utf-8")):
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            stages.append(Stage(words[-1] if "AS" in (w.upper() for w in words) else ""))
        stages[-1].instructions.append((keyword, args.strip()))
    return stages


def exec_form(args: str) -> list[str]:
    """A CMD/HEALTHCHECK CMD in JSON (exec) form as its argument list."""
    import json

    return json.loads(args)


def env_assignments(args: str) -> dict[str, str]:
    """``ENV A=1 B=2`` (the key=value form) as a dict."""
    return dict(word.split("=", 1) for word in shlex.split(args))


def read_compose() -> dict:
    import yaml

    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def read_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit or drop-in: section → [(key, value)] in order (keys repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in logical_lines(path.read_text(encoding="utf-8")):
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif current is not None and "=" in line:
            key, value = line.split("=", 1)
            current.append((key.strip(), value.strip()))
    return sections


def read_env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in logical_lines(path.read_text(encoding="utf-8")))
