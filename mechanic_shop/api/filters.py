"""Query-string filters shared by the apps."""

import django_filters
from django import forms

MAX_ID = 2**63 - 1


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
