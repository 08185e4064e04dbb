from celery import shared_task


@shared_task
def render_report(report_id: int) -> None:
    raise NotImplementedError  # being written
