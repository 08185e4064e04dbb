"""The dashboard pages: the officials' dashboard (their home) and the township ranking, both showing
``reports.dashboard.dashboard``."""

from .dashboard import DashboardExportView, DashboardView
from .ranking import RankingExportView, RankingView

__all__ = ["DashboardExportView", "DashboardView", "RankingExportView", "RankingView"]
