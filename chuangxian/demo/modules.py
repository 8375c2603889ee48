"""Demo data of the mechanism modules, laid over the demo township after the roster.

Each module owns its seeder (`<app>/demo.py`), which writes through that module's services so
the demo is exactly what a branch would have entered. The order follows the dependencies:
campaigns before commitments and targets, meetings before study hours and the 第九条 checks,
everything before the appraisal rounds that read their figures."""

import datetime as dt
import random
import time
from collections.abc import Callable

from chuangxian.appraisal.demo import seed_demo_appraisal
from chuangxian.campaigns.demo import seed_demo_campaigns
from chuangxian.cases.demo import seed_demo_cases
from chuangxian.commitments.demo import seed_demo_commitments
from chuangxian.dues.demo import seed_demo_dues
from chuangxian.honors.demo import seed_demo_honors
from chuangxian.learning.demo import seed_demo_learning
from chuangxian.openness.demo import seed_demo_openness
from chuangxian.orglife.demo import seed_demo_orglife
from chuangxian.orgs.models import Organization
from chuangxian.support.demo import seed_demo_support

Seeder = Callable[..., None]
MODULE_SEEDERS: list[tuple[str, str, Seeder]] = [
    ("campaigns", "创先争优活动、标准与目标", seed_demo_campaigns),
    ("orglife", "组织生活", seed_demo_orglife),
    ("learning", "学习", seed_demo_learning),
    ("dues", "党费", seed_demo_dues),
    ("commitments", "公开承诺", seed_demo_commitments),
    ("appraisal", "考评", seed_demo_appraisal),
    ("openness", "党务公开与群众意见", seed_demo_openness),
    ("support", "帮扶与保障", seed_demo_support),
    ("cases", "典型经验与示范点", seed_demo_cases),
    ("honors", "评先评优与积分", seed_demo_honors),
]
# Above this many members the module demos would take long and add nothing a benchmark needs.
MODULES_MEMBER_LIMIT = 20_000


def demo_seed_modules(
    *, root: Organization, today: dt.date, seed: int, progress: Callable[[str], object]
) -> None:
    """Run every module's seeder over the township under `root`, each with its own
    deterministic random stream."""
    for name, label, seeder in MODULE_SEEDERS:
        started = time.perf_counter()
        seeder(root=root, today=today, rng=random.Random(f"chuangxian-demo-{name}-{seed}"))
        progress(f"  {label}：{time.perf_counter() - started:.1f} 秒")
