"""The API's JSON parser: DRF's, refusing bodies nested deeper than any request of the API needs.

Python's JSON decoder recurses once per level: a body of 5,000 opening brackets, which anyone may send to the
token endpoint, ends in a ``RecursionError`` (a 500) instead of a 400. The depth is counted on the raw text,
before decoding, so no such body reaches the decoder.
"""

import codecs
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

# A string token (skipped whole, so brackets inside strings do not count) or a bracket.
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
OPENING = frozenset("[{")


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of the JSON ``text`` nest (0 for a bare value)."""
    depth = deepest = 0
    for token in TOKEN.finditer(text):
        mark = token.group()
        if mark in OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif mark in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """``JSONParser`` that answers 400 to a body nested deeper than ``settings.API_JSON_MAX_DEPTH`` (default 64)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(_("The request body is not text in %(encoding)s.") % {"encoding": encoding}) from exc
        limit = getattr(settings, "API_JSON_MAX_DEPTH", 64)
        if json_depth(text) > limit:
            raise ParseError(_("The JSON body nests deeper than %(limit)s levels.") % {"limit": limit})
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("The JSON body cannot be read: %(error)s") % {"error": exc}) from exc
