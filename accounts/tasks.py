"""Celery tasks of the accounts: forget the idempotency keys past their retention period."""

from celery import shared_task

from .idempotency import idempotency_expired_purge


@shared_task
def purge_idempotency_keys() -> int:
    """Delete stored answers older than ``IDEMPOTENCY_KEY_HOURS`` (scheduled hourly by Celery beat)."""
    return idempotency_expired_purge()
