"""docs/license-format.md stays true: its example verifies, is the file beside it, and
its key is the one beside it."""

from __future__ import annotations

from pathlib import Path

from yilian.licenses import jcs, signing

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_documented_example_verifies_with_the_documented_key():
    example = (DOCS / "examples" / "license.json").read_bytes()
    pem = (DOCS / "examples" / "license-public.pem").read_bytes()
    result = signing.check(example, signing.keyring([signing.load_public_key(pem)]))
    assert result.valid, result.reason
    assert result.license["schema"] == signing.LICENSE_SCHEMA
    assert jcs.is_canonical(example)
    page = (DOCS / "license-format.md").read_text(encoding="utf-8")
    assert example.decode("utf-8") in page
    assert pem.decode().strip() in page
    assert result.key_id in page
    # The example key is not ours: our verifiers do not trust it.
    assert signing.check(example, signing.trusted_keys()).code == "unknown_key"
