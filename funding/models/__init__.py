"""The funding models, one module a concept."""

from .budgets import Budget, BudgetLineAmount, BudgetSourceAmount
from .disbursements import Disbursement
from .expenditures import Expenditure
from .policy import FundingPolicy

__all__ = ["Budget", "BudgetLineAmount", "BudgetSourceAmount", "Disbursement", "Expenditure", "FundingPolicy"]
