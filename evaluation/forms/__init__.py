"""Evaluation forms, one module a concept."""
