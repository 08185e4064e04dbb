"""The funding endpoints and pages in the permission matrix: one module a concept, each with its targets."""

from . import matrix_budgets, matrix_expenditures, matrix_policies, matrix_splits

MODULES = [matrix_policies, matrix_budgets, matrix_expenditures, matrix_splits]
FUNDING_WATCHED = [model for module in MODULES for model in module.WATCHED]


def build_funding(world) -> None:
    for module in MODULES:
        module.build(world)
