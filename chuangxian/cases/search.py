"""Full-text search over Chinese cases, the same on SQLite and PostgreSQL.

Chinese has no spaces to split words on, and neither database ships a Chinese tokenizer we
could count on (PostgreSQL's needs an extension such as zhparser; pg_trgm and SQLite's FTS5
trigram tokenizer need three characters, while most Chinese search words have two). So a case
keeps `search_text`: its title, summary and text normalized (NFKC, lower case, every run of
characters that are neither letters nor digits collapsed to one space), and a query, normalized
the same way and split into words, matches the cases whose search_text contains every word:
one `LIKE '%word%'` per word. Full-width letters, punctuation and case no longer matter, and any
substring of one character or more is found.

A character-bigram index table was built and measured first (docs/cases.md): on 3,000 cases it
was no faster than this scan on either database, and slower on PostgreSQL, for the price of a
few hundred index rows per case; a library grows by a few hundred cases a year per county, so
the plain scan is what the project keeps."""

import unicodedata

from django.db.models import Q, QuerySet

from chuangxian.cases.models import Case

MAX_QUERY_WORDS = 8


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


def search_text_of(case: Case) -> str:
    return normalize(f"{case.title} {case.summary} {case.body}")


def search(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """The cases of `cases` (already scoped) whose text contains every word of `query`."""
    condition = Q()
    for word in normalize(query).split()[:MAX_QUERY_WORDS]:
        condition &= Q(search_text__contains=word)
    return cases.filter(condition)
