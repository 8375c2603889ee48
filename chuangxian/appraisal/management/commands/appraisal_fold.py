"""`chuangxian appraisal_fold [--every SECONDS]`: fold pending ballot sheets into scores and
tallies — once, or in a loop (an alternative to the self-rescheduling background task)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chuangxian.appraisal.services.folding import FOLD_BATCH, ballots_fold, rounds_with_pending


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
            if options["verbosity"] and (total or not options["every"]):
                self.stdout.write(f"folded {total} sheets")
            if not options["every"]:
                return
            time.sleep(options["every"])
