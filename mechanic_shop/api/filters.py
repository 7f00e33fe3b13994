"""Query-string filters shared by the apps, and the rule every query
parameter keeps: a value that is sent is used or refused, never ignored."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

MAX_ID = 2**63 - 1
BLANK = "This field may not be blank."
REPEATED = "Give this parameter once."


def refuse_blank_or_repeated(params, names, *, repeatable=frozenset()) -> None:
    """400 naming each parameter of ``names`` sent empty (``?group=``) or,
    unless ``repeatable``, sent more than once (``?group=day&group=month``).

    Django and DRF read an empty value as no value and a repeated one as its
    last value: a client that sends ``?low_stock=`` or ``?status=`` by mistake
    would get every row back and never learn of its bug.
    """
    errors = {}
    for name in names:
        values = params.getlist(name)
        if len(values) > 1 and name not in repeatable:
            errors[name] = [REPEATED]
        elif "" in values:
            errors[name] = [BLANK]
    if errors:
        raise ValidationError(errors)


class QueryParametersSerializer(serializers.Serializer):
    """A serializer for a query string (``data=request.query_params``): its
    fields refuse a blank or repeated value instead of reading it as absent
    (see :func:`refuse_blank_or_repeated`)."""

    def to_internal_value(self, data):
        refuse_blank_or_repeated(data, self.fields)
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id (or another whole number) in the query string: 1 to 2^63-1.

    django-filter's NumberFilter reads a decimal, so ``?customer=1.5`` was
    cut to customer 1 and ``?vehicle=1e30`` reached the database as a number
    no id column can hold (a 500 on SQLite). Anything but a whole number in
    range is now a 400 naming the parameter.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
