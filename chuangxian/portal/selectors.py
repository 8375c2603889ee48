"""What the public may read without an account.

The public scope is deliberately narrow: an organization's name, kind, sector, place in the
tree and founding date — what a 党务公开 board shows. No member, phone or ID number is ever
read here; later modules add what they disclose (commitment walls, notices) through their own
public selectors."""

from django.db.models import Q, QuerySet

from chuangxian.orgs.models import Organization

PUBLIC_FIELDS = ("id", "code", "name", "kind", "sector", "path", "parent_id", "established_on")


def public_organizations() -> QuerySet[Organization]:
    return Organization.objects.only(*PUBLIC_FIELDS)


def public_search(text: str, limit: int = 30) -> list[Organization]:
    text = text.strip()
    if not text:
        return []
    return list(
        public_organizations()
        .filter(Q(name__icontains=text) | Q(code=text))
        .order_by("path")[:limit]
    )


def public_organization(code: str) -> Organization | None:
    return public_organizations().filter(code=code).first()


def public_children(org: Organization) -> list[Organization]:
    return list(public_organizations().filter(parent=org).order_by("kind", "code"))


def public_ancestors(org: Organization) -> list[Organization]:
    ids = org.ancestor_ids
    found = {o.pk: o for o in public_organizations().filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]
