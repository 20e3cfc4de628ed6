"""The API speaks both languages itself: each error carries ``message_zh`` (from its
code) and ``message_en``. DRF's own texts (``Not found.``, ``This field is required.``)
are therefore made in English under ``/api/``, whatever language the client's
Accept-Language would choose for a page — before this, a Chinese browser got
``"message_en": "未找到。"``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

API = "/api/"


class EnglishMessagesForTheAPI:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API):
            return self.get_response(request)
        with translation.override("en"):
            request.LANGUAGE_CODE = "en"
            return self.get_response(request)
