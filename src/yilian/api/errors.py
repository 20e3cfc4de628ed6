"""One error shape for the whole API, with Chinese and English messages.

Validation failures answer 400 with ``errors``: a list of ``{field, code, message_zh,
message_en}``; ``field`` is a path such as ``investors[0].id_number``. Anything DRF raises
is put in the same shape, and an unexpected error is logged and answered 500 in that
shape too rather than with an HTML page.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from yilian.observability import DATABASE_DOWN

log = logging.getLogger("yilian.api")

# DRF's generic messages, said in Chinese too.
_ZH = {
    "not_authenticated": "未登录或令牌无效",
    "authentication_failed": "身份验证失败",
    "permission_denied": "无权进行此操作",
    "not_found": "未找到",
    "method_not_allowed": "不支持该请求方法",
    "parse_error": "请求内容无法解析（JSON 格式错误）",
    "unsupported_media_type": "不支持的内容类型",
    "throttled": "请求过于频繁",
    "required": "此项为必填项",
    "invalid": "格式不正确",
    "null": "此项不能为空",
    "blank": "此项不能为空",
    "max_length": "内容过长",
    "invalid_choice": "不是有效选项",
    "max_digits": "数字位数过多",
    "money": "金额应为字符串形式的数字，最多两位小数，如 \"100000.00\"",
    "money_unit": "金额以元为单位，只写数字，不带“万”“元”等单位和千位分隔符："
                  "如100万元写作 \"1000000.00\"",
    "max_decimal_places": "小数位数过多（最多两位）",
    "max_whole_digits": "整数位数过多",
    "not_a_list": "应为列表",
    "date": "日期格式应为 YYYY-MM-DD",
}


class FieldErrors(APIException):
    """Raised by services with already-shaped field errors."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("validation failed")
        self.errors = errors


class Throttled(FieldErrors):
    """Refused for asking too often, not for what was asked: 429, so clients back off
    (``Retry-After`` when the wait is known)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS

    def __init__(self, errors: list[dict], wait: int | None = None) -> None:
        super().__init__(errors)
        self.wait = wait


def field_error(field: str, code: str, message_zh: str, message_en: str) -> dict:
    return {"field": field, "code": code, "message_zh": message_zh, "message_en": message_en}


def flatten(detail, prefix: str = "") -> list[dict]:
    """Turn DRF's nested error detail into a flat list of field errors."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # items of a list, which DRF reports by index
                out.extend(flatten(value, f"{prefix}[{key}]"))
                continue
            name = "" if key == "non_field_errors" else str(key)
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.extend(flatten(value, path))
    elif isinstance(detail, list):
        if detail and all(isinstance(d, (dict, list)) for d in detail):
            for i, item in enumerate(detail):
                out.extend(flatten(item, f"{prefix}[{i}]"))
        else:
            for item in detail:
                out.extend(flatten(item, prefix))
    else:
        code = getattr(detail, "code", "invalid") or "invalid"
        out.append(field_error(prefix, code, _ZH.get(code, "输入有误"), str(detail)))
    return out


def exception_handler(exc, context):
    # Django's own 404 and 403 become DRF's, so that their codes are said right.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, FieldErrors):
        wait = getattr(exc, "wait", None)
        return Response({"errors": exc.errors}, status=exc.status_code,
                        headers={"Retry-After": str(wait)} if wait else None)
    if isinstance(exc, DATABASE_DOWN):
        return None  # no bug: raised on to the outermost middleware, which answers 503
    response = drf_exception_handler(exc, context)
    if response is None:
        log.exception("unhandled API error", exc_info=exc)
        return Response(
            {"errors": [field_error("", "server_error", "服务器内部错误，已记录",
                                    "internal error; it has been logged")]},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, ValidationError):
        response.data = {"errors": flatten(exc.detail)}
    else:
        code = getattr(exc, "default_code", "error")
        codes = exc.get_codes() if isinstance(exc, APIException) else code
        code = codes if isinstance(codes, str) else code
        response.data = {"errors": [field_error("", code, _ZH.get(code, "请求失败"),
                                                str(getattr(exc, "detail", exc)))]}
    return response
