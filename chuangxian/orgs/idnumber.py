"""公民身份号码 (GB 11643-1999): validation, normalization and masking.

Pure functions with no Django dependency, so that the importer, the forms and the demo
generator share exactly one definition of a valid number.
"""

import datetime as dt

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# First two digits: the province-level divisions (GB/T 2260), 71 台湾, 81 香港, 82 澳门,
# 83 residence permits for Taiwan residents.
_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＸ", "0123456789XXX")


class IDNumberError(ValueError):
    """The number is not a valid 18-character 公民身份号码; the message says why, in Chinese."""


def check_digit(first17: str) -> str:
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        return _CHECK_CHARS[_weighted_sum(first17) % 11]
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


# Weighted sums of the region (6 digits) and birth date (8 digits) parts, which a roster repeats
# a lot (the 3-digit sequence's from _SEQUENCE_SUMS). Bounded so odd input cannot grow them.
_PART_CACHE_LIMIT = 100_000
_region_sums: dict[str, int] = {}
_birth_sums: dict[str, int] = {}
_birth_dates: dict[str, dt.date | None] = {}


def _weighted_sum(first17: str) -> int:
    """Σ digit × weight over the first 17 digits (the caller has checked the shape)."""
    region, birth = first17[:6], first17[6:14]
    head = _region_sums.get(region)
    if head is None:
        head = sum(int(d) * w for d, w in zip(region, _WEIGHTS[:6], strict=True))
        if len(_region_sums) < _PART_CACHE_LIMIT:
            _region_sums[region] = head
    middle = _birth_sums.get(birth)
    if middle is None:
        middle = sum(int(d) * w for d, w in zip(birth, _WEIGHTS[6:14], strict=True))
        if len(_birth_sums) < _PART_CACHE_LIMIT:
            _birth_sums[birth] = middle
    tail = _SEQUENCE_SUMS.get(first17[14:17])
    if tail is None:  # digits other than ASCII ones
        tail = int(first17[14]) * 8 + int(first17[15]) * 4 + int(first17[16]) * 2
    return head + middle + tail


# The 3-digit sequence part (weights 8, 4, 2) for every ASCII value.
_SEQUENCE_SUMS = {
    f"{n:03d}": (n // 100) * 8 + (n // 10 % 10) * 4 + (n % 10) * 2 for n in range(1000)
}


def normalize(raw: str) -> str:
    """Strip spaces (ASCII and full-width), turn full-width digits and a lowercase x into
    their ASCII uppercase form. Does not validate."""
    if raw.isascii() and raw.isalnum():  # the usual case: nothing to translate or strip
        return raw.upper()
    return raw.translate(_FULL_WIDTH).replace(" ", "").replace("\u3000", "").strip().upper()


def birth_date_of(number: str) -> dt.date:
    """The birth date encoded in a number already checked for shape."""
    digits = number[6:14]
    try:
        born = _birth_dates[digits]
    except KeyError:
        try:
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            born = None
        if len(_birth_dates) < _PART_CACHE_LIMIT:
            _birth_dates[digits] = born
    if born is None:
        raise IDNumberError("出生日期编码不是真实日期") from None
    return born


def validate(raw: str, *, today: dt.date | None = None) -> str:
    """The normalized number, or IDNumberError explaining what is wrong."""
    return validate_with_birth_date(raw, today=today)[0]


def validate_with_birth_date(raw: str, *, today: dt.date | None = None) -> tuple[str, dt.date]:
    """validate(), with the birth date the number encodes."""
    number = normalize(raw)
    if not number:
        raise IDNumberError("不能为空")
    if len(number) != 18:
        raise IDNumberError(f"应为18位，实为{len(number)}位")
    # 17 digits and a digit or X (isdecimal: what a regular expression's \d matches).
    if not (number[:17].isdecimal() and (number[17] == "X" or number[17].isdecimal())):
        raise IDNumberError("前17位应为数字，最后一位为数字或X")
    if number[:2] not in _PROVINCES:
        raise IDNumberError("前两位不是有效的省级行政区划代码")
    born = birth_date_of(number)
    today = today or dt.date.today()
    if born > today or born.year < 1900:
        raise IDNumberError("出生日期编码不合理")
    # The shape check above guarantees 17 digits.
    expected = _CHECK_CHARS[_weighted_sum(number) % 11]
    if number[17] != expected:
        raise IDNumberError("校验码错误，请核对号码是否抄错")
    return number, born


def gender_of(number: str) -> str:
    """'男' or '女' from the 17th digit (odd for men)."""
    return "男" if int(number[16]) % 2 else "女"


def mask(number: str) -> str:
    """430102********123X: the region and the last four remain, the birth date is hidden."""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}********{number[14:]}"
