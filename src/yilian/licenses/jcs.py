"""JSON Canonicalization Scheme (JCS, RFC 8785): the one byte form of a JSON value that
gets signed or hashed, and a strict parser for documents that claim to be in it.

RFC 8785 canonical form, in short: no whitespace; object members sorted by their names
compared as UTF-16 code units; strings with only ``\\"``, ``\\\\``, ``\\b \\f \\n \\r \\t``
and ``\\u00xx`` (lower-case hex, for the other control characters) escaped, everything
else as UTF-8; numbers as ECMAScript's ``Number.prototype.toString`` writes an IEEE 754
double; ``true``, ``false``, ``null``. Any language with a JCS library (or JavaScript's
``JSON.stringify`` on sorted members) can reproduce the bytes, so a Yilian license can be
verified without Yilian — docs/license-format.md says how.

Written here rather than taken from PyPI (docs/DECISIONS.md): it is eighty lines, the
parse side has to be strict in ways a serializer library does not cover (duplicate
names, ``NaN``), and the tests pin it to the RFC's own examples.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any

# I-JSON (RFC 7493) numbers: integers beyond 2**53 do not survive a double, so a signer
# and a verifier in another language could disagree about them. They are refused.
MAX_SAFE_INTEGER = 2**53 - 1


class NotCanonicalizable(ValueError):
    """The value has no RFC 8785 form: NaN or infinity, an integer beyond ±(2**53 − 1),
    a lone surrogate, a non-string object key, or a type JSON does not have."""


class DuplicateKey(ValueError):
    """A JSON object names the same member twice (RFC 8259 leaves the meaning open, so two
    readers could see two different documents; JCS input must not have them)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def _number(value: float) -> str:
    """ECMAScript Number::toString for a finite double (ECMA-262, 7.1.12.1). Python's repr
    gives the same shortest round-tripping digits; only their layout differs."""
    if value == 0:
        return "0"  # minus zero too
    if value < 0:
        return "-" + _number(-value)
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    raw = whole + fraction
    zeros = len(raw) - len(raw.lstrip("0"))
    digits = raw[zeros:].rstrip("0")
    k = len(digits)
    # ``value`` = 0.<digits> × 10**n: the n of the ECMAScript algorithm.
    n = len(whole) + int(exponent or 0) - zeros
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{head}e{sign}{abs(e)}"


def _utf16_key(name: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the sequence of code units does.
    return name.encode("utf-16-be", "surrogatepass")


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        # The standard library escapes exactly the set RFC 8785 escapes, in lower-case
        # hex; lone surrogates pass through here and are caught by the UTF-8 encoding.
        # (What json.dumps(value, ensure_ascii=False) calls, without its set-up: every
        # audit entry's digest passes here.)
        out.append(encode_basestring(value))
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotCanonicalizable(f"integer {value} is beyond ±(2**53 − 1)")
        out.append(str(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NotCanonicalizable(f"{value} is not a JSON number")
        out.append(_number(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise NotCanonicalizable("object keys must be strings")
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16_key)):
            if i:
                out.append(",")
            out.append(encode_basestring(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    else:
        raise NotCanonicalizable(f"{type(value).__name__} is not a JSON type")


def canonical(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value`` (built from dict, list, str, int, float, bool,
    None). Raises :class:`NotCanonicalizable` for what has no canonical form."""
    out: list[str] = []
    _write(value, out)
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NotCanonicalizable("a string holds a lone surrogate") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _integer(text: str) -> int | float:
    """An integer as a JavaScript reader sees it: exact while safe, else a double (whose
    canonical form then differs from the text unless the text was already canonical)."""
    value = int(text)
    return value if abs(value) <= MAX_SAFE_INTEGER else float(text)


def parse(data: bytes | str) -> Any:
    """Parse JSON text strictly: UTF-8 only (no byte-order mark), no duplicate member
    names (:class:`DuplicateKey`), no ``NaN``/``Infinity``. Any other malformation is a
    ``ValueError`` (``RecursionError`` for absurd nesting)."""
    if isinstance(data, bytes | bytearray):
        data = bytes(data).decode("utf-8")  # a UnicodeDecodeError is a ValueError
    if data.startswith("\ufeff"):
        raise ValueError("a byte-order mark is not JSON")
    return json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                      parse_int=_integer)


def is_canonical(data: bytes) -> bool:
    """Whether ``data`` is exactly the canonical form of the JSON it holds."""
    try:
        return canonical(parse(data)) == data
    except (ValueError, RecursionError):
        return False
