from typing import Any

from django import template

from chuangxian.honors.selectors import OrgRow

register = template.Library()


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """mapping[key], or None (dictionaries keyed by year or code)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def band(row: OrgRow, year: int) -> str:
    return row.band(year)


@register.filter
def add_own(rows: list[OrgRow], own: OrgRow) -> list[OrgRow]:
    """The organization itself first, then the organizations below it."""
    return [own, *rows]
