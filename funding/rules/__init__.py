"""The funding rules of DOMAIN.md section 5, one module a concept: budgets, expenditures, the split, disbursements."""
