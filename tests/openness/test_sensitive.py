"""Personal data in a disclosure: real ID numbers and mobile numbers found, look-alikes not."""

import datetime as dt

from chuangxian.openness.sensitive import find_sensitive, marked
from tests.factories import make_id_number

ID = make_id_number(dt.date(1975, 3, 9), 17)


def test_id_number_found_with_its_span():
    text = f"经支部大会讨论，同意张某（身份证号{ID}）为发展对象。"
    [finding] = find_sensitive(text)
    assert finding.kind == "id_number"
    assert text[finding.start : finding.end] == ID
    assert finding.label == "公民身份号码"


def test_wrong_check_digit_or_impossible_date_is_not_an_id_number():
    wrong = ID[:17] + ("0" if ID[17] != "0" else "1")
    assert find_sensitive(f"订单号{wrong}") == []
    no_date = "430102" + "19751309" + "123" + "4"
    assert [f for f in find_sensitive(no_date) if f.kind == "id_number"] == []


def test_full_width_and_lowercase_x():
    full = ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ"))
    [finding] = find_sensitive(f"号码：{full}。")
    assert finding.kind == "id_number"
    assert finding.text == full


def test_digits_inside_a_longer_number_are_not_matched():
    assert find_sensitive(f"1{ID}9") == []


def test_mobile_numbers_in_several_writings_but_not_landlines():
    text = "联系人手机13912345678，或 139-1234-5678，或+86 139 1234 5678；办公室电话0731-84561234。"
    found = [f.text for f in find_sensitive(text)]
    assert found == ["13912345678", "139-1234-5678", "+86 139 1234 5678"]


def test_marked_escapes_the_text_around_the_marks():
    text = "<script>alert(1)</script>电话13912345678"
    html = marked(text, find_sensitive(text))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<mark class="op-sensitive" title="手机号码">13912345678</mark>' in html
