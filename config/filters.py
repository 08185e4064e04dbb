"""Filter and URL pieces shared by every app."""

import django_filters

from config.params import ID_MAX, AsciiIntegerField

# Ids are bigint: anything longer than 18 digits cannot exist, and would overflow the database.
ID_REGEX = "[0-9]{1,18}"
__all__ = ["ID_MAX", "ID_REGEX", "IdConverter", "IdField", "IdFilter"]


class IdField(AsciiIntegerField):
    """A positive bigint in ASCII digits."""

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
