"""Amounts of money (金额, 元) stored exactly, on SQLite as on PostgreSQL.

Django's SQLite backend keeps a ``DecimalField`` in a column of NUMERIC affinity, which
SQLite turns into a double: 99999999999999.99 came back as 100000000000000.00, one digit
too many for the field, and every read of that application then failed (a 500 to its
owner and to staff, for ever). :class:`MoneyField` stores whole cents (分) as a 64-bit
integer instead — exact on both databases, ordered and summed by the database alike —
and gives Python a :class:`~decimal.Decimal` with two places.

The API and the pages parse amounts with a serializer ``DecimalField`` of the same
``max_digits`` (16 by default: up to 99 999 999 999 999.99, far inside 2⁶³ cents), so an
amount the database could not keep exactly is a field error before it is saved.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core import exceptions, validators
from django.db import models

DECIMAL_PLACES = 2


class MoneyField(models.Field):
    """An amount in CNY with whole cents, kept as an integer number of cents."""

    description = "Amount of money (CNY, whole cents), stored as integer cents"

    def __init__(self, *args, max_digits: int = 16, **kwargs) -> None:
        self.max_digits = max_digits
        self.decimal_places = DECIMAL_PLACES
        super().__init__(*args, **kwargs)
        self.validators.append(validators.DecimalValidator(max_digits, DECIMAL_PLACES))

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.max_digits != 16:
            kwargs["max_digits"] = self.max_digits
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def from_db_value(self, value, expression, connection):
        return None if value is None else Decimal(int(value)).scaleb(-DECIMAL_PLACES)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise exceptions.ValidationError("not an amount", code="invalid") from None

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        cents = self.to_python(value).scaleb(DECIMAL_PLACES)
        if not cents.is_finite() or cents != cents.to_integral_value():
            # Callers parse amounts with two places first; anything else is a bug here.
            raise ValueError(f"not a whole number of cents: {value!r}")
        return int(cents)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.DecimalField,
                                    "max_digits": self.max_digits,
                                    "decimal_places": DECIMAL_PLACES, **kwargs})
