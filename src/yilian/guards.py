"""The request guard (请求边界检查): what no endpoint ever lets through, checked once at
the edge instead of in every view or serializer.

- A body over ``settings.MAX_BODY_BYTES`` answers 413 — by its Content-Length, or, for a
  chunked body that has none, by reading at most one byte more than the limit.
- NUL bytes, lone surrogates and bytes that are not UTF-8 answer 400 wherever they are:
  the path, the query string (names and values), a form-encoded or multipart body (names
  and values), a JSON body (keys and values). PostgreSQL cannot store NUL in text, and a
  lone surrogate cannot be encoded at all: let through, either becomes a 500 on save or —
  worse, on SQLite — a stored record that answers 500 every time it is read.
- JSON nested deeper than :data:`MAX_JSON_DEPTH` answers 400 (Python's parser would
  otherwise recurse until it fails).

:class:`RequestGuardMiddleware` checks every request, JSON bodies included; the API
reads bodies through :class:`yilian.api.parsers.JSONParser` only (``REST_FRAMEWORK``'s
sole parser), which takes the document the middleware parsed (and checks it itself
when a request did not come through the middleware). Every refusal is an answer in the
API's error shape (:mod:`yilian.api.errors`), before any view runs, so a refused write
stores nothing.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

MAX_JSON_DEPTH = 32
_SURROGATES = range(0xD800, 0xE000)


class Refused(Exception):
    """The request breaks an edge rule; ``status`` and a field error say which."""

    def __init__(self, status: int, field: str, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.status = status
        # The API's error shape (yilian.api.errors), which this module must not import:
        # DRF loads the API's parser, and with it this module, while that one loads.
        self.error = {"field": field, "code": code, "message_zh": zh, "message_en": en}


def too_large(limit: int) -> Refused:
    return Refused(413, "", "request.too_large", f"请求内容过大（上限{limit}字节）",
                   f"the request body is larger than the limit of {limit} bytes")


def _nul(field: str) -> Refused:
    return Refused(400, field, "request.nul", "内容含有空字符（NUL），无法保存",
                   "the text contains a NUL character, which cannot be stored")


def _unencodable(field: str) -> Refused:
    return Refused(400, field, "request.encoding",
                   "内容含有无效字符（不是有效的UTF-8/Unicode，如孤立代理项），无法保存",
                   "the text is not valid Unicode (e.g. a lone surrogate) and cannot be stored")


def check_text(text: str, field: str) -> None:
    """Text that every database stores and every page can show: no NUL, no surrogate."""
    if "\x00" in text:
        raise _nul(field)
    if any(ord(ch) in _SURROGATES for ch in text):
        raise _unencodable(field)


def _decoded(raw: bytes, field: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # a surrogate in UTF-8 form (ED A0 80) lands here too
        raise _unencodable(field) from None
    check_text(text, field)
    return text


def check_urlencoded(raw: bytes, where: str) -> None:
    """``a=1&b=2`` as the query string or a form body: each name and value, decoded."""
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        shown = _decoded(unquote_to_bytes(name.replace(b"+", b" ")), where)
        _decoded(unquote_to_bytes(value.replace(b"+", b" ")), shown or where)


# JSON


def json_depth_within(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does no array or object nest deeper than ``limit``? One pass over the bytes,
    brackets inside strings ignored, so it is safe on any input."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _walk(value, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a parsed JSON document (keys included) with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            yield child if _storable(key) else path, key
            yield from _walk(item, child if _storable(key) else path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _storable(text: str) -> bool:
    return "\x00" not in text and not any(ord(ch) in _SURROGATES for ch in text)


def check_json(raw: bytes):
    """Parse a JSON body under the edge rules; return the document."""
    if not json_depth_within(raw):
        raise Refused(400, "", "request.depth", f"JSON嵌套层数过多（最多{MAX_JSON_DEPTH}层）",
                      f"the JSON nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refused(400, "", "parse_error", "请求内容无法解析（JSON 格式错误）",
                      f"the body is not valid JSON: {exc}") from None
    for path, text in _walk(document, ""):
        check_text(text, path)
    return document


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


# The middleware


def _chunked(request: HttpRequest) -> bool:
    return (not request.META.get("CONTENT_LENGTH")
            and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower())


def _read_chunked(request: HttpRequest, limit: int) -> None:
    """Django reads nothing of a body without Content-Length; read it here, at most one
    byte past the limit, and hand it on as if it had come with its length."""
    stream = request.META.get("wsgi.input")
    data = b""
    while stream is not None and len(data) <= limit:
        piece = stream.read(min(65536, limit + 1 - len(data)))
        if not piece:
            break
        data += piece
    if len(data) > limit:
        raise too_large(limit)
    request.META["CONTENT_LENGTH"] = str(len(data))
    request._stream = io.BytesIO(data)
    request._read_started = False


def check_request(request: HttpRequest) -> None:
    limit = settings.MAX_BODY_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise too_large(limit)
    if _chunked(request):
        _read_chunked(request, limit)
    check_text(request.path_info, "path")
    check_urlencoded(request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace"),
                     "query")
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        # Parsed once, here, for every endpoint whatever parser it declares; the API's
        # parser takes the document from the request instead of parsing it again.
        request.guarded_json = check_json(request.body) if request.body else None
    elif content_type == "application/x-www-form-urlencoded":
        check_urlencoded(request.body, "form")
    elif content_type.startswith("multipart/"):
        # The body is read (and kept) first, so that whoever comes next can still read
        # it — or refuse its type, as the JSON-only API does — rather than find the
        # stream spent by the form parsing here.
        request.body  # noqa: B018
        try:
            fields = request.POST.lists()
        except MultiPartParserError as exc:
            raise Refused(400, "form", "request.multipart", "表单内容无法解析",
                          f"the multipart body cannot be parsed: {exc}") from None
        for name, values in fields:
            check_text(name, "form")
            for value in values:
                check_text(value, name)
        for name in request.FILES:
            check_text(name, "form")


class RequestGuardMiddleware:
    """First in the chain: every request passes :func:`check_request` or is answered
    with its refusal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except Refused as refused:
            return JsonResponse({"errors": [refused.error]}, status=refused.status)
        return self.get_response(request)
