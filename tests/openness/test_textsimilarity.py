"""Copy-paste detection on realistic Chinese commitment texts."""

from chuangxian.textsimilarity import normalized, similar_pairs, similarity

BOILERPLATE_A = (
    "带头学习党的理论，每月参加支部学习不少于两次，全年学习时长不少于32学时，做到学思用贯通。"
)
BOILERPLATE_B = (
    "带头学习党的理论，每月参加支部学习不少于2次，全年学习时长不少于32学时，做到学思用贯通！"
)
BOILERPLATE_C = (
    "带头学习党的理论；每月参加支部学习不少于两次、全年学习时长不少于三十二学时，做到知行合一。"
)
OWN_POST = "发挥种植大户优势，今年带动本组5户困难群众发展油茶种植20亩，免费提供技术指导和种苗。"
OWN_SERVICE = "在便民服务窗口推行首问负责制，为群众代办社保、医保业务，全年办结率达到百分之百。"


def test_normalized_ignores_punctuation_width_and_case():
    assert normalized("学习，ＡＢ c！ 12") == "学习abc12"


def test_copied_commitments_score_high_and_own_ones_low():
    assert similarity(BOILERPLATE_A, BOILERPLATE_B) > 0.8
    assert similarity(BOILERPLATE_A, BOILERPLATE_C) > 0.5
    assert similarity(BOILERPLATE_A, OWN_POST) < 0.15
    assert similarity(OWN_POST, OWN_SERVICE) < 0.15
    assert similarity(BOILERPLATE_A, BOILERPLATE_A) == 1.0
    assert similarity("", BOILERPLATE_A) == 0.0


def test_similar_pairs_at_a_threshold():
    texts = [BOILERPLATE_A, OWN_POST, BOILERPLATE_B, OWN_SERVICE, BOILERPLATE_C]
    pairs = similar_pairs(texts, threshold=0.5)
    assert {(p.first, p.second) for p in pairs} == {(0, 2), (0, 4), (2, 4)}
    assert pairs[0].first == 0 and pairs[0].second == 2  # most alike first
    strict = similar_pairs(texts, threshold=0.8)
    assert {(p.first, p.second) for p in strict} == {(0, 2)}
