"""Labels for codes stored on commitments."""

from typing import Any

from django import template

from chuangxian.campaigns.dimensions import ALL_DIMENSIONS
from chuangxian.commitments.models import RaterGroup, Satisfaction

register = template.Library()


@register.filter
def dimension_label(code: str) -> str:
    return str(ALL_DIMENSIONS.get(code, code))


@register.filter
def satisfaction_label(score: int | None) -> str:
    if score is None:
        return ""
    try:
        return str(Satisfaction(score).label)
    except ValueError:
        return str(score)


@register.filter
def rater_group_label(group: str) -> str:
    try:
        return str(RaterGroup(group).label)
    except ValueError:
        return group


@register.filter
def status_badge(status: str) -> str:
    """The badge colour class for a status."""
    return {
        "returned": "danger",
        "unmet": "danger",
        "submitted": "warning",
        "approved": "warning",
        "fulfilled": "ok",
        "rated": "ok",
        "published": "ok",
        "in_progress": "ok",
    }.get(status, "muted")


@register.filter
def get_score(rated: dict[int, int], item_id: int) -> int | None:
    return rated.get(item_id)


@register.filter
def similar_to(similar: dict[int, list[Any]], item_id: int) -> list[Any]:
    """The review page's near-duplicates of one item (see selectors.similar_items)."""
    return similar.get(item_id, [])
