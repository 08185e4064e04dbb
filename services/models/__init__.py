"""Projects, beneficiaries, service records, cases and focus problems of the stations (DOMAIN.md section 4).

Rules about one row live here (a database constraint plus ``clean()``); rules across rows and workflows
(portfolio, visit rate, stage moves, case steps, logging a service with volunteer hours) live in ``services/rules/``.
"""

from .beneficiaries import Beneficiary, BeneficiaryIdNumberView, BeneficiaryIdNumberViewQuerySet
from .cases import SCORE_VALIDATORS, Case, CaseFollowUp, CaseReferral, CaseStepQuerySet
from .common import communities_outside, not_in_future
from .focus import FocusProblem
from .policy import ServicePolicy
from .projects import Project, ProjectStageChange
from .records import EXTENSIONS, Attachment, AttachmentQuerySet, ServiceRecord, ServiceVolunteer, attachment_path
from .reference import CatalogCategory, CatalogItem, CatalogSubItem, ReferenceQuerySet, TargetGroup

__all__ = [
    "Attachment",
    "AttachmentQuerySet",
    "Beneficiary",
    "BeneficiaryIdNumberView",
    "BeneficiaryIdNumberViewQuerySet",
    "Case",
    "CaseFollowUp",
    "CaseReferral",
    "CaseStepQuerySet",
    "CatalogCategory",
    "CatalogItem",
    "CatalogSubItem",
    "EXTENSIONS",
    "FocusProblem",
    "Project",
    "ProjectStageChange",
    "ReferenceQuerySet",
    "SCORE_VALIDATORS",
    "ServicePolicy",
    "ServiceRecord",
    "ServiceVolunteer",
    "TargetGroup",
    "attachment_path",
    "communities_outside",
    "not_in_future",
]
