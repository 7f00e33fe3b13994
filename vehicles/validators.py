"""The VIN rules: what a VIN is, and how one typed in any case is stored."""

import re
import string

from django.core.exceptions import ValidationError

# 17 characters; I, O and Q are never used (they read as 1 and 0).
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
# Only ASCII letters are upper-cased: str.upper() maps "ß" to "SS" and the
# long s (U+017F) to "S", which would turn other text into a valid VIN.
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def normalize_vin(value: str) -> str:
    return (value or "").strip().translate(_ASCII_UPPER)


def validate_vin(value: str) -> None:
    if not VIN_RE.fullmatch(normalize_vin(value)):
        raise ValidationError(
            "A VIN is 17 letters and digits, without I, O or Q.", code="invalid_vin"
        )
