"""The rules of evaluation (DOMAIN.md section 6), one concept a module: grading (grades and stars from the policy),
workflow (scores, transitions, amendments, the township's answer), facts (what the portal knows for an indicator,
and the suggested score), templates (activation, versions, spreadsheets), surveys and the two-way assessment.

Import from the module: ``from evaluation.rules.grading import evaluation_grade``.
"""
