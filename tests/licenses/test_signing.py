"""Signing: round trip, tampering anywhere in the file, foreign keys, and the key file."""

from __future__ import annotations

import base64
import functools
import json
import os
import stat
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from yilian.licenses import signing

CONTENT = {
    "schema": "yilian.license/1",
    "uscc": "91371071MA3C7X0012",
    "name": "威海一链测试科技有限公司",
    "type": "有限责任公司（自然人投资或控股）",
    "legal_representative": "张三",
    "registered_capital": "50万元",
    "business_scope": "软件开发；信息技术咨询服务",
    "registration_authority": "威海火炬高技术产业开发区市场监督管理局",
    "issued": "2026年11月29日",
}


@functools.cache
def signed_bytes() -> bytes:
    """The license file as handed out (canonical JSON), signed with the data dir's key."""
    return signing.canonical(signing.sign(CONTENT))


def test_round_trip_bytes_text_and_object():
    data = signed_bytes()
    for form in (data, data.decode(), json.loads(data)):
        result = signing.check(form)
        assert result.valid and result.code == "valid"
        assert result.license == CONTENT
    valid, reason = signing.verify(data)
    assert valid and "签名有效" in reason and "signature valid" in reason


@pytest.mark.parametrize("reformat", [
    lambda doc: json.dumps(doc, ensure_ascii=True, indent=4),
    lambda doc: json.dumps(doc, ensure_ascii=False, sort_keys=True),  # ", " and ": "
    lambda doc: json.dumps(doc, ensure_ascii=True, sort_keys=True, separators=(",", ":")),
    lambda doc: json.dumps({"signature": doc["signature"], "license": doc["license"]},
                           ensure_ascii=False, separators=(",", ":")),  # members reordered
    lambda doc: signing.canonical(doc).decode() + "\n",
    lambda doc: "\ufeff" + signing.canonical(doc).decode(),
])
def test_a_file_in_any_other_spelling_is_refused(reformat):
    """The format allows one spelling (RFC 8785). Before issue 8 a pretty-printed copy
    verified; now every byte of the file is what was signed, so no two readers can see
    two documents in it. The parsed copy still verifies (the register's own use)."""
    doc = json.loads(signed_bytes())
    result = signing.check(reformat(doc))
    assert (result.valid, result.license) == (False, None)
    assert result.code in {"not_canonical", "not_json"}
    assert signing.check(doc).valid


def test_duplicate_keys_are_refused_whichever_copy_is_signed():
    text = signed_bytes().decode()
    signed_name = json.dumps(CONTENT["name"], ensure_ascii=False)
    forged = '"name":"冒名顶替有限公司"'
    for duplicated in (text.replace(f'"name":{signed_name}', f'{forged},"name":{signed_name}'),
                       text.replace(f'"name":{signed_name}', f'"name":{signed_name},{forged}')):
        assert duplicated != text
        assert signing.check(duplicated).code == "duplicate_key"
    twice = text.replace('"license":', '"license":{},"license":', 1)
    assert signing.check(twice).code == "duplicate_key"


def test_fields_outside_the_signature_are_refused():
    doc = json.loads(signed_bytes())
    for extra in ({**doc, "status": "current"},
                  {**doc, "signature": {**doc["signature"], "note": "trust me"}}):
        result = signing.check(signing.canonical(extra))
        assert (result.valid, result.code) == (False, "unexpected_field")


def test_a_signed_document_that_is_not_a_license_is_not_one():
    other = {**CONTENT, "schema": "yilian.something-else/1"}
    result = signing.check(signing.canonical(signing.sign(other)))
    assert (result.valid, result.code) == (False, "bad_schema")


def test_licenses_issued_before_jcs_verify_unchanged():
    """Before issue 8 the signed bytes were Python's ``json.dumps(sort_keys=True,
    ensure_ascii=False, separators=(",", ":"))``. For a license — ASCII member names,
    string values only — that is byte for byte the RFC 8785 form, so every license
    already issued (and every file already handed out) verifies as it is."""
    def legacy(obj) -> bytes:
        return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")

    content = {**CONTENT, "name": "𠀀𪚥一链\"引号\"\\科技\t有限公司\u007f", "issued_at":
               "2026-11-29T08:00:00.123456+00:00"}
    key = signing.private_key()
    old = {"license": content, "signature": {
        "alg": "Ed25519", "key_id": signing.key_id(key.public_key()),
        "value": base64.b64encode(key.sign(legacy(content))).decode()}}
    assert legacy(old) == signing.canonical(old)
    assert signing.check(legacy(old)).valid


def test_signature_shape_and_key_id():
    doc = json.loads(signed_bytes())
    sig = doc["signature"]
    assert sig["alg"] == "Ed25519"
    assert len(base64.b64decode(sig["value"])) == 64
    assert len(sig["key_id"]) == 16 and int(sig["key_id"], 16) >= 0
    assert sig["key_id"] == signing.key_id(signing.private_key().public_key())


@pytest.mark.parametrize("mask", [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF])
def test_flipping_any_byte_is_caught(mask):
    data = signed_bytes()
    keys = signing.trusted_keys()
    for i in range(len(data)):
        altered = bytearray(data)
        altered[i] ^= mask
        result = signing.check(bytes(altered), keys)
        assert not result.valid, f"byte {i} ^ {mask:#x} went unnoticed"
        assert result.reason_zh and result.reason_en


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_replacing_a_byte_with_anything_is_caught(data):
    original = signed_bytes()
    i = data.draw(st.integers(0, len(original) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[i]))
    altered = bytearray(original)
    altered[i] = value
    assert not signing.check(bytes(altered)).valid


def test_changed_content_is_a_mismatch():
    doc = json.loads(signed_bytes())
    doc["license"]["registered_capital"] = "5000万元"
    result = signing.check(doc)
    assert (result.valid, result.code) == (False, "mismatch")
    assert "篡改" in result.reason_zh or "改动" in result.reason_zh
    assert "altered" in result.reason_en


def test_non_canonical_base64_is_rejected():
    """The unused low bits of base64's last character must not be a free byte to flip."""
    doc = json.loads(signed_bytes())
    value = doc["signature"]["value"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = value.rstrip("=")[-1]
    sibling = alphabet[alphabet.index(last) ^ 1]
    doc["signature"]["value"] = value.rstrip("=")[:-1] + sibling + "=="
    assert base64.b64decode(doc["signature"]["value"]) == base64.b64decode(value)
    assert signing.check(doc).code == "malformed"


def test_signed_by_a_foreign_key_is_unknown():
    stranger = Ed25519PrivateKey.generate()
    raw = stranger.sign(signing.canonical(CONTENT))
    doc = {"license": CONTENT, "signature": {
        "alg": "Ed25519", "key_id": signing.key_id(stranger.public_key()),
        "value": base64.b64encode(raw).decode()}}
    assert signing.check(doc).code == "unknown_key"
    # Claiming our key id does not help: the signature is checked with our key.
    doc["signature"]["key_id"] = json.loads(signed_bytes())["signature"]["key_id"]
    assert signing.check(doc).code == "mismatch"
    # An embedded public key is ignored; only explicitly trusted keys count.
    doc["signature"]["public_key"] = "whatever"
    assert not signing.check(doc).valid
    del doc["signature"]["public_key"]
    # Trusting the stranger's key explicitly (the CLI's --public-key) makes it verify.
    doc["signature"]["key_id"] = signing.key_id(stranger.public_key())
    assert signing.check(doc, signing.keyring([stranger.public_key()])).valid
    # ...and then our own licenses are not trusted.
    assert signing.check(signed_bytes(),
                         signing.keyring([stranger.public_key()])).code == "unknown_key"


@pytest.mark.parametrize(("document", "code"), [
    (b"\xff\xfe not utf-8", "not_json"),
    (b"{not json", "not_json"),
    ("[" * 100_000, "not_json"),
    (b"[1, 2]", "not_object"),
    (b'"a string"', "not_object"),
    ({}, "missing"),
    ({"license": CONTENT}, "missing"),
    ({"license": CONTENT, "signature": {"alg": "Ed25519"}}, "missing"),
    ({"license": "text", "signature": {}}, "missing"),
    ({"license": CONTENT, "signature": {"alg": "RS256", "key_id": "x", "value": "x"}},
     "bad_alg"),
    ({"license": CONTENT, "signature": {"alg": "Ed25519", "key_id": "x", "value": "!!"}},
     "malformed"),
])
def test_reasons(document, code):
    result = signing.check(document)
    assert (result.valid, result.code) == (False, code)
    valid, reason = signing.verify(document)
    assert not valid and " / " in reason


def test_retired_keys_in_the_trusted_dir_still_verify(settings, tmp_path):
    retired = Ed25519PrivateKey.generate()
    doc = {"license": CONTENT, "signature": {
        "alg": "Ed25519", "key_id": signing.key_id(retired.public_key()),
        "value": base64.b64encode(retired.sign(signing.canonical(CONTENT))).decode()}}
    settings.DATA_DIR = tmp_path
    assert signing.check(doc).code == "unknown_key"
    (tmp_path / "keys" / "trusted").mkdir(parents=True)
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "keys" / "trusted" / "2025.pem").write_bytes(
        retired.public_key().public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    assert signing.check(doc).valid


def test_key_is_made_on_first_use_private_and_once(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.LICENSE_SIGNING_KEY = ""
    assert signing.trusted_keys() == {}  # verifying never creates a key
    path = tmp_path / "keys" / signing.KEY_FILE
    assert not path.exists()

    # Many writers at once: exactly one key wins and nobody overwrites it.
    threads = [threading.Thread(target=signing.create_key, args=(path,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first = path.read_bytes()
    signing.create_key(path)
    assert path.read_bytes() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [signing.KEY_FILE]  # no temp files left
    doc = signing.sign(CONTENT)
    assert doc["signature"]["key_id"] in signing.trusted_keys()


def test_configured_key_path_is_used_and_must_exist(settings, tmp_path):
    settings.LICENSE_SIGNING_KEY = str(tmp_path / "missing.pem")
    with pytest.raises(FileNotFoundError):
        signing.sign(CONTENT)
    key_file = tmp_path / "hsm-export.pem"
    signing.create_key(key_file)
    settings.LICENSE_SIGNING_KEY = str(key_file)
    doc = signing.sign(CONTENT)
    assert signing.check(doc).valid
    assert b"PUBLIC KEY" in signing.public_key_pem()
