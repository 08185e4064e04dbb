"""Browser pages of staffing: a station's roster and compliance, staff history, volunteers and their hours,
the roster in and out of Excel, and the officials' list of stations that fail the staffing standard.

Every page reaches a station through ``Station.objects.visible_to(user)`` (404 outside the scope), writes through
``save_in_scope``, takes its figures from ``rules.py`` and shows ID numbers masked; a whole number is shown only on
its own POST, to holders of ``staffing.view_full_id_number``, and every such view is logged (``IdNumberView``).
"""

from .common import FULL_ID_NUMBER, PAGE_SIZE
from .compliance import ComplianceExportView, ComplianceRuleForm, ComplianceView
from .policies import PolicyCreateView, PolicyFormMixin, PolicyListView, PolicyUpdateView
from .roster import RosterExportView, RosterImportView, RosterTemplateView, RosterView, StaffHistoryView
from .staff import (
    StaffCreateView,
    StaffFormMixin,
    StaffIdNumberView,
    StaffUpdateView,
    VolunteerIdNumberView,
    WholeIdNumberView,
)
from .volunteers import (
    VolunteerCreateView,
    VolunteerFormMixin,
    VolunteerHoursAddView,
    VolunteerListView,
    VolunteerUpdateView,
)

__all__ = [
    "ComplianceExportView",
    "ComplianceRuleForm",
    "ComplianceView",
    "FULL_ID_NUMBER",
    "PAGE_SIZE",
    "PolicyCreateView",
    "PolicyFormMixin",
    "PolicyListView",
    "PolicyUpdateView",
    "RosterExportView",
    "RosterImportView",
    "RosterTemplateView",
    "RosterView",
    "StaffCreateView",
    "StaffFormMixin",
    "StaffHistoryView",
    "StaffIdNumberView",
    "StaffUpdateView",
    "VolunteerCreateView",
    "VolunteerFormMixin",
    "VolunteerHoursAddView",
    "VolunteerIdNumberView",
    "VolunteerListView",
    "VolunteerUpdateView",
    "WholeIdNumberView",
]
