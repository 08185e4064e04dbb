"""``Cache-Control: no-store`` on everything that may carry people's data or files.

Browsers, proxies and shared computers in a township office keep what they are allowed to: a page
of beneficiaries, a roster export or an attachment left in a cache outlives the session. One middleware
decides it for every response instead of each view remembering: the API (all of its JSON), every file
or download, and every page a signed-in user sees. Static files (served by WhiteNoise before this runs,
and stable by name) and the anonymous sign-in page stay cacheable.
"""

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers


def carries_personal_data(request, response) -> bool:
    """Whether ``response`` may hold personal data or a file: API answers, downloads, signed-in pages."""
    if request.path.startswith(settings.STATIC_URL):
        return False
    if request.path.startswith("/api/"):
        return True
    if isinstance(response, FileResponse | StreamingHttpResponse) or response.has_header("Content-Disposition"):
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class NoStoreMiddleware:
    """Marks responses that may carry people's data or files as never to be stored by any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", "") and carries_personal_data(request, response):
            add_never_cache_headers(response)
        return response
