"""Finding the member an import row is about, in two queries for the whole file, and checking
the importing user may record for them (orgs.access through roster_io's ImportScope)."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from chuangxian.learning.sheets import Table
from chuangxian.orgs import fieldcrypto, idnumber
from chuangxian.orgs.models import Member, MemberStatus
from chuangxian.roster_io import cells
from chuangxian.roster_io.report import RowError
from chuangxian.roster_io.scope import ImportScope

NOT_FOUND = "党员库中没有该党员，或不在您的管理范围内"
LOOKUP_BATCH = 1000


class MemberFinder:
    """Parse each row's identity first (`key`), then `load()` once, then `member()` per row."""

    def __init__(self, table: Table, user: Any) -> None:
        self.table = table
        self.scope = ImportScope(user)
        self.by_hash: dict[str, Member] = {}
        self.by_name: dict[tuple[str, str], list[Member]] = defaultdict(list)
        self._hashes: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()

    def check_columns(self) -> str | None:
        if self.table.has("id_number"):
            return None
        if self.table.has("name") and self.table.has("org_code"):
            return None
        return "表头应有“公民身份号码”列，或“姓名”和“所在党组织编码”两列"

    def key(self, number: int, raw: Sequence[cells.Cell], errors: list[RowError]) -> object:
        """The row's identity (an ID hash or a (name, code) pair), or None with an error."""
        table = self.table
        if table.has("id_number") and table.cell(raw, "id_number") not in (None, ""):
            try:
                text = cells.id_number_text(table.cell(raw, "id_number"))
            except cells.CellError as error:
                errors.append(table.error(number, "id_number", str(error)))
                return None
            try:
                normalized = idnumber.validate(text)
            except idnumber.IDNumberError as error:
                errors.append(table.error(number, "id_number", str(error)))
                return None
            digest = fieldcrypto.keyed_hash(normalized)
            self._hashes.add(digest)
            return digest
        name = cells.free_text(table.cell(raw, "name"))
        code = cells.code_text(table.cell(raw, "org_code"))
        if not name or not code:
            column = "id_number" if table.has("id_number") else ("name" if not name else "org_code")
            errors.append(table.error(number, column, "应填写公民身份号码，或姓名和所在党组织编码"))
            return None
        self._pairs.add((name, code))
        return (name, code)

    def load(self) -> None:
        active = Member.objects.filter(status=MemberStatus.ACTIVE).select_related("organization")
        hashes = list(self._hashes)
        for start in range(0, len(hashes), LOOKUP_BATCH):
            for member in active.filter(id_number_hash__in=hashes[start : start + LOOKUP_BATCH]):
                self.by_hash[member.id_number_hash] = member
        names = {name for name, _ in self._pairs}
        codes = {code for _, code in self._pairs}
        if names:
            for member in active.filter(name__in=names, organization__code__in=codes):
                self.by_name[(member.name, member.organization.code)].append(member)

    def member(self, number: int, key: object, errors: list[RowError]) -> Member | None:
        table = self.table
        if isinstance(key, str):
            found = self.by_hash.get(key)
            column = "id_number"
        else:
            assert isinstance(key, tuple)
            matches = self.by_name.get(key, [])
            column = "name"
            if len(matches) > 1:
                errors.append(
                    table.error(
                        number, column, f"该组织有{len(matches)}名同名党员，请改用公民身份号码"
                    )
                )
                return None
            found = matches[0] if matches else None
        if found is None or not self.scope.edits_members_of(found.organization):
            errors.append(table.error(number, column, NOT_FOUND))
            return None
        return found
