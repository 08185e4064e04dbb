"""Browser pages of services: logging a service fast, the records and their evidence, the "123X" portfolio and
its projects, beneficiaries, cases with their timeline, key-target visits and community focus problems.

Every page reaches its station through ``StationPageMixin`` or its object through ``ScopedQuerysetMixin`` (404
outside the scope), writes through ``save_in_scope`` and decides nothing itself: the rules of ``rules.py`` do,
the same functions the API calls. ID numbers are shown masked.
"""

from .beneficiaries import BeneficiaryCreateView, BeneficiaryIdNumberView, BeneficiaryListView, BeneficiaryUpdateView
from .cases import CaseCreateView, CaseDetailView, CaseListView, CaseStepView
from .focus import FocusProblemAdvanceView, FocusProblemListView
from .logging import BeneficiaryLookupView, ServiceLogView
from .projects import PortfolioView, ProjectAdvanceView, ProjectCreateView, ProjectDetailView, ProjectUpdateView
from .records import (
    AttachmentAddView,
    AttachmentDownloadView,
    RecordDetailView,
    RecordExportView,
    RecordListView,
    RecordUpdateView,
)
from .visits import VisitsView

__all__ = [
    "AttachmentAddView",
    "AttachmentDownloadView",
    "BeneficiaryCreateView",
    "BeneficiaryIdNumberView",
    "BeneficiaryListView",
    "BeneficiaryLookupView",
    "BeneficiaryUpdateView",
    "CaseCreateView",
    "CaseDetailView",
    "CaseListView",
    "CaseStepView",
    "FocusProblemAdvanceView",
    "FocusProblemListView",
    "PortfolioView",
    "ProjectAdvanceView",
    "ProjectCreateView",
    "ProjectDetailView",
    "ProjectUpdateView",
    "RecordDetailView",
    "RecordExportView",
    "RecordListView",
    "RecordUpdateView",
    "ServiceLogView",
    "VisitsView",
]
