"""Every ``YILIAN_*`` environment variable, read through one helper.

Settings come from the environment with embedded defaults, so a fresh clone runs with
nothing configured (SQLite file, in-process worker). ``yilian config`` prints this table.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    help: str
    secret: bool = False


VARIABLES: dict[str, Variable] = {}


def _declare(name: str, default: str, help: str, secret: bool = False) -> None:
    VARIABLES[name] = Variable(name, default, help, secret)


def _declare_secret(name: str, help: str, file_help: str = "") -> None:
    """A secret and its ``_FILE`` twin (a mounted secret, read by :func:`get_secret`)."""
    _declare(name, "", help, secret=True)
    _declare(f"{name}_FILE", "", file_help or f"A file holding {name} (a mounted secret), "
             f"read when {name} is empty.")


_declare("YILIAN_DATA_DIR", "./.yilian", "Embedded database, signing key and generated files.")
_declare("YILIAN_DATABASE_URL", "", "postgres://user:pass@host:5432/db for production; "
         "empty means the SQLite file in the data dir.")
_declare("YILIAN_DATABASE_PREPARE_THRESHOLD", "5", "PostgreSQL: the chain's own statements "
         "are prepared once a connection has run one this many times (parsed and planned "
         "once, not at every step); 0 never prepares them (a pooler in transaction mode "
         "that cannot keep prepared statements).")
_declare("YILIAN_DATABASE_URL_FILE", "", "A file holding YILIAN_DATABASE_URL (a mounted "
         "secret: the URL carries the database password), read when that is empty.")
_declare("YILIAN_BROKER_URL", "", "redis://host:6379/0 to run chain steps on Celery workers; "
         "empty means the in-process (embedded) worker.")
_declare_secret("YILIAN_SECRET_KEY", "Django secret key (sessions, sign-in codes): the same "
                "on every host. Required with YILIAN_DATABASE_URL (or YILIAN_SECRET_KEY_FILE); "
                "on the embedded default, generated into the data dir when empty.")
_declare_secret("YILIAN_SECRET_KEY_FALLBACKS", "Earlier secret keys, still accepted but never "
                "used to sign (Django's SECRET_KEY_FALLBACKS), separated by whitespace: "
                "rotating YILIAN_SECRET_KEY with the old one here signs nobody out and "
                "keeps sign-in codes, sessions and API tokens valid; remove it once they "
                "have expired (docs/DEPLOY.md).",
                "A file holding the earlier secret keys, one per line (a mounted secret), "
                "read when YILIAN_SECRET_KEY_FALLBACKS is empty.")
_declare("YILIAN_DEBUG", "0", "1 turns on Django debug pages (never in production).")
_declare("YILIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver",
         "Comma-separated host names this server answers to.")
_declare("YILIAN_HTTPS", "0", "1 behind an HTTPS proxy (production): secure cookies, "
         "redirect to HTTPS, HSTS, and trust the proxy's X-Forwarded-Proto.")
_declare("YILIAN_HSTS_SECONDS", "31536000", "With YILIAN_HTTPS=1: how long browsers must "
         "use HTTPS only (HSTS max-age; 0 turns it off).")
_declare("YILIAN_CODES_PER_CLIENT", "20", "Sign-in codes one client address may ask for in "
         "ten minutes (against SMS bombing); raise it for a service hall behind one NAT.")
_declare("YILIAN_OBJECTIONS_PER_CLIENT", "10", "Objections to closings (异议) one client "
         "address may file in an hour: anyone may object, so one script must not flood "
         "the examiners and the register.")
_declare("YILIAN_SIGNIN_MAX_FAILURES", "5", "Failed password sign-ins (pages, admin, "
         "token endpoint) one account may have in the window before it is locked.")
_declare("YILIAN_SIGNIN_MAX_FAILURES_PER_CLIENT", "20", "Failed password sign-ins one client "
         "address may have in the window, whatever accounts it tries, before it is locked.")
_declare("YILIAN_SIGNIN_WINDOW_MINUTES", "15", "How far back failed sign-ins count, and so "
         "how long a lockout lasts after the last failure.")
_declare("YILIAN_STAFF_OTP", "", "1 makes staff (clerk, examiner, officers, admin) give a "
         "TOTP code after the password (pages and the token endpoint's `otp` field); 0 "
         "turns it off. Empty means on, except in demo mode (`yilian demo`).")
_declare("YILIAN_STAFF_IDLE_MINUTES", "30", "A staff session idle this long is signed out.")
_declare("YILIAN_API_TOKEN_HOURS", "12", "How long an API token from POST "
         "/api/v1/auth/token/ is valid.")
_declare("YILIAN_CODES_PER_ACCOUNT", "30", "Codes one signed-in account may have sent in a "
         "day (invitations to an application's parties and their resends), against SMS "
         "bombing from one account.")
_declare("YILIAN_MAX_NAMES_PER_ACCOUNT", "3", "Enterprise names one account may hold at "
         "once (accepted or in-review applications, reservations): against name squatting.")
_declare("YILIAN_DRAFT_DAYS", "30", "Days a draft may rest untouched before it expires "
         "(status expired: it can no longer be edited, and holds nothing).")
_declare("YILIAN_CLOSING_NOTICE_DAYS", "20", "Days a simplified closing (简易注销) stays on "
         "the public notice page (/gazette/) open to objections before its department chain "
         "starts; 0 starts it at once (`yilian demo` uses 0).")
_declare("YILIAN_MAX_BODY_BYTES", "1048576", "Largest request body accepted, in bytes "
         "(413 above it, chunked bodies included).")
_declare("YILIAN_STATIC_ROOT", "", "Folder of static files collected in advance (the "
         "container image does it at build time): `yilian serve` then serves them as they are "
         "and collects nothing at start. Empty means <data dir>/static, collected at start.")
_declare_secret("YILIAN_SIGNING_KEY", "The Ed25519 private key (PEM, PKCS#8) that signs "
                "licenses and audit checkpoints, the same on every host (a path to the PEM "
                "file is still read, as before). Required with YILIAN_DATABASE_URL (or "
                "YILIAN_SIGNING_KEY_FILE); on the embedded default, empty means <data "
                "dir>/keys/license-signing.pem, made on first use.",
                "A file holding the signing key (a mounted secret), read when "
                "YILIAN_SIGNING_KEY is empty; re-read when it changes.")
_declare("YILIAN_SIGNING_PUBLIC_KEYS", "", "Public keys (PEM, one after another) of other "
         "signing keys whose signatures still verify: retired keys, and the next key before "
         "it signs (docs/DEPLOY.md). <data dir>/keys/trusted/*.pem count too.")
_declare("YILIAN_SIGNING_PUBLIC_KEYS_FILE", "", "A PEM file of such public keys, or a "
         "directory of *.pem files (a mounted config map), read beside "
         "YILIAN_SIGNING_PUBLIC_KEYS.")
_declare("YILIAN_FILES_S3_BUCKET", "", "Keep generated files (license PDFs) in this bucket "
         "of an S3-compatible object store, shared by every host (needs the `s3` extra: "
         "pip install 'yilian[s3]'); empty means <data dir>/files on each host, where a "
         "host lacking a file renders it again, the same bytes.")
_declare("YILIAN_FILES_S3_ENDPOINT_URL", "", "The object store's URL (MinIO, Ceph, a "
         "cloud's S3-compatible service); empty means AWS.")
_declare("YILIAN_FILES_S3_REGION", "", "The bucket's region, if the store wants one.")
_declare("YILIAN_FILES_S3_PREFIX", "", "A folder inside the bucket for Yilian's files.")
_declare_secret("YILIAN_FILES_S3_ACCESS_KEY", "Access key id for the bucket (or _FILE); "
                "empty means boto3's own credentials (instance role, AWS_* variables).")
_declare_secret("YILIAN_FILES_S3_SECRET_KEY", "Secret access key for the bucket (or _FILE).")
_declare("YILIAN_CJK_FONT", "", "Path to a TrueType font preferred in PDFs; every "
         "character it lacks is printed in an installed font that has it, else in "
         "ReportLab's built-in CID font; 'cid' uses the CID font alone.")
_declare("YILIAN_FONT_DIRS", "", "Comma-separated folders searched for TrueType fonts for "
         "PDFs; empty means the system's (/usr/share/fonts, /usr/local/share/fonts, "
         "~/.local/share/fonts, ~/.fonts, and the macOS and Windows font folders).")
_declare("YILIAN_PUBLIC_URL", "http://127.0.0.1:8000", "Base URL of the public site: "
         "printed in license QR codes and in every link a text message carries (e.g. "
         "https://yilian.example.gov.cn). `yilian demo --port P` defaults it to "
         "http://127.0.0.1:P.")
_declare("YILIAN_SMS_URL", "", "The SMS provider's HTTP endpoint (POST JSON, see "
         "docs/DECISIONS.md); empty means texts stay in the outbox (/accounts/outbox/ in "
         "the demo), which is the default.")
_declare_secret("YILIAN_SMS_KEY", "The SMS provider's API key (sent as a bearer token); or "
                "YILIAN_SMS_KEY_FILE, a file holding it.")
_declare("YILIAN_SMS_MAX_ATTEMPTS", "8", "Tries of one text (5xx, timeouts) before it is "
         "marked failed; a refusal (4xx) fails it at once.")
_declare("YILIAN_SIM_LATENCY_MS", "0", "Department simulators: latency per call (ms), "
         "or 'min-max' for a uniform range.")
_declare("YILIAN_SIM_FAILURE_RATE", "0", "Department simulators: probability (0..1) that a "
         "call fails with a transient error.")
_declare("YILIAN_SIM_OUTAGES", "", "Department simulators: outage windows, e.g. "
         "'tax@02:00-03:30;seals@*' (department@HH:MM-HH:MM, or @* for always down).")
_declare("YILIAN_SIM_SEED", "", "Seed for the simulators' random numbers (reproducible runs).")
_declare("YILIAN_DEPARTMENTS", "", "Departments reached over HTTP (docs/department-protocol.md), "
         "e.g. 'tax=http://127.0.0.1:9101,seals=http://127.0.0.1:9102'; codes: seals, tax, "
         "social_security, medical_insurance, housing_fund, bank, identity, permits "
         "(registration is Yilian itself). Departments not listed use their in-process "
         "simulator. Checked at start: a bad entry stops Yilian.")
_declare("YILIAN_DEPARTMENT_<CODE>_SECRET", "", "The secret shared with one department "
         "listed in YILIAN_DEPARTMENTS (<CODE> upper-case: TAX, SEALS, SOCIAL_SECURITY …), "
         "signing requests both ways; required for every listed department.", secret=True)
_declare("YILIAN_DEPARTMENT_<CODE>_SECRET_FILE", "", "A file holding that secret (a mounted "
         "secret), read when YILIAN_DEPARTMENT_<CODE>_SECRET is empty.")
_declare("YILIAN_DEPARTMENT_TIMEOUT_SECONDS", "10", "Longest wait for a department's answer "
         "over HTTP; no answer by then is a transient error (asked again, same key).")
_declare("YILIAN_DEPARTMENT_CONNECT_TIMEOUT_SECONDS", "3", "Longest wait to connect to a "
         "department over HTTP.")
_declare("YILIAN_DEPARTMENT_POLL_GRACE_SECONDS", "30", "A step waiting for a department "
         "(待部门办结) is polled this long after the time the department said to expect "
         "its result, if no callback brought it first.")
_declare("YILIAN_DEPARTMENT_BATCH_SIZE", "10", "Most steps of one department asked in one "
         "request (the protocol's batch ask, yilian-dept/2; at most 50) when it is reached "
         "over HTTP; 1 asks one step a request (yilian-dept/1).")
_declare("YILIAN_EMBEDDED_WORKERS", "2", "Threads of the embedded worker.")
_declare("YILIAN_STEP_LEASE_SECONDS", "60", "How long a claimed step may run before the "
         "sweeper takes it back.")
_declare("YILIAN_SWEEP_SECONDS", "5", "How often the sweeper looks for ready or abandoned steps.")
_declare("YILIAN_SWEEPER_LEASE_SECONDS", "10", "Every worker runs the sweeper; one at a "
         "time holds its lease (a row in the database, renewed a few times per period) and "
         "does the work. When the holder dies, another takes over this long after its last "
         "renewal.")
_declare("YILIAN_SWEEP_GRACE_SECONDS", "10", "How long a step may stay ready before the "
         "sweeper assumes its message was lost and sends another.")
_declare("YILIAN_STEPS_PER_MESSAGE", "8", "Steps made ready together (a registration's "
         "followers, the sweeper's resends) travel in one queue message, up to this many; "
         "one worker then runs them one after another. 1: a message per step, each on "
         "whichever worker is free (departments that answer slowly).")
_declare("YILIAN_AUDIT_CHECKPOINT_SECONDS", "300", "How often the audit trail's stream heads "
         "are checkpointed and signed; entries newer than the last checkpoint are "
         "hash-chained but a deleted tail among them is not yet detectable.")
_declare("YILIAN_MAX_AUTO_ATTEMPTS", "24", "Automatic tries of a step before it waits for a "
         "person (status failed).")
_declare("YILIAN_DEPARTMENT_CIRCUIT_FAILURES", "5", "Transient failures in a row (any of a "
         "department's steps) that open its circuit: its steps then wait without being "
         "asked, and without counting towards YILIAN_MAX_AUTO_ATTEMPTS.")
_declare("YILIAN_DEPARTMENT_PROBE_SECONDS", "20", "How often the sweeper asks a department "
         "whose circuit is open whether it is back (its health check); when it is, the "
         "circuit closes and every step waiting for it is asked at once.")
_declare("YILIAN_SLA_SECONDS", "3600", "The promise: acceptance to last step (one hour).")
_declare("YILIAN_ZONE_DIVISION", "371071", "The zone this deployment serves (GB/T 2260 code, "
         "zone codes included): new applications' division picker starts there, and the "
         "dashboard's statistics are the zone's. 371071 is 威海火炬高技术产业开发区.")
_declare("YILIAN_LOG_FORMAT", "", "json: one JSON object per log line (time, level, "
         "logger, message, request id, application id, step); text: readable lines. Empty "
         "means json in production (a database URL, not demo mode), text otherwise.")
_declare("YILIAN_ACCESS_LOG", "", "1 writes one log line per request (method, path, "
         "status, duration, request id; probes left out), 0 none. Empty means on in "
         "production, off on the embedded default.")
_declare("YILIAN_METRICS_TOKEN", "", "Bearer token that may read /metrics from anywhere; "
         "or YILIAN_METRICS_TOKEN_FILE, a file holding it.", secret=True)
_declare("YILIAN_METRICS_TOKEN_FILE", "", "A file holding the /metrics token (a mounted "
         "secret), read when YILIAN_METRICS_TOKEN is empty.")
_declare("YILIAN_METRICS_NETWORKS", "127.0.0.0/8,::1/128", "Comma-separated networks "
         "(CIDR) that may read /metrics without the token, over a direct connection "
         "(a request with X-Forwarded-For or Forwarded never counts as direct).")
_declare("YILIAN_STATIC_MANIFEST", "", "1 serves static files under content-hashed names, "
         "with gzip copies (collectstatic makes them; `yilian serve` runs it); 0 "
         "plain names. Empty means on in production, off on the embedded default.")
_declare("YILIAN_SENTRY_DSN", "", "Sentry DSN: errors are reported there (needs the "
         "optional extra: pip install 'yilian[sentry]'); empty means no reporting.",
         secret=True)
_declare("YILIAN_SENTRY_ENVIRONMENT", "", "Environment name shown in Sentry "
         "(production, staging ...).")
_declare("YILIAN_KINDS_OPEN", "", "Comma-separated kinds of market entity (codes of "
         "refdata/data/kinds.json) opened for online application ahead of the catalogue's "
         "`available` flag: for training and the browser tests of a kind whose every part "
         "is not yet in (docs/entity-kinds.md). Empty in production.")
_declare("YILIAN_DEMO", "0", "1 when running `yilian demo` (demo accounts exist only then).")


def _pattern(template: str) -> re.Pattern:
    return re.compile(re.escape(template).replace(re.escape("<CODE>"), "[A-Z][A-Z0-9_]*"))


def declared(name: str) -> Variable:
    """The declaration of ``name``: itself, or a family such as
    ``YILIAN_DEPARTMENT_<CODE>_SECRET`` that it belongs to; KeyError otherwise."""
    if name in VARIABLES:
        return VARIABLES[name]
    for var in VARIABLES.values():
        if "<CODE>" in var.name and _pattern(var.name).fullmatch(name):
            return var
    raise KeyError(name)


def get(name: str) -> str:
    """The value of a declared variable, or its default."""
    var = declared(name)
    return os.environ.get(name, var.default)


def get_bool(name: str) -> bool:
    return get(name).strip().lower() in {"1", "true", "yes", "on"}


def get_int(name: str) -> int:
    return int(get(name))


def get_float(name: str) -> float:
    return float(get(name))


def get_secret(name: str) -> str:
    """A secret from ``name`` or, when that is empty, from the file ``name_FILE`` names
    (a mounted secret); surrounding whitespace stripped."""
    value = get(name)
    path = os.environ.get(f"{name}_FILE", "")
    if not value and path:
        value = Path(path).expanduser().read_text(encoding="utf-8")
    return value.strip()


def data_dir() -> Path:
    """The data dir, made private (0700: see :mod:`yilian.files`)."""
    from yilian.files import private_dir

    return private_dir(Path(get("YILIAN_DATA_DIR")).expanduser().resolve())


# The password of any URL in a value (``scheme://user:password@host``), lists included.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^\s,/]*(?=@)")


def masked(name: str, value: str) -> str:
    """``value`` fit to print: a secret's whole value hidden, a URL's password hidden."""
    try:
        secret = declared(name).secret
    except KeyError:
        secret = False
    if ("SECRET" in name or secret) \
            and not name.endswith("_FILE"):
        return "***"
    return _URL_PASSWORD.sub(r"\g<head>***", value)


def describe() -> str:
    """A table of every variable, its current value and help, for ``yilian config``;
    secrets and passwords in URLs masked (:func:`masked`)."""
    lines = []
    for var in VARIABLES.values():
        value = os.environ.get(var.name)
        shown = "(default)" if value is None else masked(var.name, value)
        if "<CODE>" in var.name:  # a family: the members that are set
            members = sorted(n for n in os.environ if _pattern(var.name).fullmatch(n))
            shown = ", ".join(f"{n}={masked(n, os.environ[n])}" for n in members)
            lines.append(f"{var.name} (set: {shown or 'none'})\n    {var.help}")
            continue
        lines.append(f"{var.name}={shown}\n    {var.help} Default: {var.default!r}")
    return "\n".join(lines)
