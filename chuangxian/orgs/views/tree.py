"""The organization tree: roots, children loaded on demand, and search."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chuangxian.orgs import selectors
from chuangxian.orgs.access import access_organization_by_id, organizations_for
from chuangxian.orgs.models import Organization
from chuangxian.orgs.views.http import viewer


def _nodes(user: object, orgs: list[Organization]) -> list[dict[str, object]]:
    """Each organization with its rolled-up member count and whether it has visible children:
    two queries, whatever the number of nodes."""
    counts = selectors.rolled_up_member_counts(orgs)
    with_children = set(
        organizations_for(user)
        .filter(parent_id__in=[o.pk for o in orgs])
        .values_list("parent_id", flat=True)
        .distinct()
    )
    return [
        {"org": o, "count": counts.get(o.pk, 0), "has_children": o.pk in with_children}
        for o in orgs
    ]


def _with_breadcrumbs(user: object, orgs: list[Organization]) -> list[dict[str, object]]:
    """Search results with their visible ancestors, fetched in one query for all results."""
    ancestor_ids = {pk for org in orgs for pk in org.ancestor_ids}
    found = {o.pk: o for o in organizations_for(user).filter(pk__in=ancestor_ids)}
    return [
        {"org": org, "crumbs": [found[pk] for pk in org.ancestor_ids if pk in found]}
        for org in orgs
    ]


@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    query = request.GET.get("q", "").strip()[:50]
    context: dict[str, object] = {"q": query}
    if query:
        context["results"] = _with_breadcrumbs(user, selectors.search_organizations(user, query))
    else:
        context["nodes"] = _nodes(user, selectors.tree_roots(user))
    return render(request, "orgs/tree.html", context)


@require_GET
def tree_children(request: HttpRequest, org_id: int) -> HttpResponse:
    user = viewer(request)
    org = access_organization_by_id(user, org_id)
    nodes = _nodes(user, selectors.children_of(user, org))
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "parent": org})


SUGGESTIONS = 20


@require_GET
def organization_suggestions(request: HttpRequest) -> HttpResponse:
    """Up to SUGGESTIONS organizations the user may see whose name contains, or whose code
    starts with, what was typed into the field named by `field` (forms.fields.
    OrganizationSearchInput), as <option>s for its datalist."""
    field = request.GET.get("field", "q")
    text = request.GET.get(field, "").strip()[:50]
    orgs = selectors.search_organizations(viewer(request), text, limit=SUGGESTIONS)
    return render(request, "orgs/_organization_suggestions.html", {"orgs": orgs})
