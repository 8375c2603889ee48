"""Refusing to start with a missing or wrong field key, instead of writing new data under a
new key next to data nobody can read any more.

The database records the fingerprint of the key and algorithm its data is encrypted under
(FieldKeyCheck, written by the migration that created it, by `restore` and by
`rotate_field_key`); a database without it (emptied by flush, or older) is checked by
decrypting one stored ID number. Run as a system check (every `chuangxian` command that
checks, runserver and db_worker included) and by the WSGI application at start-up.
"""

from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from chuangxian import environment
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.models import FieldKeyCheck, Member


def record_field_key(using: str = "default") -> None:
    """Store the fingerprint of the key and algorithm in force as the data's."""
    FieldKeyCheck.objects.using(using).update_or_create(
        pk=1, defaults={"fingerprint": fieldcrypto.fingerprint()}
    )


def _remedy() -> str:
    advice = (
        "请把原来的 field_key 放回数据目录，或设置正确的 CHUANGXIAN_FIELD_KEY"
        "（备份文件中带有密钥：chuangxian restore）。不会用新密钥覆盖已有数据。"
    )
    if "field_key" in environment.GENERATED:
        advice = (
            f"数据目录中的 field_key 是这次启动时新生成的（原文件缺失），请先删除 "
            f"{environment.data_dir() / 'field_key'}；" + advice
        )
    return advice


def field_key_problem(using: str = "default") -> str | None:
    """Why the field key in force cannot be the one the database's data is encrypted under,
    or None (also when the database has no tables yet)."""
    try:
        stored = FieldKeyCheck.objects.using(using).filter(pk=1).first()
        sample = (
            Member.objects.using(using)
            .exclude(id_number_ciphertext="")
            .values_list("id_number_ciphertext", flat=True)
            .first()
        )
    except DatabaseError:
        if not connections[using].in_atomic_block:
            connections[using].close()  # not migrated yet (or no database): start afresh
        return None
    if stored is None and sample is None:
        return None
    try:
        current = fieldcrypto.fingerprint()
    except ImproperlyConfigured:
        return "缺少字段加密密钥，而数据库中已有加密数据。" + _remedy()
    if stored is not None and stored.fingerprint != current:
        stored_algorithm, current_algorithm = (
            stored.fingerprint.split(":", 1)[0],
            current.split(":", 1)[0],
        )
        if stored_algorithm != current_algorithm:
            return (
                f"字段加密算法设置（CHUANGXIAN_FIELD_CRYPTO={current_algorithm}）与数据库中数据"
                f"所用的算法（{stored_algorithm}）不同：请改回设置，或用 chuangxian "
                "rotate_field_key 换算法。"
            )
        return "字段加密密钥与数据库中的数据不符（数据是用另一个密钥加密的）。" + _remedy()
    if sample is not None:
        try:
            fieldcrypto.decrypt(sample)
        except (InvalidTag, ValueError):
            return "字段加密密钥与数据库中的数据不符（无法解密已存的公民身份号码）。" + _remedy()
    return None


def refuse_wrong_field_key(using: str = "default") -> None:
    problem = field_key_problem(using)
    if problem is not None:
        raise ImproperlyConfigured(problem)
