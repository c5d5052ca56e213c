"""The shapes a telephone number and keypad digits must have, checked once, here."""

import re

from agentdesk.kit.errors import FieldError, ValidationFailed

PHONE_NUMBER = re.compile(r"^\+?[0-9]{3,24}$")
DTMF = re.compile(r"^[0-9*#A-D]{1,32}$")


def check_number(field: str, number: str) -> str:
    number = (number or "").strip()
    if not PHONE_NUMBER.match(number):
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    "phone_number",
                    "must be 3-24 digits, optional +",
                    "号码须为 3–24 位数字，可以 + 开头",
                )
            ]
        )
    return number


def check_dtmf(digits: str) -> str:
    if not DTMF.match(digits or ""):
        raise ValidationFailed.single("digits", "dtmf", "must be 1-32 of 0-9 * # A-D")
    return digits
