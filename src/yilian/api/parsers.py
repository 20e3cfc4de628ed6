"""The API's only parser: JSON, read under the edge rules of :mod:`yilian.guards`
(nesting depth, NUL, lone surrogates — keys included)."""

from __future__ import annotations

from rest_framework import parsers

from yilian import guards


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = getattr((parser_context or {}).get("request"), "_request", None)
        if hasattr(request, "guarded_json"):  # checked and parsed by the middleware
            return request.guarded_json
        raw = stream.read() if stream is not None else b""
        try:
            return guards.check_json(raw)
        except guards.Refused as refused:
            # Imported here: DRF imports this module while yilian.api.errors loads.
            from yilian.api.errors import FieldErrors

            error = FieldErrors([refused.error])
            error.status_code = refused.status
            raise error from None
