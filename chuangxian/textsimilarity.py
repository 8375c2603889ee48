"""How alike two Chinese texts are, by their character n-grams.

Chinese has no spaces to split words on, and boilerplate commitments differ from each other
by a name, a number or a reordered clause; overlapping character bigrams catch that without a
word segmenter. Punctuation and whitespace are dropped first, so "，" against "," or a line
break changes nothing. Used at 审诺 (commitments copied from one member to the next) and for
the public's duplicate opinions."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_N = 2


def normalized(text: str) -> str:
    """Letters and digits only, full-width folded to half-width, Latin lowercased."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def shingles(text: str, n: int = DEFAULT_N) -> frozenset[str]:
    """The set of character n-grams of the normalized text (the text itself when shorter)."""
    plain = normalized(text)
    if len(plain) <= n:
        return frozenset({plain}) if plain else frozenset()
    return frozenset(plain[i : i + n] for i in range(len(plain) - n + 1))


def similarity(a: str, b: str, n: int = DEFAULT_N) -> float:
    """Jaccard similarity of the two texts' n-gram sets, 0.0 (nothing shared) to 1.0."""
    first, second = shingles(a, n), shingles(b, n)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass(frozen=True)
class SimilarPair:
    first: int  # index into the texts given
    second: int
    score: float


def similar_pairs(
    texts: Sequence[str], *, threshold: float, n: int = DEFAULT_N
) -> list[SimilarPair]:
    """Every pair of texts at least `threshold` alike, most alike first.

    An inverted index from n-gram to texts restricts the comparison to pairs sharing at least
    one n-gram, so a review queue of a few hundred items stays a few thousand comparisons."""
    sets = [shingles(text, n) for text in texts]
    holders: dict[str, list[int]] = {}
    for index, grams in enumerate(sets):
        for gram in grams:
            holders.setdefault(gram, []).append(index)
    candidates: set[tuple[int, int]] = set()
    for indexes in holders.values():
        for position, i in enumerate(indexes):
            for j in indexes[position + 1 :]:
                candidates.add((i, j))
    pairs = []
    for i, j in candidates:
        union = len(sets[i] | sets[j])
        score = len(sets[i] & sets[j]) / union if union else 0.0
        if score >= threshold:
            pairs.append(SimilarPair(i, j, score))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
