"""Full-text search over Chinese cases, the same on SQLite and PostgreSQL.

Chinese has no spaces to split words on, and neither database ships a Chinese tokenizer we
could count on (PostgreSQL's needs an extension such as zhparser; SQLite's FTS5 trigram needs
three characters, while most Chinese search words have two). So the index is ours: each case's
text is normalized (NFKC, lower case; anything not a letter or digit splits it into runs), and
every distinct character bigram of every run is a CaseTerm row (a run of one character is
indexed as itself). A query is normalized the same way and split into words. One index-only count tells how many cases
hold each of the query's bigrams: if one is held by none, nothing matches; otherwise the
rarest bigram of each word, when it is selective (held by at most SELECTIVE_SHARE of the
cases), narrows the candidates through the (term, case) index, and the candidates are
confirmed with a plain substring test on the normalized text, so a hit always contains each
query word as typed (bigrams alone would also match "党建设" for "建党"). A one-character
word, or a query whose bigrams most cases hold, is answered by the substring test alone.

Measured (bench/cases_search.py): see docs/cases.md."""

import unicodedata
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from chuangxian.cases.models import Case, CaseTerm

MAX_QUERY_RUNS = 8
# A bigram held by at most this share of all cases narrows the search through the index.
SELECTIVE_SHARE = 0.3


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to half-width), lower case, and every run of
    characters that are neither letters nor digits collapsed to one space."""
    folded = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    space = True
    for ch in folded:
        if ch.isalnum():
            out.append(ch)
            space = False
        elif not space:
            out.append(" ")
            space = True
    return "".join(out).strip()


def runs(text: str) -> list[str]:
    return normalize(text).split()


def terms_of(text: str) -> set[str]:
    """The index terms of a text: every bigram of every run, a lone character as itself."""
    terms: set[str] = set()
    for run in runs(text):
        if len(run) == 1:
            terms.add(run)
        for i in range(len(run) - 1):
            terms.add(run[i : i + 2])
    return terms


def index_case(case: Case) -> None:
    """Rebuild the case's search text and terms (called by every service that changes them)."""
    case.search_text = normalize(f"{case.title} {case.summary} {case.body}")
    Case.objects.filter(pk=case.pk).update(search_text=case.search_text)
    CaseTerm.objects.filter(case=case).delete()
    CaseTerm.objects.bulk_create(
        [CaseTerm(term=term, case=case) for term in sorted(terms_of(case.search_text))],
        batch_size=2000,
    )


def search(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """The cases of `cases` (already scoped) whose text contains every word of `query`."""
    words = runs(query)[:MAX_QUERY_RUNS]
    if not words:
        return cases
    bigrams = {word[i : i + 2] for word in words for i in range(len(word) - 1)}
    if bigrams:
        # How many cases hold each bigram: an index-only count on (term, case).
        frequency = dict(
            CaseTerm.objects.filter(term__in=sorted(bigrams))
            .values_list("term")
            .annotate(n=Count("case_id"))
            .values_list("term", "n")
        )
        if len(frequency) < len(bigrams):
            return cases.none()  # a bigram no case holds: nothing can match
        # Narrow through the rarest bigram of each word, when it is selective; a bigram most
        # cases hold narrows nothing and would only add a join to the substring scan.
        selective = Case.objects.count() * SELECTIVE_SHARE
        for word in words:
            if len(word) < 2:
                continue
            rarest = min((word[i : i + 2] for i in range(len(word) - 1)), key=frequency.__getitem__)
            if frequency[rarest] <= selective:
                cases = cases.filter(pk__in=CaseTerm.objects.filter(term=rarest).values("case_id"))
    return cases.filter(_contains_all(words))


def _contains_all(words: Iterable[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    return condition
