"""The unified social credit code (GB 32100-2015) and its check character."""

import pytest
from django.core.exceptions import ValidationError

from stations.validators import credit_code_check_char, validate_credit_code

# The standard's own example, a demo code and a published company code, check characters included.
REAL_CODES = ["91350100M000100Y43", "52330481MJ0000001T", "91110000802100433B"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_valid_codes_pass(code):
    validate_credit_code(code)


def test_lower_case_and_spaces_are_tolerated():
    validate_credit_code(" 52330481mj0000001t ")


@pytest.mark.parametrize(
    "code, error",
    [
        ("52330481MJ0000001A", "credit_code_check"),  # one character off in the check position
        ("52330481MJ0000002T", "credit_code_check"),  # a changed body no longer matches its check
        ("52330481MJ000001T", "credit_code_length"),  # 17 characters
        ("52330481MJ0000001TX", "credit_code_length"),  # 19 characters
        ("52330481MJ000000IT", "credit_code_charset"),  # I is not in the GB 32100 alphabet
        ("5233O481MJ0000001T", "credit_code_charset"),  # letter O in the region digits
        ("", "credit_code_length"),
    ],
)
def test_bad_codes_are_refused_with_their_reason(code, error):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(code)
    assert excinfo.value.code == error


def test_check_character_zero_when_remainder_is_zero():
    """31 - 0 would be 31, which maps to '0' (the modulo wraps)."""
    for n in range(2000):
        body = f"52330481MJ{n:07d}"
        check = credit_code_check_char(body)
        assert check in "0123456789ABCDEFGHJKLMNPQRTUWXY"
        validate_credit_code(body + check)
