"""RFC 8785 (JCS): the RFC's own examples, the strict parser, and the properties a signed
document relies on — canonical form is a fixed point, and no edit of a signed license
(one byte, member order, a repeated key) verifies."""

from __future__ import annotations

import json
import struct

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from yilian.licenses import jcs, signing

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def double(bits: str) -> float:
    return struct.unpack(">d", bytes.fromhex(bits))[0]


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_appendix_b_numbers(bits, text):
    assert jcs.canonical(double(bits)) == text.encode()
    assert jcs.canonical([double(bits)]) == f"[{text}]".encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_appendix_b_nan_and_infinity_have_no_form(bits):
    with pytest.raises(jcs.NotCanonicalizable):
        jcs.canonical(double(bits))


def test_section_3_2_2_example_numbers_strings_literals():
    text = r'''{
      "numbers": [333333333.33333329, 1E30, 4.50,
                  2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }'''
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,'
                '1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert jcs.canonical(jcs.parse(text)) == expected.encode("utf-8")


def test_section_3_2_3_sorting_by_utf16_code_units_non_bmp_included():
    """U+1F600 is the surrogate pair D83D DE00 in UTF-16, so it sorts before U+FB33 —
    the opposite of code point order, which is what Python's own sort_keys does."""
    text = r'''{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }'''
    out = jcs.canonical(jcs.parse(text)).decode("utf-8")
    assert list(json.loads(out)) == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001F600",
                                     "\ufb33"]
    assert out.startswith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')
    assert list(json.loads(json.dumps(json.loads(text), sort_keys=True)))[-1] == "\U0001F600"


@pytest.mark.parametrize(("value", "text"), [
    ("\u007f\u2028/<>&'", "\"\u007f\u2028/<>&'\""),  # nothing beyond the minimum escaped
    ("\b\f\n\r\t\x00\x1f", '"\\b\\f\\n\\r\\t\\u0000\\u001f"'),
    ("\U0001F600", '"\U0001F600"'),  # UTF-8, not a \\u escape
    (-0.0, "0"), (1.0, "1"), (100.0, "100"), (1e21, "1e+21"), (1e-7, "1e-7"),
    (0.1, "0.1"), (-1.5e-9, "-1.5e-9"), (123456789012345680000.0, "123456789012345680000"),
    (2**53 - 1, "9007199254740991"), (-(2**53 - 1), "-9007199254740991"),
    ({"b": [], "a": {}}, '{"a":{},"b":[]}'),
])
def test_scalars_and_structures(value, text):
    assert jcs.canonical(value) == text.encode("utf-8")


@pytest.mark.parametrize("value", [2**53, -(2**53), float("nan"), "\ud800", {"\udfff": 1},
                                   {1: "a"}, {"a": {1, 2}}, b"bytes"])
def test_values_without_a_canonical_form(value):
    with pytest.raises(jcs.NotCanonicalizable):
        jcs.canonical(value)


@pytest.mark.parametrize("text", [
    b'{"a":1,"a":1}', b'{"a":{"b":1,"b":2}}', b'[{"x":0},{"y":1,"y":1}]',
])
def test_parse_refuses_duplicate_keys(text):
    with pytest.raises(jcs.DuplicateKey):
        jcs.parse(text)


@pytest.mark.parametrize("text", [b"NaN", b"[Infinity]", b"-Infinity", b"\xef\xbb\xbf{}",
                                  b"\xff{}", b"{", b"{'a':1}"])
def test_parse_refuses_what_is_not_strict_json(text):
    with pytest.raises(ValueError):
        jcs.parse(text)


@pytest.mark.parametrize("text", [
    b'{"a": 1}', b'{"b":1,"a":2}', b'{"a":1.0}', b'{"a":1e2}', b'{"a":-0}', b'"\\u0041"',
    b'"\\u000F"', b'"\\/"', b'"\\u20ac"', b'[1,2] ', b'"\\ud800"', b'9007199254740993',
])
def test_is_canonical_refuses_every_other_spelling(text):
    assert not jcs.is_canonical(text)


json_values = st.recursive(
    st.none() | st.booleans()
    | st.integers(-jcs.MAX_SAFE_INTEGER, jcs.MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_is_a_fixed_point(value):
    once = jcs.canonical(value)
    assert jcs.canonical(jcs.parse(once)) == once
    assert jcs.is_canonical(once)


# Arbitrary license content: the schema (or it would not be a license) and any members.
contents = st.dictionaries(st.text(min_size=1, max_size=8), json_values, min_size=1,
                           max_size=6).map(lambda d: {**d, "schema": signing.LICENSE_SCHEMA})


@settings(max_examples=150, deadline=None)
@given(contents, st.data())
def test_any_one_byte_change_of_a_signed_license_is_refused(content, data):
    signed = signing.canonical(signing.sign(content))
    assert signing.check(signed).valid
    i = data.draw(st.integers(0, len(signed) - 1), label="position")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != signed[i]), label="byte")
    altered = signed[:i] + bytes([byte]) + signed[i + 1:]
    assert not signing.check(altered).valid
    # Inserting or removing a byte is refused too.
    assert not signing.check(signed[:i] + signed[i + 1:]).valid
    assert not signing.check(signed[:i] + bytes([byte]) + signed[i:]).valid


@settings(max_examples=150, deadline=None)
@given(contents)
def test_reordered_members_are_refused(content):
    assume(len(content) >= 2)
    doc = signing.sign(content)
    canonical_order = list(json.loads(signing.canonical(content)))
    reordered = {key: content[key] for key in reversed(canonical_order)}
    text = jcs.canonical({**doc, "license": {}}).decode().replace(
        '"license":{}', '"license":' + _members(reordered), 1)
    assert text.encode() != signing.canonical(doc)
    result = signing.check(text)
    assert (result.valid, result.code) == (False, "not_canonical")


@settings(max_examples=150, deadline=None)
@given(contents, st.data())
def test_a_repeated_member_is_refused(content, data):
    doc = signing.sign(content)
    key = data.draw(st.sampled_from(sorted(content)), label="key")
    decoy = data.draw(json_values, label="decoy")
    repeated = (_member(key, decoy) + "," + _members(content)[1:-1])
    text = jcs.canonical({**doc, "license": {}}).decode().replace(
        '"license":{}', '"license":{' + repeated + "}", 1)
    result = signing.check(text)
    assert (result.valid, result.code) == (False, "duplicate_key")


def _member(key: str, value) -> str:
    return jcs.canonical(key).decode() + ":" + jcs.canonical(value).decode()


def _members(obj: dict) -> str:
    """An object's members in the dict's own order, each in canonical form."""
    return "{" + ",".join(_member(key, value) for key, value in obj.items()) + "}"
