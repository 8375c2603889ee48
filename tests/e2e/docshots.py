"""Screenshots for docs/user-guide.md, taken by the browser tests themselves.

Only when CHUANGXIAN_DOCS_IMG names a folder (e.g. `CHUANGXIAN_DOCS_IMG=docs/img pytest
tests/e2e/test_walk.py tests/e2e/test_attendance_taps.py`): an ordinary test run never writes
into the repository. Each image is the visible viewport, reduced to a 256-colour PNG so that it
stays small (well under 150 KB)."""

import io
import os
from pathlib import Path

from PIL import Image


def doc_image(page, name: str) -> Path | None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("CHUANGXIAN_DOCS_IMG")
    if not folder:
        return None
    target = Path(folder) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    return target
