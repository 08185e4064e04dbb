"""The evaluation API, one module a concept; ``config/api.py`` registers their ``ROUTES`` and ``PATHS``."""

from . import assignments, evaluations, policies, surveys, templates, twoway

MODULES = [policies, templates, assignments, evaluations, surveys, twoway]
ROUTES = [route for module in MODULES for route in module.ROUTES]
PATHS = [path for module in MODULES for path in module.PATHS]
