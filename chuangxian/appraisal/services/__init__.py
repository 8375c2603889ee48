"""The appraisal engine's complete write API (every write goes through one of these)."""

from chuangxian.appraisal.services.ballots import Receipt, ballot_submit, tokens_issue
from chuangxian.appraisal.services.grades import grade_override
from chuangxian.appraisal.services.rounds import (
    round_close,
    round_collect,
    round_figures_refresh,
    round_open,
    round_publish,
    round_reopen,
    round_review,
    subject_veto,
)
from chuangxian.appraisal.services.schemes import scheme_create, schemes_install_defaults

__all__ = [
    "Receipt",
    "ballot_submit",
    "grade_override",
    "round_close",
    "round_collect",
    "round_figures_refresh",
    "round_open",
    "round_publish",
    "round_reopen",
    "round_review",
    "scheme_create",
    "schemes_install_defaults",
    "subject_veto",
    "tokens_issue",
]
