"""The funding app's part of the permission matrix (tests/matrix.py): the same check over its entries, in a module
of its own so that pytest-xdist, which keeps a module on one worker, runs it beside the other parts."""

import pytest

from .conftest import ROLES
from .test_permission_matrix import (  # noqa: F401  (matrix_world, matrix_world_once: fixtures)
    FUNDING_ENTRIES,
    check_entry,
    entry_id,
    matrix_world,
    matrix_world_once,
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", FUNDING_ENTRIES, ids=entry_id)
def test_permission_matrix(endpoint, role, matrix_world):  # noqa: F811
    """Every funding entry, for every role."""
    check_entry(endpoint, role, matrix_world)
