"""`chuangxian appraisal_fold [--every SECONDS]`: fold the sheets in the ballot box into the
tallies and the archive — once, or in a loop (an alternative to the self-rescheduling
background task) — and seal any round no longer collecting that was left unsealed
(round_close seals; this catches what a crash or an upgrade left behind)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangxian.appraisal.services.folding import FOLD_BATCH, ballots_fold, rounds_with_pending
from chuangxian.appraisal.services.sealing import ballots_seal, rounds_to_seal


class Command(BaseCommand):
    help = "汇总待处理的考评评价表（每张只计一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0.0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            total = 0
            for round_id in rounds_with_pending():
                while (step := ballots_fold(round_id, limit=FOLD_BATCH)) > 0:
                    total += step
            sealed = len([ballots_seal(round_id) for round_id in rounds_to_seal()])
            if options["verbosity"] and (total or not options["every"]):
                self.stdout.write(f"folded {total} sheets, sealed {sealed} rounds")
            if not options["every"]:
                return
            time.sleep(options["every"])
