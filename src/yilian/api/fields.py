"""The API's field types for the one form: text that must be a string (never a number
or a list coerced to one), codes and names with full-width forms folded, and money as
a decimal string in yuan that also explains "100万" and "1,000,000"."""

from __future__ import annotations

import copy
import functools
import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yilian.codes.errors import fold_width
from yilian.forms import amounts


class _StringsOnly:
    """Text fields take JSON strings only: DRF's would turn ``0`` or ``1.5`` into text,
    which the schema (``type: string``) does not allow; ``max_length`` counts what was
    sent, as the schema's ``maxLength`` does, not what is left after trimming; and a
    string of spaces is not "blank" (the schema says only ``minLength: 1``)."""

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and self.max_length is not None \
                and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if isinstance(data, str) and data and not data.strip() and not self.allow_blank:
            # Spaces only: a non-empty string (the schema's minLength 1) that trimming
            # would make blank. Kept as sent; the submission checks say what is missing.
            self.run_validators(data)
            return data
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Text(_StringsOnly, serializers.CharField):
    pass


class Email(_StringsOnly, serializers.EmailField):
    pass


@extend_schema_field({"type": "string",
                      "pattern": "^\\s*[\\x20-\\x7E\\u3000\\uFF01-\\uFF5E]+\\s*$"})
class Code(Text):
    """An ID number, USCC, phone number or division/industry code: full-width forms
    folded (``fold_width``), so that one person has one spelling in every comparison,
    and anything else non-ASCII (a superscript ², an Arabic-Indic ٣) a field error here,
    not a surprise later. ``upper`` for the codes whose letters are capitals (X, USCC)."""

    default_error_messages = {"charset": "Only ASCII letters and digits (half-width) are "
                                         "allowed."}

    def __init__(self, *, upper: bool = False, **kwargs) -> None:
        self.upper = upper
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value = fold_width(value).strip()
        if not (value.isascii() and value.isprintable()):
            self.fail("charset")
        return value.upper() if self.upper else value


class Money(serializers.DecimalField):
    """An amount in CNY as a JSON *string* of digits with at most two decimals — the
    form the API answers with. A JSON number is refused: most clients hold it as a
    binary float, where 99999999999999.99 is already 99999999999999.98. Full-width
    digits are folded as in codes; at most ``max_digits`` digits, which the database
    keeps exactly (:mod:`yilian.forms.money`). :func:`money` makes the field for a
    number of digits, with its pattern in the schema."""

    default_error_messages = {"money": "An amount is a string of at most {whole} digits "
                                       "and at most two decimals, e.g. \"100000.00\".",
                              "money_unit": "Amounts are in yuan, as digits without units "
                                            "or separators: \"{typed}\" is \"{yuan}\"."}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.whole = self.max_digits - self.decimal_places
        self.pattern = re.compile(_amount_pattern(self.whole))

    def to_internal_value(self, data):
        if isinstance(data, Decimal):  # from Python (a stored amount), never from JSON
            return super().to_internal_value(data)
        if not isinstance(data, str) or not self.pattern.fullmatch(fold_width(data).strip()):
            self._explain(data)
            self.fail("money", whole=self.whole)
        return super().to_internal_value(fold_width(data).strip())


    def _explain(self, data) -> None:
        """"100万" or "1,000,000" is how people write amounts: say what the API wants
        instead (the pages read such forms; the API's contract stays digits in 元)."""
        if isinstance(data, str):
            try:
                yuan = amounts.parse_amount(data)
            except amounts.AmountError:
                return
            self.fail("money_unit", typed=data.strip(), yuan=f"{yuan}")


def _amount_pattern(whole: int) -> str:
    return rf"-?[0-9]{{1,{whole}}}(\.[0-9]{{1,2}})?"


@functools.cache
def money(max_digits: int) -> type[Money]:
    """The :class:`Money` field class for ``max_digits``, its schema saying as much."""
    schema = {"type": "string", "pattern": f"^({_amount_pattern(max_digits - 2)})?$",
              "example": "100000.00",
              "description": "CNY as a string; an empty string is no amount (null)"}
    return extend_schema_field(schema)(type(f"Money{max_digits}", (Money,), {}))


class Folded(Text):
    """Free text that is still an identifier (a permit number, which may hold Chinese):
    full-width forms folded, as codes are."""

    def to_internal_value(self, data):
        return fold_width(super().to_internal_value(data)).strip()


class Flag(serializers.BooleanField):
    """A JSON ``true`` or ``false``, nothing else: DRF's own takes 0, 1, "yes" and "on",
    which the schema (boolean) does not promise and a client should not rely on."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class FieldsBuiltOnce:
    """A model serializer whose fields are worked out once per class, then copied for
    each use, as DRF copies a serializer's declared fields: working them out (the
    model's fields, their kinds, limits and choices) on every instance was a fifth of
    the submit API's answer, for the same fields every time. Only for serializers whose
    fields depend on nothing but their class (no instance, context or request)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built  # a race builds it twice, both the same
        return {name: _afresh(field) for name, field in built.items()}


def _afresh(field):
    """A new, unbound field made as ``field`` was. DRF's copy makes a field again from
    its arguments after deep-copying each of them; a plain field only reads its
    arguments (labels, limits, choices), so they are passed as they are — the deep
    copies were a fifth of an application's answer. A nested serializer holds fields
    of its own, bound to it, as does a list's field its ``child``: those are copied as
    DRF copies them."""
    if isinstance(field, serializers.BaseSerializer) or any(
            isinstance(value, serializers.Field)
            for value in (*field._args, *field._kwargs.values())):
        return copy.deepcopy(field)
    return type(field)(*field._args, **field._kwargs)
