"""The evaluation endpoints and pages in the permission matrix: one module a concept, each with its targets."""

from . import (
    matrix_evaluations,
    matrix_officials,
    matrix_pages,
    matrix_policies_templates,
    matrix_results,
    matrix_surveys,
    matrix_twoway,
)

MODULES = [
    matrix_policies_templates,
    matrix_evaluations,
    matrix_pages,
    matrix_surveys,
    matrix_twoway,
    matrix_results,
    matrix_officials,
]
EVALUATION_WATCHED = [model for module in MODULES for model in module.WATCHED]


def build_evaluation(world) -> None:
    for module in MODULES:
        module.build(world)
