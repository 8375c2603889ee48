"""手机号码: an 11-digit mainland mobile number."""

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class PhoneError(ValueError):
    pass


def normalize_mobile(raw: str) -> str:
    """The number without spaces, dashes or a +86 / 0086 prefix; validated."""
    number = raw.translate(_FULL_WIDTH_DIGITS)
    for junk in (" ", "\u3000", "-", "(", ")"):
        number = number.replace(junk, "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    if not _MOBILE.match(number):
        raise PhoneError("应为11位大陆手机号码（以1开头，第二位为3-9）")
    return number
