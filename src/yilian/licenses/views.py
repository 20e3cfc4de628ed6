"""The public verification page (执照核验) that a license's QR code opens.

The page shows the register's copy of the license and whether its signature verifies,
so whoever holds a printout can compare it with the register: a forged printout can copy
the QR code, but not change what this page says.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from yilian.codes.errors import fold_width
from yilian.labels import bilingual
from yilian.licenses import signing
from yilian.licenses.models import License
from yilian.licenses.services import labels_for


def rows(content: dict) -> list[tuple[str, str]]:
    """(label in the reader's language, value) for every printed field, in print order.
    Values are shown as printed — in Chinese — so that they can be compared with the
    printout."""
    return [(gettext(label), str(content.get(key, "")))
            for key, label in labels_for(content).items()]


@require_GET
def verify_page(request: HttpRequest, uscc: str) -> HttpResponse:
    uscc = fold_width(uscc).strip().upper()  # one spelling (full-width digits too)
    lic = License.objects.filter(uscc=uscc).order_by("-version").first()
    if lic is None:
        return render(request, "licenses/not_found.html", {"uscc": uscc}, status=404)
    result = signing.check(lic.signed)
    # What verified is what the page shows; a copy that fails is still shown (under the
    # failure) so the discrepancy can be seen, never as if it had verified.
    content = result.license if result.valid else (lic.signed.get("license") or lic.fields)
    return render(request, "licenses/verify.html", {
        "result": result,
        "reason": bilingual(result.reason_zh, result.reason_en),
        "rows": rows(content),
        "name": content.get("name", ""),
        "key_id": lic.key_id,
        "issued_at": lic.issued_at,
    })
