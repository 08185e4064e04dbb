"""Filter and URL pieces shared by every app."""

import django_filters
from django import forms

# Ids are bigint: anything longer than 18 digits cannot exist, and would overflow the database.
ID_REGEX = "[0-9]{1,18}"
ID_MAX = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A filter on a primary or foreign key: a positive bigint, or a 400 for anything else."""

    field_class = IdField


class IdConverter:
    """``<id:pk>`` in URL patterns: like ``<id:pk>``, but never a number the database cannot hold."""

    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
