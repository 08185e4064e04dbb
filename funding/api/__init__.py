"""The funding API, one module a concept; ``config/api.py`` registers their ``ROUTES`` and ``PATHS``."""

from . import budgets, expenditures, policies, splits

MODULES = [policies, budgets, expenditures, splits]
ROUTES = [route for module in MODULES for route in module.ROUTES]
PATHS = [path for module in MODULES for path in module.PATHS]
