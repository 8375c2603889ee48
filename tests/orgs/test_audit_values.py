"""Codes stored in audit events read as their labels on the audit page (issue 13)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from chuangxian.appraisal.models import Scheme
from chuangxian.orgs.views.audit import _changes_text

pytestmark = pytest.mark.django_db


def test_choices_become_labels():
    text = _changes_text(
        "meeting",
        {"meeting_type": [None, "general"], "attendee_scope": [None, "all"], "expected": [None, 3]},
        gettext,
    )
    assert (
        text == "会议类型：（空） → 支部党员大会；应到范围：（空） → 全体党员；应到人数：（空） → 3"
    )
    # Keys that are not fields (member names, a check-in) use the one choices field knowing
    # the value.
    text = _changes_text("attendance", {"checkin": ["absent", "present"]}, gettext)
    assert text == "扫码签到：缺席 → 出席"
    assert _changes_text("attendance", {"张三#1": ["absent", "leave"]}, gettext) == (
        "张三#1：缺席 → 请假"
    )
    with translation.override("en"):
        english = _changes_text("meeting", {"meeting_type": ["general", "lecture"]}, gettext)
    assert english == "Meeting type: Branch general meeting of Party members → Party lecture"


def test_a_code_naming_another_record_becomes_its_name():
    Scheme.objects.create(code="democratic", name="民主评议党员", subject_type="member")
    text = _changes_text("appraisal_round", {"scheme": [None, "democratic"]}, gettext)
    assert text == "考评方案：（空） → 民主评议党员"
    # Unknown values stay as stored.
    assert _changes_text("meeting", {"topic": ["a", "b"]}, gettext) == "主题：a → b"
