"""Rotating the field key (or switching between the AES and SM algorithm sets): every ID
number re-encrypted and its look-up hash recomputed under the new key, in one transaction.

What is keyed by the field key and stored: members' ID numbers (ciphertext and look-up hash),
the key's fingerprint (FieldKeyCheck), and the appraisal's ballot tokens and address counters
(keyed hashes of values never stored, so they cannot be recomputed): a rotation is refused
while an appraisal round is open or collecting, and the tokens of finished rounds are never
looked up again. A module that stores another encrypted or keyed field adds it here.

The new key is written to `field_key.new` in the data directory (synced) before anything
changes; the command puts it in place once the transaction has committed.
"""

import secrets
from dataclasses import dataclass

from django.db import connection, transaction

from chuangxian.appraisal.models import Round, RoundStatus
from chuangxian.audit.models import AuditAction
from chuangxian.audit.services import Actor, audit_record
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.keycheck import field_key_problem
from chuangxian.orgs.models import FieldKeyCheck, Member

BATCH = 2000


class RotationError(Exception):
    pass


def new_field_key() -> str:
    return secrets.token_urlsafe(48)


@dataclass(frozen=True)
class RotationResult:
    members: int
    old_algorithm: str
    algorithm: str
    fingerprint: str


def field_key_rotate(*, new_key: str, algorithm: str, actor: Actor) -> RotationResult:
    """Re-encrypt every member's ID number and recompute its look-up hash under `new_key` and
    `algorithm`, and record the new fingerprint; all or nothing. The key in force must be
    the data's (start-up check), and no appraisal round may be open or collecting."""
    if algorithm not in fieldcrypto.ALGORITHMS:
        raise RotationError(f"未知的算法：{algorithm}（可选 aes、sm）")
    problem = field_key_problem()
    if problem is not None:
        raise RotationError(problem)
    if len(new_key) < 32:
        raise RotationError("新密钥太短（至少 32 个字符）")
    unfinished = Round.objects.filter(status__in=[RoundStatus.OPEN, RoundStatus.COLLECTING])
    if unfinished.exists():
        raise RotationError(
            "有考评轮次尚未结算：测评凭证以密钥哈希保存，换密钥后将无法使用，请在结算后再轮换"
        )
    old_algorithm = fieldcrypto.current_algorithm()
    encrypt = fieldcrypto.encrypter(new_key, algorithm)
    keyed_hash = fieldcrypto.hasher(new_key, algorithm)
    count = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # No member is written under the old key while the rows are rewritten.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Member._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        batch: list[Member] = []
        rows = (
            Member.objects.exclude(id_number_ciphertext="")
            .only("pk", "id_number_ciphertext", "id_number_hash")
            .order_by("pk")
        )
        for member in rows.iterator(chunk_size=BATCH):
            number = fieldcrypto.decrypt(member.id_number_ciphertext)
            member.id_number_ciphertext = encrypt(number)
            member.id_number_hash = keyed_hash(number)
            batch.append(member)
            if len(batch) >= BATCH:
                Member.objects.bulk_update(batch, ["id_number_ciphertext", "id_number_hash"])
                count += len(batch)
                batch = []
        Member.objects.bulk_update(batch, ["id_number_ciphertext", "id_number_hash"])
        count += len(batch)
        fingerprint = fieldcrypto.fingerprint(new_key, algorithm)
        FieldKeyCheck.objects.update_or_create(pk=1, defaults={"fingerprint": fingerprint})
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="fieldkey",
            object_label="字段加密密钥",
            changes={
                "algorithm": [old_algorithm, algorithm],
                "key": ["***", "***(已修改)"],
                "members": [None, count],
            },
            reason="轮换字段加密密钥",
        )
    return RotationResult(count, old_algorithm, algorithm, fingerprint)
