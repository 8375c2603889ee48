"""党内职务: reading a member's post to know their role in the branch.

The roster keeps 党内职务 as the text the national system uses (书记, 副书记, 组织委员, 宣传委员,
纪检委员, 委员 …); these helpers are the one place that interprets it."""

SECRETARY_POSTS = ("书记", "副书记")
COMMITTEE_MARKERS = ("书记", "委员")


def is_secretary(party_post: str) -> bool:
    post = party_post.strip()
    return any(post.endswith(marker) for marker in SECRETARY_POSTS) and "委员" not in post


def is_committee_member(party_post: str) -> bool:
    """书记, 副书记 and every 委员 sit on the branch committee (支部委员会)."""
    post = party_post.strip()
    return any(marker in post for marker in COMMITTEE_MARKERS)


# Above the branch: a 党总支's, a 党委's or a 党工委's secretary is not the branch's.
_ABOVE_BRANCH = ("总支", "党委", "党工委")


def is_branch_secretary(party_post: str) -> bool:
    """The branch's own secretary (书记, 党支部书记, 联合党支部书记 …, also as one part of
    "党支部书记、村委会主任"), not a deputy (副书记) nor the secretary of a body above."""
    for part in party_post.replace("，", "、").replace(",", "、").split("、"):
        post = part.strip()
        if (
            post.endswith("书记")
            and not post.endswith("副书记")
            and not any(word in post for word in _ABOVE_BRANCH)
        ):
            return True
    return False
