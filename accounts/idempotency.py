"""Writes that can be sent twice: the ``Idempotency-Key`` of a request makes its retry return the first answer.

A client (the API, or the logging page's hidden ``idempotency_key``) sends one key per thing it means to create.
The first request with the key runs, and its answer (status and body) is stored with it in the same transaction
as the write, so a crash leaves neither. The same key from the same user within ``IDEMPOTENCY_KEY_HOURS``
gets that answer again and changes nothing; the same key with another request is refused (422). A duplicate
sent while the first is still running waits for it at the unique (user, key) index and then replays its answer;
if the first fails, the duplicate runs instead. Only successful answers are kept: a refusal may be corrected
and sent again with the same key.

``idempotent_run`` is the one mechanism; ``ScopedViewSetMixin`` applies it to the API actions a viewset names in
``idempotent_actions``, and pages call it directly.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
KEY_MAX_LENGTH = IdempotentRequest._meta.get_field("key").max_length


@dataclass(frozen=True)
class Replay:
    """The stored first answer to a request sent again with its key."""

    status_code: int
    body: Any
    request_line: str


class KeyReused(Exception):
    """The key already answered another request (another body, method or path)."""

    def __init__(self, request_line: str):
        super().__init__(request_line)
        self.request_line = request_line


class KeyBusy(Exception):
    """The key's first request vanished while this one waited for it: send it again."""


def key_is_valid(key: str) -> bool:
    """A key is 1 to 255 visible ASCII characters (a UUID, typically)."""
    return 0 < len(key) <= KEY_MAX_LENGTH and key.isascii() and key.isprintable() and " " not in key


def content_hash(content) -> str:
    """SHA-256 of a request's content, the same however its keys are ordered (JSON) or repeated (forms)."""
    if hasattr(content, "lists"):  # a QueryDict: every value of every field
        content = sorted((name, [str(value) for value in values]) for name, values in content.lists())
    text = json.dumps(content, sort_keys=True, cls=DjangoJSONEncoder, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def retention_cutoff():
    """Answers stored before this moment are forgotten: their keys are free again."""
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotency_expired_purge() -> int:
    """Delete the stored answers older than the retention period; return how many."""
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=retention_cutoff()).delete()
    return deleted


def idempotent_run(
    *,
    user,
    key: str,
    request_line: str,
    body_hash: str,
    run: Callable[[], Any],
    answer: Callable[[Any], tuple[int, Any] | None],
):
    """Run ``run()`` once per (user, key): return its result, or the ``Replay`` of the first run's answer.

    ``answer(result)`` gives the (status code, JSON body) to keep, or ``None`` for a result that is not kept
    (a refusal): its writes are then rolled back and the key stays free. Raises ``KeyReused`` when the key
    answered another request, ``KeyBusy`` when its first request vanished while this one waited.
    """
    IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=retention_cutoff()).delete()
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Claims the key: a concurrent twin blocks here until this transaction ends.
                entry = IdempotentRequest.objects.create(
                    user=user, key=key, request_line=request_line[:300], body_hash=body_hash
                )
        except IntegrityError:
            first = IdempotentRequest.objects.filter(user=user, key=key).first()
            if first is None:
                raise KeyBusy() from None
            if (first.request_line, first.body_hash) != (request_line[:300], body_hash):
                raise KeyReused(first.request_line) from None
            return Replay(first.status_code, first.response_body, first.request_line)
        result = run()
        kept = answer(result)
        if kept is None:
            transaction.set_rollback(True)
            return result
        entry.status_code, entry.response_body = kept
        entry.save(update_fields=["status_code", "response_body"])
        return result


def form_body_hash(request) -> str:
    """The hash of a page's POST: its fields (but the CSRF token and the key) and its files' names and sizes."""
    fields = request.POST.copy()
    for name in ("csrfmiddlewaretoken", FORM_FIELD):
        fields.pop(name, None)
    files = sorted((name, upload.name, upload.size) for name, uploads in request.FILES.lists() for upload in uploads)
    return content_hash({"fields": sorted(fields.lists()), "files": files})


# --- the API -------------------------------------------------------------------------------------------


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class IdempotencyKeyBusy(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key was still being handled; send it again.")
    default_code = "idempotency_key_busy"


class IdempotencyAutoSchema(AutoSchema):
    """The OpenAPI schema of a scoped viewset: its idempotent actions document the Idempotency-Key header."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method == "POST" and getattr(self.view, "action", None) in getattr(self.view, "idempotent_actions", ()):
            parameters = [
                *parameters,
                OpenApiParameter(
                    HEADER,
                    OpenApiTypes.STR,
                    OpenApiParameter.HEADER,
                    description=_(
                        "One key per thing to create (a UUID): sent again by the same user within the retention "
                        "period, the request answers its first response and creates nothing."
                    ),
                ),
            ]
        return parameters


def api_answer(response) -> tuple[int, Any] | None:
    """A successful API response is kept exactly as its JSON body will be sent."""
    if not 200 <= response.status_code < 300:
        return None
    return response.status_code, json.loads(JSONRenderer().render(response.data) or b"null")


def api_idempotent(handler, request, *args, **kwargs):
    """Call ``handler`` under the request's ``Idempotency-Key``; without one, just call it."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler(request, *args, **kwargs)
    if not key_is_valid(key):
        raise ValidationError({HEADER: [_("An Idempotency-Key is 1 to 255 visible ASCII characters.")]})
    try:
        outcome = idempotent_run(
            user=request.user,
            key=key,
            request_line=f"{request.method} {request.path}",
            body_hash=content_hash(request.data),
            run=lambda: handler(request, *args, **kwargs),
            answer=api_answer,
        )
    except KeyReused as reused:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for another request (%(request)s); use a new key.")
            % {"request": reused.request_line}
        ) from reused
    except KeyBusy as busy:
        raise IdempotencyKeyBusy() from busy
    if isinstance(outcome, Replay):
        return Response(outcome.body, status=outcome.status_code, headers={"Idempotent-Replayed": "true"})
    return outcome
