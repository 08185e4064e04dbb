from rest_framework.pagination import PageNumberPagination


class PortalPagination(PageNumberPagination):
    """Page-number pagination answering ``count``, ``next``, ``previous``, ``results``."""

    page_size_query_param = "page_size"
    max_page_size = 500
