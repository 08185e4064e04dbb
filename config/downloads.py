"""Serving an uploaded evidence file (a service record's attachment, a file uploaded to an evaluation)."""

from django.http import FileResponse, Http404


def evidence_response(row, *, as_attachment: bool) -> FileResponse:
    """``row``'s file (a model with ``file``, ``original_name`` and the sniffed ``content_type``) as a response that
    the browser neither sniffs again nor caches; a file missing from storage is a 404."""
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=row.original_name, content_type=row.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
