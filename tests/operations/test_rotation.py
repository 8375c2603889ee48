import hashlib
import hmac
import io

import pytest
from cryptography.exceptions import InvalidTag
from django.core.management import CommandError, call_command

from chuangxian.audit.services import SYSTEM
from chuangxian.operations import rotation
from chuangxian.operations.rotation import RotationError, field_key_rotate
from chuangxian.orgs import fieldcrypto
from chuangxian.orgs.keycheck import field_key_problem
from chuangxian.orgs.models import FieldKeyCheck, Member
from tests.appraisal.helpers import democratic_round

NUMBER = "11010519491231002X"
NEW_KEY = "n" * 48


def test_sm_round_trip_and_national_primitives(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FIELD_CRYPTO_ALGORITHM = fieldcrypto.SM
    first, second = fieldcrypto.encrypt(NUMBER), fieldcrypto.encrypt(NUMBER)
    assert first.startswith("s1:") and first != second
    assert fieldcrypto.decrypt(first) == fieldcrypto.decrypt(second) == NUMBER
    encryption_key, hash_key = fieldcrypto._keys(settings.FIELD_ENCRYPTION_KEY, fieldcrypto.SM)
    assert len(encryption_key) == 16  # SM4's key
    if "sm3" in hashlib.algorithms_available:  # the same HMAC-SM3 from OpenSSL directly
        expected = hmac.new(hash_key, NUMBER.encode(), "sm3").hexdigest()
        assert fieldcrypto.keyed_hash(NUMBER) == expected
    sm_hash = fieldcrypto.keyed_hash(NUMBER)
    settings.FIELD_CRYPTO_ALGORITHM = fieldcrypto.AES
    assert fieldcrypto.keyed_hash(NUMBER) != sm_hash
    # Ciphertexts name their algorithm: either reads under the same key.
    assert fieldcrypto.decrypt(first) == NUMBER
    with pytest.raises(InvalidTag):
        fieldcrypto.decrypt(first, "another key")


def _numbers() -> dict[int, str]:
    return {member.pk: member.id_number for member in Member.objects.all()}


@pytest.mark.django_db
@pytest.mark.parametrize("algorithm", [fieldcrypto.SM, fieldcrypto.AES])
def test_rotation_reencrypts_and_rehashes_every_member(tree, settings, algorithm) -> None:  # type: ignore[no-untyped-def]
    before = _numbers()
    old_hashes = dict(Member.objects.values_list("pk", "id_number_hash"))
    result = field_key_rotate(new_key=NEW_KEY, algorithm=algorithm, actor=SYSTEM)
    assert result.members == len(before) > 0
    stored = list(Member.objects.values_list("pk", "id_number_ciphertext", "id_number_hash"))
    for pk, ciphertext, digest in stored:
        assert ciphertext.startswith("s1:" if algorithm == fieldcrypto.SM else "v1:")
        with pytest.raises(InvalidTag):
            fieldcrypto.decrypt(ciphertext)  # the old key no longer reads it
        assert digest != old_hashes[pk]
    settings.FIELD_ENCRYPTION_KEY = NEW_KEY
    # Under the old algorithm setting the check says to switch it; then everything reads.
    assert (field_key_problem() is not None) == (algorithm == fieldcrypto.SM)
    settings.FIELD_CRYPTO_ALGORITHM = algorithm
    assert field_key_problem() is None
    assert _numbers() == before
    for pk, number in before.items():  # the look-up by number finds each member again
        assert Member.objects.get(id_number_hash=fieldcrypto.keyed_hash(number)).pk == pk
    assert FieldKeyCheck.objects.get().fingerprint == fieldcrypto.fingerprint()


@pytest.mark.django_db
def test_rotation_is_all_or_nothing(tree, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = list(Member.objects.values_list("pk", "id_number_ciphertext", "id_number_hash"))
    fingerprint = FieldKeyCheck.objects.get().fingerprint
    monkeypatch.setattr(rotation, "BATCH", 2)
    real = fieldcrypto.encrypter
    calls = []

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        encrypt = real(*args, **kwargs)

        def once_too_many(value: str) -> str:
            calls.append(value)
            if len(calls) == 3:
                raise RuntimeError("disk gone")
            return encrypt(value)

        return once_too_many

    monkeypatch.setattr(fieldcrypto, "encrypter", failing)
    with pytest.raises(RuntimeError):
        field_key_rotate(new_key=NEW_KEY, algorithm=fieldcrypto.SM, actor=SYSTEM)
    assert len(calls) == 3  # two members were already rewritten when it failed…
    after = list(Member.objects.values_list("pk", "id_number_ciphertext", "id_number_hash"))
    assert after == before  # …and nothing of it stayed
    assert FieldKeyCheck.objects.get().fingerprint == fingerprint


@pytest.mark.django_db
def test_rotation_is_refused_with_the_wrong_key_or_an_unfinished_round(tree, settings) -> None:  # type: ignore[no-untyped-def]
    democratic_round(tree.branch_a1)
    with pytest.raises(RotationError, match="考评轮次尚未结算"):
        field_key_rotate(new_key=NEW_KEY, algorithm=fieldcrypto.AES, actor=SYSTEM)
    settings.FIELD_ENCRYPTION_KEY = "not the data's key"
    with pytest.raises(RotationError, match="不符"):
        field_key_rotate(new_key=NEW_KEY, algorithm=fieldcrypto.AES, actor=SYSTEM)


@pytest.mark.django_db
def test_the_command_puts_the_new_key_in_place(tree, settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CHUANGXIAN_FIELD_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    (tmp_path / "field_key").write_text(settings.FIELD_ENCRYPTION_KEY + "\n")
    before = _numbers()
    out = io.StringIO()
    call_command("rotate_field_key", algorithm="sm", stdout=out)
    assert "CHUANGXIAN_FIELD_CRYPTO 设为 sm" in out.getvalue()
    new_key = (tmp_path / "field_key").read_text().strip()
    assert (tmp_path / "field_key.old").read_text().strip() == settings.FIELD_ENCRYPTION_KEY
    assert not (tmp_path / "field_key.new").exists()
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_CRYPTO_ALGORITHM = new_key, "sm"
    assert field_key_problem() is None and _numbers() == before
    democratic_round(tree.branch_a1)
    with pytest.raises(CommandError, match="没有做任何改动"):
        call_command("rotate_field_key")
    assert not (tmp_path / "field_key.new").exists()
    assert (tmp_path / "field_key").read_text().strip() == new_key
