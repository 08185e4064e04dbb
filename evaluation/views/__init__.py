"""Evaluation pages, one module a concept; ``evaluation/urls.py`` joins their ``urlpatterns``."""
