"""PDF certificates (荣誉证书): one PDF per award, a zip per batch. The font (Noto Serif CJK
SC, subset to GB 2312, SIL OFL; see fonts/LICENSE-OFL.txt) ships with the package and is
embedded (subset again) in every PDF, so a certificate prints the same anywhere."""

import io
import zipfile
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from chuangxian.honors.models import AwardBatch, AwardRecord

FONT = Path(__file__).parent / "fonts" / "NotoSerifSC-Subset.otf"
FAMILY = "NotoSerifSC"
RED = (178, 34, 34)
MISSING = "□"


@cache
def _covered() -> frozenset[int]:
    return frozenset(TTFont(FONT)["cmap"].getBestCmap())


def printable(text: str) -> str:
    """`text` with characters the font lacks (rare 生僻字 outside GB 2312) shown as □."""
    covered = _covered()
    return "".join(ch if ord(ch) in covered or ch in "\n" else MISSING for ch in text)


def _date(award: AwardRecord) -> str:
    day = award.awarded_on
    return f"{day.year}年{day.month}月{day.day}日"


def certificate_pdf(award: AwardRecord) -> bytes:
    """One A4 landscape certificate."""
    batch = award.batch
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(printable(f"荣誉证书 {award.certificate_number}"))
    pdf.set_creator("chuangxian")
    pdf.set_auto_page_break(False)
    pdf.add_font(FAMILY, fname=str(FONT))
    pdf.add_page()
    pdf.set_draw_color(*RED)
    pdf.set_line_width(2.0)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.5)
    pdf.rect(15, 15, 267, 180)
    pdf.set_text_color(*RED)
    pdf.set_font(FAMILY, size=44)
    pdf.set_xy(15, 35)
    pdf.cell(267, 22, "荣 誉 证 书", align="C")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font(FAMILY, size=20)
    pdf.set_xy(45, 80)
    honoree = award.label + ("同志" if award.member_id else "")
    body = (
        f"{honoree}：\n"
        f"        在{batch.year}年度创先争优活动中成绩突出，被评为“{award.category.name}”。"
        "特发此证，以资鼓励。"
    )
    pdf.multi_cell(207, 13, printable(body))
    if award.material_reward:
        pdf.set_font(FAMILY, size=13)
        pdf.set_x(45)
        pdf.multi_cell(207, 9, printable(f"奖励：{award.material_reward}"))
    pdf.set_font(FAMILY, size=18)
    pdf.set_xy(150, 150)
    pdf.cell(110, 10, printable(batch.organization.name), align="C")
    pdf.set_xy(150, 162)
    pdf.cell(110, 10, _date(award), align="C")
    pdf.set_font(FAMILY, size=10)
    pdf.set_text_color(110, 110, 110)
    pdf.set_xy(20, 185)
    pdf.cell(0, 6, printable(f"证书编号：{award.certificate_number}　{batch.name}"))
    return bytes(pdf.output())


def certificate_filename(award: AwardRecord) -> str:
    return f"{award.certificate_number}-{award.label}.pdf"


def certificates_generate(batch_id: int) -> int:
    """Write the batch's zip of certificates to storage (replacing an earlier one); returns the
    number of certificates. Run by the background task, as generating takes ~0.3 s each."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    batch = AwardBatch.objects.select_related("organization").get(pk=batch_id)
    content = batch_zip(batch)
    if batch.certificates:
        batch.certificates.delete(save=False)
    batch.certificates.save(f"{batch.year}-{batch.pk}.zip", ContentFile(content), save=False)
    batch.certificates_at = timezone.now()
    batch.save(update_fields=["certificates", "certificates_at"])
    return batch.awards.count()


def batch_zip(batch: AwardBatch) -> bytes:
    """Every certificate of the batch, one PDF each, in one zip."""
    buffer = io.BytesIO()
    awards = batch.awards.select_related("category", "batch__organization").order_by(
        "certificate_number"
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for award in awards:
            archive.writestr(certificate_filename(award), certificate_pdf(award))
    return buffer.getvalue()
