"""Per-test isolation of the per-process intake state (rate-limit counts, batch cache)."""

from collections.abc import Iterator

import pytest

from chuangxian.appraisal import intake
from chuangxian.appraisal.services.ballots import limiter


@pytest.fixture(autouse=True)
def _fresh_intake_state() -> Iterator[None]:
    limiter.reset()
    intake.clear_cache()
    yield
    limiter.reset()
    intake.clear_cache()
