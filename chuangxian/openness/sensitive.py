"""Finding personal data that must not be disclosed: 公民身份号码 and mobile numbers.

A disclosure whose text holds either cannot be published; the reviewer sees each offending
span marked in place. Only numbers that really are what they look like are flagged: an ID
number must carry a real birth date and a correct GB 11643 check digit (an 18-digit order
number is not one), a mobile number the 1[3-9] prefix of mainland numbers. Office landlines
(0xx-xxxxxxxx) are public contact points on a 公开栏 and are left alone."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chuangxian.orgs import idnumber

_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
# Digits not glued to other digits: a run inside a longer number is not a match.
_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")


@dataclass(frozen=True)
class Finding:
    kind: str  # "id_number" or "mobile"
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return "公民身份号码" if self.kind == "id_number" else "手机号码"


def _is_id_number(number: str) -> bool:
    first17, last = number[:17], number[17].upper()
    if idnumber.check_digit(first17) != last:
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return born.year >= 1900


def find_sensitive(text: str) -> list[Finding]:
    """Every ID number and mobile number in the text, in order (full-width digits too)."""
    # Same length after translation, so the offsets found are offsets into the original.
    plain = text.translate(_FULL_WIDTH)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []
    for match in _ID.finditer(plain):
        if _is_id_number(match.group()):
            findings.append(
                Finding("id_number", match.start(), match.end(), text[match.start() : match.end()])
            )
            taken.append((match.start(), match.end()))
    for match in _MOBILE.finditer(plain):
        if any(start < match.end() and match.start() < end for start, end in taken):
            continue
        findings.append(
            Finding("mobile", match.start(), match.end(), text[match.start() : match.end()])
        )
    return sorted(findings, key=lambda f: f.start)


def marked(text: str, findings: list[Finding]) -> SafeString:
    """The text, escaped, with each finding wrapped in <mark> so the reviewer sees where."""
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(escape(text[position : finding.start]))
        parts.append(
            f'<mark class="op-sensitive" title="{escape(finding.label)}">'
            f"{escape(finding.text)}</mark>"
        )
        position = finding.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece escaped above)
