"""The roll-up formula: examples, and properties checked with hypothesis."""

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangxian.campaigns.rollup import DONE, NUMBER, Node, own_progress, progress_by_id

D = Decimal


def test_number_progress_is_linear_between_baseline_and_target_and_clamped():
    node = Node(1, None, D(1), NUMBER, baseline=D(2), target=D(6), value=D(3))
    assert own_progress(node) == 0.25
    assert own_progress(Node(1, None, D(1), NUMBER, baseline=D(2), target=D(6))) == 0.0
    assert own_progress(Node(1, None, D(1), NUMBER, baseline=D(2), target=D(6), value=D(9))) == 1
    assert own_progress(Node(1, None, D(1), NUMBER, baseline=D(2), target=D(6), value=D(0))) == 0
    # A target below the baseline (reduce complaints from 10 to 2).
    assert (
        own_progress(Node(1, None, D(1), NUMBER, baseline=D(10), target=D(2), value=D(4))) == 0.75
    )


def test_done_progress_is_one_or_zero():
    assert own_progress(Node(1, None, D(1), DONE, done=True)) == 1.0
    assert own_progress(Node(1, None, D(1), DONE, done=False)) == 0.0


def test_decomposed_item_takes_the_weighted_mean_of_its_children():
    nodes = [
        Node(1, None, D(10), NUMBER, baseline=D(0), target=D(100), value=D(100)),
        Node(2, 1, D(3), DONE, done=True),
        Node(3, 1, D(1), NUMBER, baseline=D(0), target=D(4), value=D(2)),
        Node(4, 3, D(1), DONE, done=False),  # 3 is decomposed too: its own value is ignored
        Node(5, 3, D(1), DONE, done=True),
    ]
    progress = progress_by_id(nodes)
    assert progress[3] == 0.5
    assert progress[1] == pytest.approx((3 * 1 + 1 * 0.5) / 4)


def test_children_missing_from_the_set_do_not_count():
    nodes = [Node(1, None, D(1), DONE), Node(2, 1, D(1), DONE, done=True)]
    assert progress_by_id(nodes)[1] == 1.0
    assert progress_by_id(nodes[:1])[1] == 0.0


weights = st.decimals(min_value=D("0.01"), max_value=D(1000), places=2)
values = st.decimals(min_value=D(-1000), max_value=D(1000), places=2)


@st.composite
def forests(draw: st.DrawFn) -> list[Node]:
    count = draw(st.integers(min_value=1, max_value=40))
    nodes = []
    for pk in range(1, count + 1):
        parent = (
            draw(st.one_of(st.none(), st.integers(min_value=1, max_value=pk - 1)))
            if pk > 1
            else None
        )
        if draw(st.booleans()):
            baseline = draw(values)
            target = draw(values.filter(lambda v, b=baseline: v != b))
            node = Node(
                pk,
                parent,
                draw(weights),
                NUMBER,
                baseline,
                target,
                draw(st.one_of(st.none(), values)),
            )
        else:
            node = Node(pk, parent, draw(weights), DONE, done=draw(st.booleans()))
        nodes.append(node)
    return nodes


@settings(max_examples=60, deadline=None)
@given(forests())
def test_every_progress_lies_in_the_unit_interval(nodes):
    assert all(0.0 <= p <= 1.0 for p in progress_by_id(nodes).values())


@settings(max_examples=60, deadline=None)
@given(forests(), st.randoms(use_true_random=False))
def test_roll_up_does_not_depend_on_order(nodes, rnd: random.Random):
    shuffled = list(nodes)
    rnd.shuffle(shuffled)
    first, second = progress_by_id(nodes), progress_by_id(shuffled)
    assert first.keys() == second.keys()
    for pk, p in first.items():
        assert second[pk] == pytest.approx(p, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(forests(), st.integers(min_value=2, max_value=50))
def test_weights_renormalize_scaling_siblings_changes_nothing(nodes, factor):
    scaled = [
        Node(n.id, n.parent_id, n.weight * factor, n.measure, n.baseline, n.target, n.value, n.done)
        for n in nodes
    ]
    first, second = progress_by_id(nodes), progress_by_id(scaled)
    for pk, p in first.items():
        assert second[pk] == pytest.approx(p, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(weights, st.booleans()), min_size=1, max_size=20))
def test_a_parent_of_done_items_is_the_weighted_share_done(children):
    nodes = [Node(0, None, D(1), DONE)] + [
        Node(i, 0, w, DONE, done=done) for i, (w, done) in enumerate(children, start=1)
    ]
    expected = float(sum(w for w, done in children if done) / sum(w for w, _ in children))
    assert progress_by_id(nodes)[0] == pytest.approx(expected, abs=1e-9)
