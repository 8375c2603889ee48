"""The public ballot's fast path: accept a sheet with one SQL statement.

What a token batch may rate (its round, the subjects in its organization's subtree, the rated
leaves and their scales) never changes once the batch exists — subjects are enrolled at
round_open and schemes are not edited — so it is read once per process and kept
(`batch_info`, bounded). The round's status, the only thing that does change, is checked by the
accepting statement itself (services/ballots.store_sheet, under a key-share lock on the round
row). The form posts the batch id it was rendered for; a wrong or missing id only sends the
request down the ordinary path (the view falls back to the full form and ballot_submit)."""

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from chuangxian.appraisal.forms import field_name
from chuangxian.appraisal.models import Indicator, LeafKind, RaterKind, RoundSubject, TokenBatch
from chuangxian.appraisal.schemes import choice_codes, scale_points
from chuangxian.appraisal.services.ballots import (
    encode_payload,
    limiter,
    sheet_fingerprint,
    store_sheet,
    token_hash,
)

CACHE_SIZE = 512


@dataclass(frozen=True)
class BatchInfo:
    batch_id: int
    round_id: int
    # (subject id, field names of its leaves) in form order, and the leaves' scales.
    fields: tuple[tuple[int, tuple[tuple[int, str], ...]], ...]
    scales: Mapping[int, Mapping[str, Any]]
    groups: Mapping[int, str]
    # A choices leaf's posted codes → points (schemes.choice_codes); other leaves absent.
    choice_points: Mapping[int, Mapping[str, float]]


_cache: "OrderedDict[int, BatchInfo]" = OrderedDict()
_lock = threading.Lock()


def batch_info(batch_id: int) -> BatchInfo | None:
    with _lock:
        info = _cache.get(batch_id)
        if info is not None:
            _cache.move_to_end(batch_id)
            return info
    batch = TokenBatch.objects.select_related("organization", "round").filter(pk=batch_id).first()
    if batch is None:
        return None
    subjects = list(
        RoundSubject.objects.filter(
            round_id=batch.round_id, organization__path__startswith=batch.organization.path
        )
        .order_by("organization__path", "peer_key", "label")
        .values_list("pk", flat=True)
    )
    leaves = list(
        Indicator.objects.filter(scheme_id=batch.round.scheme_id, kind=LeafKind.RATED)
        .order_by("position")
        .values_list("pk", "scale")
    )
    info = BatchInfo(
        batch_id=batch.pk,
        round_id=batch.round_id,
        fields=tuple(
            (sid, tuple((leaf, field_name(sid, leaf)) for leaf, _ in leaves)) for sid in subjects
        ),
        scales=dict(leaves),
        groups=dict.fromkeys(subjects, "public"),
        choice_points={
            leaf: {code: points for code, (_, points) in choice_codes(scale).items()}
            for leaf, scale in leaves
            if scale.get("kind") == "choices"
        },
    )
    with _lock:
        _cache[batch_id] = info
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return info


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def sheet_scores(info: BatchInfo, data: Mapping[str, Any]) -> list[tuple[int, int, float]] | None:
    """The sheet's (subject, leaf, points), or None when any answer is missing or off its
    scale (the view then shows the full form with its messages)."""
    scores: list[tuple[int, int, float]] = []
    choices = info.choice_points
    for sid, leaves in info.fields:
        for leaf, name in leaves:
            codes = choices.get(leaf)
            if codes is not None:
                points = codes.get(data.get(name))  # type: ignore[arg-type]
            else:
                points = scale_points(info.scales[leaf], data.get(name))
            if points is None:
                return None
            scores.append((sid, leaf, points))
    return scores or None


def public_accept(
    info: BatchInfo, token: str, scores: list[tuple[int, int, float]], address: str | None
) -> None:
    """Accept a validated public sheet: the rate limit (in memory), then one statement that
    burns the token and stores the pending sheet while the round is collecting. Raises
    AppraisalError with the reason when refused."""
    limiter.check(info.round_id, address)
    store_sheet(
        round_id=info.round_id,
        kind=RaterKind.PUBLIC,
        payload=encode_payload(scores, info.groups),
        fingerprint=sheet_fingerprint(scores),
        today=timezone.localdate(),
        token=(token_hash(token), info.batch_id),
    )
    limiter.record(info.round_id, address)
