"""评先评优 end to end: the branch secretary nominates, the township and the county approve,
the county records the 纪检 opinion, shortlists and publishes; a member of the public on a
phone objects without an account; the county records the finding, approves after the 公示 and
downloads the certificates. And a member's points page on a phone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangxian.audit.services import SYSTEM
from chuangxian.honors.models import AwardBatch, AwardRecord, Objection
from chuangxian.honors.services import awards, points
from tests.e2e.conftest import body_overflow, login, screenshot
from tests.honors.conftest import published_result
from tests.learning.conftest import at, attend, held_meeting

pytestmark = pytest.mark.e2e


def logout(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_nomination_through_notice_objection_approval_and_certificate(
    transactional_db, tree, desktop, phone, site_url, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    today = timezone.localdate()
    batch = awards.batch_create(
        actor=SYSTEM,
        organization=tree.county,
        values=awards.BatchValues(
            name="七一表彰",
            year=today.year,
            nomination_opens=today - dt.timedelta(days=5),
            nomination_closes=today + dt.timedelta(days=5),
        ),
    )
    category = awards.category_add(
        actor=SYSTEM,
        batch=batch,
        name="优秀共产党员",
        subject_kind="member",
        rules=["grade_excellent", "no_unqualified"],
        material_reward="奖金500元",
    )
    awards.quota_set(actor=SYSTEM, category=category, organization=tree.town_a, count=1)
    published_result(today.year - 1, "优秀", member=tree.member_a1)

    page = desktop
    login(page, site_url, "secretary_a1")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="评先评优与积分").click()
    page.get_by_role("link", name=f"{today.year} 七一表彰").click()
    page.get_by_role("link", name="推荐", exact=True).click()
    page.get_by_label("被推荐对象").select_option(label="张三（甲镇一村党支部）")
    page.get_by_label("主要事迹").fill("带领群众修通了进村公路。")
    page.get_by_role("button", name="提交推荐").click()
    expect(page.get_by_text("已推荐，等待上级审核")).to_be_visible()
    expect(page.locator("#eligibility")).to_contain_text("符合")
    logout(page)

    login(page, site_url, "town_admin")
    page.goto(f"{site_url}/honors/")
    page.locator("#queue").get_by_role("link", name="张三").click()
    expect(page.locator("#snapshot")).to_contain_text("优秀")
    page.get_by_role("button", name="同意，报上级").click()
    expect(page.get_by_text("已审核同意")).to_be_visible()
    logout(page)

    login(page, site_url, "county_admin")
    page.goto(f"{site_url}/honors/")
    page.locator("#queue").get_by_role("link", name="张三").click()
    page.get_by_role("button", name="同意，报上级").click()
    page.get_by_label("意见").fill("经核查无违纪问题")
    page.get_by_role("button", name="无异议").click()
    expect(page.get_by_text("纪检意见已记录")).to_be_visible()
    page.goto(f"{site_url}/honors/batches/{batch.pk}/")
    page.get_by_role("button", name="结束推荐，进入审核").click()
    page.locator("#nominations").get_by_role("link", name="张三").click()
    page.get_by_role("button", name="列入拟表彰名单").click()
    expect(page.get_by_text("已列入拟表彰名单")).to_be_visible()
    page.goto(f"{site_url}/honors/batches/{batch.pk}/")
    page.get_by_role("button", name="公示拟表彰名单").click()
    expect(page.get_by_text("已开始公示")).to_be_visible()
    batch.refresh_from_db()
    expect(page.locator("#notice-period")).to_contain_text(f"{batch.notice_ends:%Y-%m-%d}")

    # The 公示 starts on the next working day; for the public's objection today lies inside it.
    AwardBatch.objects.filter(pk=batch.pk).update(notice_starts=today, notice_ends=today)
    public = phone
    public.goto(f"{site_url}/public/honors/")
    public.get_by_role("link", name="七一表彰").click()
    expect(public.locator(".hn-nominee")).to_contain_text("带领群众修通了进村公路")
    public.get_by_text("提出异议").click()
    public.get_by_label("异议内容").fill("听说该同志修路资金使用不规范，请核实。")
    public.get_by_role("button", name="提交").click()
    expect(public.get_by_text("您的意见已收到")).to_be_visible()
    assert body_overflow(public) == 0
    screenshot(public, "honors-public-notice-phone")
    assert Objection.objects.count() == 1

    nomination = batch.nominations.get()
    page.goto(f"{site_url}/honors/nominations/{nomination.pk}/")
    expect(page.locator("#objections")).to_contain_text("修路资金使用不规范")
    page.get_by_label("核实结果").select_option(label="反映不属实")
    page.get_by_label("核实情况").fill("经查账，资金使用规范")
    page.get_by_role("button", name="记录核实结果").click()
    expect(page.get_by_text("异议处理结果已记录")).to_be_visible()
    AwardBatch.objects.filter(pk=batch.pk).update(notice_ends=today - dt.timedelta(days=1))
    page.goto(f"{site_url}/honors/batches/{batch.pk}/")
    page.get_by_role("button", name="公示期满，批准表彰").click()
    expect(page.get_by_text("已批准表彰，证书正在后台生成")).to_be_visible()
    page.reload()
    link = page.get_by_role("link", name="下载全部证书（zip）")
    expect(link).to_be_visible()
    award = AwardRecord.objects.get()
    response = page.request.get(f"{site_url}/honors/awards/{award.pk}/certificate.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".zip")
    screenshot(page, "honors-batch-approved-desktop")


def test_member_points_on_a_phone(transactional_db, tree, phone, site_url):
    points.rules_seed_defaults(actor=SYSTEM, organization=tree.county)
    year = timezone.localdate().year
    attend(held_meeting(tree.branch_a1, "committee", at(year, 1, 6)), tree.member_a1)
    attend(held_meeting(tree.branch_a1, "committee", at(year, 2, 6)), tree.member_a1)
    points.points_accrue(actor=SYSTEM, root=tree.county, year=year)
    login(phone, site_url, "member_a1")
    phone.goto(f"{site_url}/honors/points/")
    expect(phone.locator("#points-total")).to_contain_text("4.0")
    expect(phone.locator("#entries")).to_contain_text(f"{year}年1月参加组织生活 1 次")
    expect(phone.locator("#entries")).to_contain_text("参加组织生活（每次）")
    assert body_overflow(phone) == 0
    screenshot(phone, "honors-my-points-phone")
