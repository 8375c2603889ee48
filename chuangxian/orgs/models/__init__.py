from chuangxian.orgs.models.account import LoginThrottle, Role, RoleGrant, User
from chuangxian.orgs.models.fieldkey import FieldKeyCheck
from chuangxian.orgs.models.member import (
    Education,
    Gender,
    Member,
    MemberCategory,
    MemberStatus,
    MemberTransfer,
)
from chuangxian.orgs.models.organization import Organization, OrgKind, Sector

__all__ = [
    "Education",
    "FieldKeyCheck",
    "Gender",
    "LoginThrottle",
    "Member",
    "MemberCategory",
    "MemberStatus",
    "MemberTransfer",
    "OrgKind",
    "Organization",
    "Role",
    "RoleGrant",
    "Sector",
    "User",
]
