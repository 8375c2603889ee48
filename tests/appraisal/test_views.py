"""The appraisal pages: access matrix, round lifecycle through the buttons, member and superior
sheets, public tokens, results, explanation, grade override, export and report."""

import io
import re

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from chuangxian.appraisal.access import (
    access_managed_round_by_id,
    access_round_by_id,
    access_subject_by_id,
    can_override_grade,
    member_subjects_to_rate,
    superior_subjects_to_rate,
)
from chuangxian.appraisal.models import (
    BoxedSheet,
    IssuedToken,
    Participation,
    Round,
    RoundStatus,
    RoundSubject,
    Scheme,
    SubjectResult,
    UsedToken,
)
from chuangxian.appraisal.services import (
    ballot_submit,
    round_close,
    round_publish,
    round_review,
)
from chuangxian.audit.models import AuditEvent
from chuangxian.audit.services import SYSTEM
from tests.appraisal.helpers import (
    democratic_round,
    mark_sheet,
    member_subjects,
    posted,
    superior_rates_everyone,
)
from tests.factories import MemberFactory, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "Passw0rd-2026"


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def branch_round(tree):  # type: ignore[no-untyped-def]
    """A 民主评议 round over branch A1 (张三, 李四 + 3 more), collecting."""
    for _ in range(3):
        MemberFactory(organization=tree.branch_a1)
    return tree, democratic_round(tree.branch_a1)


def _close_with_votes(tree, round_):  # type: ignore[no-untyped-def]
    subjects = member_subjects(round_)
    marks = dict.fromkeys(subjects.values(), "优秀")
    ballot_submit(round_=round_, sheet=mark_sheet(round_, marks), rater_member=tree.member_a1)
    ballot_submit(round_=round_, sheet=mark_sheet(round_, marks), rater_user=tree.town_admin)
    return round_close(actor=SYSTEM, round_=round_)


# --- permission matrix: owner / superior / sibling / outsider / anonymous -----------------

ROLES = ["town_admin", "county_admin", "sibling_secretary", "outsider", "anonymous"]


def _user(tree, role):  # type: ignore[no-untyped-def]
    return None if role == "anonymous" else getattr(tree, role)


@pytest.mark.parametrize(
    ("role", "sees", "manages"),
    [
        ("town_admin", True, True),  # owner: administers the round's subtree (A ⊃ A1)
        ("county_admin", True, True),  # superior
        ("sibling_secretary", False, False),  # A2, a sibling branch
        ("outsider", False, False),  # admin of town B
        ("anonymous", False, False),
    ],
)
def test_round_access_matrix(tree, role, sees, manages) -> None:  # type: ignore[no-untyped-def]
    round_ = democratic_round(tree.branch_a1)
    user = _user(tree, role)
    if sees:
        assert access_round_by_id(user, round_.pk) == round_
    else:
        with pytest.raises(Http404):
            access_round_by_id(user, round_.pk)
    if manages:
        assert access_managed_round_by_id(user, round_.pk) == round_
    else:
        with pytest.raises(Http404):
            access_managed_round_by_id(user, round_.pk)
    page = client_for(user).get(reverse("appraisal:round", args=[round_.pk]))
    assert page.status_code == (200 if sees else 302 if user is None else 404)


def test_member_and_secretary_see_the_round_but_do_not_manage(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    assert access_round_by_id(tree.member_user, round_.pk) == round_
    assert access_round_by_id(tree.secretary, round_.pk) == round_
    for user in (tree.member_user, tree.secretary):
        with pytest.raises(Http404):
            access_managed_round_by_id(user, round_.pk)


@pytest.mark.parametrize(
    ("role", "reads", "overrides"),
    [
        ("secretary", True, True),  # owner: the branch decides
        ("town_admin", True, True),  # superior
        ("sibling_secretary", False, False),
        ("outsider", False, False),
        ("anonymous", False, False),
    ],
)
def test_result_access_matrix(branch_round, role, reads, overrides) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    _close_with_votes(tree, round_)
    subject = member_subjects(round_)[tree.member_a1g.pk]
    user = _user(tree, role)
    if reads:
        found = access_subject_by_id(user, round_, subject.pk)
        assert can_override_grade(user, found) is overrides
    else:
        with pytest.raises(Http404):
            access_subject_by_id(user, round_, subject.pk)


def test_a_member_reads_only_their_own_result_and_only_once_published(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    round_ = _close_with_votes(tree, round_)
    subjects = member_subjects(round_)
    own, other = subjects[tree.member_a1.pk], subjects[tree.member_a1g.pk]
    with pytest.raises(Http404):
        access_subject_by_id(tree.member_user, round_, own.pk)
    round_ = round_publish(actor=SYSTEM, round_=round_review(actor=SYSTEM, round_=round_))
    assert access_subject_by_id(tree.member_user, round_, own.pk) == own
    assert not can_override_grade(tree.member_user, own)
    with pytest.raises(Http404):
        access_subject_by_id(tree.member_user, round_, other.pk)
    page = client_for(tree.member_user).get(reverse("appraisal:results", args=[round_.pk]))
    assert [r.subject_id for r in page.context["rows"]] == [own.pk]


def test_sheets_member_rates_own_branch_superior_rates_below(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    mine = set(member_subjects_to_rate(round_, tree.member_a1g).values_list("member_id", flat=True))
    assert tree.member_a1.pk in mine and tree.member_a1g.pk in mine  # 党小组 counts as branch
    assert not member_subjects_to_rate(round_, tree.member_a2).exists()
    assert superior_subjects_to_rate(tree.town_admin, round_).count() == round_.subjects.count()
    assert not superior_subjects_to_rate(tree.sibling_secretary, round_).exists()
    assert not superior_subjects_to_rate(tree.outsider, round_).exists()


# --- pages -----------------------------------------------------------------------------


def test_create_round_installs_defaults_and_refuses_in_chinese(tree) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tree.town_admin)
    page = client.get(reverse("appraisal:round_new"))
    assert page.status_code == 200
    assert Scheme.objects.filter(code="democratic").exists()
    scheme = Scheme.objects.get(code="democratic")
    data = {"organization": tree.town_a.pk, "scheme": scheme.pk, "name": "  ", "year": 2026}
    page = client.post(reverse("appraisal:round_new"), data)
    assert page.status_code == 200 and not Round.objects.exists()
    assert "这个字段是必填项" in page.content.decode() or "请填写" in page.content.decode()
    data["organization"] = tree.town_b.pk  # not administered by town_admin
    data["name"] = "2026年民主评议"
    page = client.post(reverse("appraisal:round_new"), data)
    assert page.status_code == 200 and not Round.objects.exists()
    data["organization"] = tree.town_a.pk
    page = client.post(reverse("appraisal:round_new"), data)
    round_ = Round.objects.get()
    assert page.status_code == 302 and round_.organization == tree.town_a
    assert client_for(tree.sibling_secretary).get(reverse("appraisal:round_new")).status_code == 404


def test_lifecycle_buttons_and_refusals(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    client = client_for(tree.town_admin)

    def act(action: str, **data: str) -> str:
        page = client.post(
            reverse("appraisal:round_action", args=[round_.pk, action]), data, follow=True
        )
        return page.content.decode()

    assert "不能转为“已公布”" in act("publish")
    assert Round.objects.get().status == RoundStatus.COLLECTING
    page = client.get(reverse("appraisal:round", args=[round_.pk]))
    assert page.context["proof"].matches and page.context["flags"] == []
    assert "只凭自评或没有评价不能定等" in act("close")  # nobody rated yet
    superior_rates_everyone(round_, tree.county_admin)
    assert "已转为“已结算”" in act("close")
    assert "至少4个字" in act("reopen", reason="错")
    assert "已转为“已审核”" in act("review")
    assert "已转为“已公布”" in act("publish")
    assert Round.objects.get().published_version == 1
    assert "已转为“测评中”" in act("reopen", reason="发现漏评党员")
    assert Round.objects.get().version == 2
    outsider = client_for(tree.sibling_secretary)
    url = reverse("appraisal:round_action", args=[round_.pk, "close"])
    assert outsider.post(url).status_code == 404


def test_member_submits_once_on_the_phone_page(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    client = client_for(tree.member_user)
    listing = client.get(reverse("appraisal:rounds"))
    assert [s["as"] for s in listing.context["sheets"]] == ["member"]
    url = reverse("appraisal:ballot", args=[round_.pk, "member"])
    form = client.get(url).context["form"]
    names = list(form.fields)
    assert len(names) == 5  # the whole branch, one mark each
    page = client.post(url, {names[0]: posted(round_, "优秀")})
    assert page.status_code == 200 and "请评价" in page.content.decode()
    assert not BoxedSheet.objects.exists()
    data = dict.fromkeys(names, posted(round_, "合格"))
    data[names[1]] = "优秀"  # a label is not what the page posts: refused like any stray value
    page = client.post(url, data)
    assert not BoxedSheet.objects.exists()
    data[names[1]] = posted(round_, "优秀")
    assert client.post(url, data).status_code == 302
    assert Participation.objects.filter(member=tree.member_a1).count() == 1
    again = client.post(url, data)
    assert again.status_code == 409
    assert "每人只能提交一次" in again.content.decode()
    assert BoxedSheet.objects.count() == 1
    # a member of another branch has no sheet here
    other = MemberFactory(organization=tree.branch_a2)
    stranger = make_user("stranger", member=other)
    assert client_for(stranger).get(url).status_code == 404


def test_superior_sheet(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    client = client_for(tree.town_admin)
    url = reverse("appraisal:ballot", args=[round_.pk, "superior"])
    names = list(client.get(url).context["form"].fields)
    data = dict.fromkeys(names, posted(round_, "合格"))
    assert client.post(url, data).status_code == 302
    assert Participation.objects.get().user == tree.town_admin
    assert client.post(url, data).status_code == 409


def test_tokens_sheet_public_ballot_once(branch_round) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    client = client_for(tree.town_admin)
    page = client.post(
        reverse("appraisal:tokens_new", args=[round_.pk]),
        {"organization": tree.branch_a1.pk, "count": 3, "label": "村民代表"},
        HTTP_HOST="testserver",
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    html = page.content.decode()
    urls = re.findall(r"http://testserver/public/appraisal/t/[^<\s\"]+/", html)
    assert len(set(urls)) == 3 and html.count("<svg") == 3
    token = urls[0].rstrip("/").rsplit("/", 1)[1]
    # only the keyed hash is stored
    assert not IssuedToken.objects.filter(token_hash=token).exists()
    assert token not in str(list(IssuedToken.objects.values_list("token_hash", flat=True)))
    public = Client()
    path = urls[0].removeprefix("http://testserver")
    names = list(public.get(path).context["form"].fields)
    assert len(names) == 5
    page = public.post(path, dict.fromkeys(names, posted(round_, "优秀")))
    assert page.status_code == 302 and UsedToken.objects.count() == 1
    again = public.get(path)
    assert again.status_code == 409 and "已使用过" in again.content.decode()
    assert public.post(path, dict.fromkeys(names, posted(round_, "优秀"))).status_code == 409
    assert BoxedSheet.objects.filter(kind="public").count() == 1
    missing = public.get("/public/appraisal/t/not-a-token/")
    assert missing.status_code == 404 and "二维码无效" in missing.content.decode()
    # refused batch: outside the round's subtree
    page = client.post(
        reverse("appraisal:tokens_new", args=[round_.pk]),
        {"organization": tree.branch_b1.pk, "count": 3},
    )
    assert page.status_code == 400


def test_results_explanation_override_export_report(
    branch_round, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    tree, round_ = branch_round
    round_ = _close_with_votes(tree, round_)
    client = client_for(tree.secretary)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("appraisal:results", args=[round_.pk]))
    assert len(page.context["rows"]) == 5
    subject = member_subjects(round_)[tree.member_a1g.pk]
    url = reverse("appraisal:subject", args=[round_.pk, subject.pk])
    page = client.get(url)
    text = page.content.decode()
    assert "综合得分" in text and "排第" in text and "党员互评" in text
    result = SubjectResult.objects.get(subject=subject)
    target = "合格" if result.grade != "合格" else "基本合格"
    page = client.post(url, {"grade": target, "reason": ""})
    assert page.status_code == 200
    assert SubjectResult.objects.get(subject=subject).grade == result.grade
    page = client.post(url, {"grade": target, "reason": "支部研究：长期外出"})
    assert page.status_code == 302
    changed = SubjectResult.objects.get(subject=subject)
    assert changed.grade == target and changed.proposed_grade == result.proposed_grade
    assert AuditEvent.objects.filter(reason="支部研究：长期外出").exists()
    assert "支部研究：长期外出" in client.get(url).content.decode()
    export = client.get(reverse("appraisal:export", args=[round_.pk]), {"org": tree.branch_a1.pk})
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "对象" and len(rows) == 6
    assert AuditEvent.objects.filter(action="export", object_type="appraisal_round").exists()
    report = client.get(reverse("appraisal:report", args=[round_.pk]), {"org": tree.branch_a1.pk})
    assert report.status_code == 200 and "长期外出" in report.content.decode()
    assert "@media print" not in report.content.decode()  # print CSS is in the module's file
    outside = client_for(tree.outsider)
    assert outside.get(reverse("appraisal:results", args=[round_.pk])).status_code == 404
    assert client_for(tree.sibling_secretary).get(url).status_code == 404
    # published: frozen, no override form
    round_ = round_publish(actor=SYSTEM, round_=round_review(actor=SYSTEM, round_=round_))
    assert client.get(url).context["form"] is None
    assert client.post(url, {"grade": "优秀", "reason": "再改一次看看"}).status_code == 404


def test_rounds_list_query_count(tree, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(4):
        democratic_round(tree.town_a, code=f"d{i}")
    client = client_for(tree.town_admin)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("appraisal:rounds"))
    assert len(page.context["managed"]) == 4
    assert RoundSubject.objects.exists()
