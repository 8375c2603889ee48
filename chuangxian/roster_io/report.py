"""What an import reports back: every bad cell, and what was (or would be) written."""

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class RowError:
    sheet: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.row <= 0:  # about the whole file (it cannot be read, no header found …)
            return f"[{self.column}] {self.reason}"
        return f"第{self.row}行 [{self.column}] {self.reason}"


@dataclass
class ImportCounts:
    orgs_created: int = 0
    orgs_updated: int = 0
    orgs_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.orgs_created + self.orgs_updated + self.members_created + self.members_updated


@dataclass
class ImportReport:
    """The outcome of one import. With errors, nothing was written; with dry_run, nothing was
    written either but the counts say what would have been."""

    dry_run: bool = False
    total_rows: int = 0
    counts: ImportCounts = field(default_factory=ImportCounts)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run and self.counts.changed > 0

    def error_lines(self) -> list[str]:
        return [str(error) for error in self.errors]

    def summary(self) -> str:
        c = self.counts
        verb = "将" if self.dry_run or not self.ok else "已"
        text = (
            f"共{self.total_rows}行；党组织{verb}新增{c.orgs_created}个、{verb}更新{c.orgs_updated}个、"
            f"未变{c.orgs_unchanged}个；党员{verb}新增{c.members_created}名、"
            f"{verb}更新{c.members_updated}名、未变{c.members_unchanged}名"
        )
        if self.errors:
            return f"发现{len(self.errors)}处错误，未写入任何数据。" + text
        if self.dry_run:
            return "试导入（未写入）：" + text
        return text
