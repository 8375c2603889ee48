"""Who may write what in an import: the access layer's answer, or everything for the system."""

from typing import Any

from chuangxian.orgs.access import can_edit_members_of, scope_for
from chuangxian.orgs.models import Organization


class ImportScope:
    """The importing user's reach. `user=None` is the system (the CLI without --user)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.is_system = user is None
        if user is not None:
            scope_for(user)  # computed once, cached on the user

    def administers(self, org: Organization) -> bool:
        return self.is_system or scope_for(self.user).administers(org)

    def edits_members_of(self, org: Organization) -> bool:
        return self.is_system or can_edit_members_of(self.user, org)
