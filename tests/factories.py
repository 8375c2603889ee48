"""Factories for the foundation's models. Valid ID numbers are generated, never hard-coded."""

import datetime as dt
import itertools

import factory

from chuangxian.orgs import idnumber
from chuangxian.orgs.models import (
    Member,
    MemberCategory,
    Organization,
    OrgKind,
    Role,
    RoleGrant,
    Sector,
    User,
)

_serial = itertools.count(1)


def make_id_number(
    born: dt.date, serial: int, *, female: bool = False, region: str = "430102"
) -> str:
    """A valid 18-character number for `born`; `serial` varies the sequence digits."""
    sequence = (serial * 2) % 1000
    sequence = sequence - sequence % 2 + (0 if female else 1)
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + idnumber.check_digit(first17)


def make_org(
    code: str,
    *,
    parent: Organization | None = None,
    kind: str = OrgKind.BRANCH,
    sector: str = Sector.RURAL,
    name: str | None = None,
) -> Organization:
    org = Organization.objects.create(
        code=code, name=name or f"{code}党组织", kind=kind, sector=sector, parent=parent, path=""
    )
    parent_path = parent.path if parent else "/"
    org.path = f"{parent_path}{org.pk}/"
    org.depth = parent_path.count("/") - 1
    org.save(update_fields=["path", "depth"])
    return org


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"党员{n:04d}")
    gender = "男"
    ethnicity = "汉族"
    birth_date = dt.date(1980, 5, 17)
    joined_on = dt.date(2005, 7, 1)
    confirmed_on = dt.date(2006, 7, 1)
    category = MemberCategory.FULL
    phone = factory.Sequence(lambda n: f"139{n:08d}")

    @factory.lazy_attribute
    def id_number_ciphertext(self) -> str:
        return ""

    @factory.lazy_attribute
    def id_number_hash(self) -> str:
        return ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        number = kwargs.pop("id_number", None) or make_id_number(
            kwargs["birth_date"], next(_serial), female=kwargs["gender"] == "女"
        )
        member = model_class(*args, **kwargs)
        member.set_id_number(number)
        member.save()
        return member


def make_user(
    username: str,
    *,
    password: str = "Passw0rd-2026",
    member: Member | None = None,
    grants: tuple[tuple[Organization, str], ...] = (),
) -> User:
    user = User.objects.create_user(username=username, password=password, member=member)
    for org, role in grants:
        RoleGrant.objects.create(user=user, organization=org, role=role)
    return user


__all__ = ["MemberFactory", "Role", "make_id_number", "make_org", "make_user"]
