"""Third-party evaluation (DOMAIN.md section 6): policies, scorecards, assignments, evaluations, surveys, two-way.

Rules about one row live here (a database constraint plus ``clean()``); workflows and rules across rows (grading,
transitions, amendments, facts and suggestions, template versions) live in ``evaluation/rules/``.
"""

from .assignments import Assignment, AssignmentQuerySet
from .evaluations import (
    Amendment,
    Evaluation,
    EvaluationFile,
    EvaluationQuerySet,
    Evidence,
    Score,
    TownshipResponse,
    Transition,
    evaluation_file_path,
)
from .policy import EvaluationPolicy
from .scorecards import Dimension, Indicator, ScorecardTemplate, ScorecardTemplateQuerySet
from .surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, new_survey_token
from .twoway import TwoWayAssessment, TwoWayScore

__all__ = [
    "Amendment",
    "Assignment",
    "AssignmentQuerySet",
    "Dimension",
    "Evaluation",
    "EvaluationFile",
    "EvaluationPolicy",
    "EvaluationQuerySet",
    "Evidence",
    "Indicator",
    "Score",
    "ScorecardTemplate",
    "ScorecardTemplateQuerySet",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
    "TownshipResponse",
    "Transition",
    "TwoWayAssessment",
    "TwoWayScore",
    "evaluation_file_path",
    "new_survey_token",
]
