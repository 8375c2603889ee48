"""Progress of targets, rolled up the tree with normalized weights. Pure functions on plain
values, so the formula is tested on its own (property tests) and every caller shares it.

- a number target: p = (value − baseline) / (target − baseline), clamped to [0, 1]
  (works for targets below the baseline too: "reduce complaints from 10 to 2");
- a done / not done target: 1 or 0;
- a decomposed target: Σ w·p / Σ w over its children present (their own weights, normalized);
- an organization: Σ w·p / Σ w over the items it holds.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

DONE = "done"
NUMBER = "number"


@dataclass(frozen=True)
class Node:
    id: int
    parent_id: int | None
    weight: Decimal
    measure: str
    baseline: Decimal | None = None
    target: Decimal | None = None
    value: Decimal | None = None
    done: bool = False


def clamp(p: float) -> float:
    return 0.0 if p < 0 else 1.0 if p > 1 else p


def own_progress(node: Node) -> float:
    """The progress of a target from its own report (not its children)."""
    if node.measure == DONE:
        return 1.0 if node.done else 0.0
    baseline = node.baseline or Decimal(0)
    value = node.value if node.value is not None else baseline
    if node.target is None:
        return 0.0
    if node.target == baseline:
        return 1.0 if value >= node.target else 0.0
    return clamp(float((value - baseline) / (node.target - baseline)))


def weighted_mean(pairs: Iterable[tuple[Decimal, float]]) -> float | None:
    """Σ w·p / Σ w; None when there is nothing (or no positive weight) to average."""
    total = 0.0
    weighted = 0.0
    for weight, progress in pairs:
        w = float(weight)
        if w <= 0:
            continue
        total += w
        weighted += w * progress
    if total <= 0:
        return None
    return clamp(weighted / total)


def progress_by_id(nodes: Iterable[Node]) -> dict[int, float]:
    """The progress of every node: its own for a leaf, its children's weighted mean for a
    decomposed one. Children missing from `nodes` do not count ("over the items present")."""
    by_id = {node.id: node for node in nodes}
    children: dict[int, list[Node]] = defaultdict(list)
    for node in by_id.values():
        if node.parent_id is not None and node.parent_id in by_id:
            children[node.parent_id].append(node)
    result: dict[int, float] = {}
    # Iterative post-order: deep trees must not hit the recursion limit.
    for root in by_id.values():
        if root.id in result:
            continue
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node.id in result:
                continue
            kids = children.get(node.id, [])
            if not kids:
                result[node.id] = own_progress(node)
            elif expanded:
                mean = weighted_mean((kid.weight, result[kid.id]) for kid in kids)
                result[node.id] = own_progress(node) if mean is None else mean
            else:
                stack.append((node, True))
                stack.extend((kid, False) for kid in kids if kid.id not in result)
    return result
