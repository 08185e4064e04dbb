"""The error pages: 400, 403, 404, 500 and the CSRF failure, in the portal's layout and language.

Each says what happened in a sentence and offers a way back (the home page, the sign-in page), never a detail of
the error. Under ``/api/`` they answer JSON, as DRF does. The 500 page renders without the request's context
processors and without touching the session or the database, so it still renders when the database is down.
"""

from dataclasses import dataclass

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"


@dataclass(frozen=True)
class ErrorPage:
    """What an error page says: its icon, title and explanation."""

    icon: str
    title: str
    message: str


ERROR_PAGES = {
    400: ErrorPage(
        "question-octagon",
        _("The request cannot be understood"),
        _("Something in the address or in the form was not understood. Go back and try again."),
    ),
    403: ErrorPage(
        "shield-lock",
        _("This page is not open to you"),
        _("Your role does not give access to this page. If your work needs it, ask your platform administrator."),
    ),
    404: ErrorPage(
        "signpost-split",
        _("Page not found"),
        _("The page does not exist, or it lies outside the stations and regions you can reach."),
    ),
    500: ErrorPage(
        "tools",
        _("Something went wrong on our side"),
        _(
            "The error has been recorded. Please try again in a few minutes; "
            "if it keeps happening, tell your platform administrator."
        ),
    ),
}
CSRF_PAGE = ErrorPage(
    "hourglass-bottom",
    _("The form could not be sent"),
    _(
        "For your security, a form is accepted only from a page opened recently, with cookies allowed. "
        "Go back, reload the page, and send the form again."
    ),
)


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(status: int, page: ErrorPage) -> JsonResponse:
    """The JSON answer of an error under ``/api/``: ``{"detail": ...}``, as DRF words its own."""
    return JsonResponse({"detail": str(page.title)}, status=status)


def error_response(request, status: int, page: ErrorPage) -> HttpResponse:
    """The error page in the portal's layout, with the signed-in user's navigation."""
    if is_api(request):
        return api_error(status, page)
    return render(request, "errors/error.html", {"status": status, "page": page}, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400, ERROR_PAGES[400])


def permission_denied(request, exception=None):
    return error_response(request, 403, ERROR_PAGES[403])


def page_not_found(request, exception=None):
    return error_response(request, 404, ERROR_PAGES[404])


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form refused by the CSRF check (the reason is logged by Django, not shown)."""
    return error_response(request, 403, CSRF_PAGE)


def server_error(request):
    """The 500 page: a standalone template rendered with no request context, so no query can run."""
    page = ERROR_PAGES[500]
    if is_api(request):
        return api_error(500, page)
    html = loader.get_template("errors/500.html").render({"status": 500, "page": page})
    return HttpResponse(html, status=500)
