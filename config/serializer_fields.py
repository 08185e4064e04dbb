"""DRF fields several apps' APIs share."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .params import validate_ascii_integer


class AsciiIntegerField(serializers.IntegerField):
    """A whole number in ASCII digits (``int()`` would take full-width or Arabic-Indic digits)."""

    def to_internal_value(self, data):
        try:
            validate_ascii_integer(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return super().to_internal_value(data)
