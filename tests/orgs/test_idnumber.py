import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuangxian.orgs import fieldcrypto, idnumber
from chuangxian.orgs.phone import PhoneError, normalize_mobile
from tests.factories import make_id_number

VALID = "11010519491231002X"  # the standard's own example


def test_standard_example_is_valid():
    assert idnumber.validate(VALID) == VALID


def test_lowercase_x_and_full_width_are_normalized():
    assert idnumber.validate("11010519491231002x") == VALID
    assert idnumber.validate(" １１０１０５１９４９１２３１００２ｘ ") == VALID


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "不能为空"),
        ("1101051949123100", "应为18位，实为16位"),
        ("11010519491231002Y", "前17位应为数字"),
        ("99010519491231002X", "省级行政区划"),
        ("110105194902300021", "不是真实日期"),
        ("110105194912310021", "校验码错误"),
    ],
)
def test_invalid_numbers_say_why(raw, message):
    with pytest.raises(idnumber.IDNumberError, match=message):
        idnumber.validate(raw)


def test_future_birth_date_refused():
    number = make_id_number(dt.date(2030, 1, 1), 1)
    with pytest.raises(idnumber.IDNumberError, match="出生日期编码不合理"):
        idnumber.validate(number, today=dt.date(2026, 11, 22))


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2008, 12, 31)),
    serial=st.integers(min_value=0, max_value=10_000),
    female=st.booleans(),
)
def test_generated_numbers_validate_and_encode_birth_and_gender(born, serial, female):
    number = make_id_number(born, serial, female=female)
    assert idnumber.validate(number) == number
    assert idnumber.birth_date_of(number) == born
    assert idnumber.gender_of(number) == ("女" if female else "男")
    # Any single changed digit in the first 17 breaks the check digit (or the date).
    broken = number[:7] + str((int(number[7]) + 1) % 10) + number[8:]
    with pytest.raises(idnumber.IDNumberError):
        idnumber.validate(broken)


ID_LIKE = st.sampled_from("0123456789xX \u3000\t０１２３４５６７８９ｘＸａa-")


@given(st.text(alphabet=ID_LIKE, max_size=22) | st.text(max_size=22))
def test_normalize_fast_path_gives_the_general_answer(raw):
    general = raw.translate(idnumber._FULL_WIDTH).replace(" ", "").replace("\u3000", "")
    assert idnumber.normalize(raw) == general.strip().upper()


@given(st.text(alphabet="0123456789Xx٣²a \u3000", min_size=18, max_size=20))
def test_the_shape_check_is_seventeen_digits_and_a_digit_or_x(raw):
    number = idnumber.normalize(raw)
    try:
        idnumber.validate(raw, today=dt.date(2026, 1, 1))
    except idnumber.IDNumberError as error:
        refused_shape = str(error) == "前17位应为数字，最后一位为数字或X"
    else:
        refused_shape = False
    if len(number) == 18:
        assert refused_shape == (re.fullmatch(r"\d{17}[\dX]", number) is None)


def test_validate_with_birth_date_agrees_with_validate():
    assert idnumber.validate_with_birth_date(" 11010519491231002x") == (
        VALID,
        dt.date(1949, 12, 31),
    )
    with pytest.raises(idnumber.IDNumberError, match="校验码错误"):
        idnumber.validate_with_birth_date("110105194912310021")


def test_mask_hides_the_birth_date():
    assert idnumber.mask("430102199001011234") == "430102********1234"
    assert "19900101" not in idnumber.mask("430102199001011234")


def test_encryption_is_randomized_and_reversible(settings):
    first, second = fieldcrypto.encrypt(VALID), fieldcrypto.encrypt(VALID)
    assert first != second
    assert VALID not in first
    assert fieldcrypto.decrypt(first) == fieldcrypto.decrypt(second) == VALID
    assert fieldcrypto.keyed_hash(VALID) == fieldcrypto.keyed_hash(VALID)
    hash_many, encrypt_many = fieldcrypto.hasher(), fieldcrypto.encrypter()
    assert hash_many(VALID) == fieldcrypto.keyed_hash(VALID)
    assert fieldcrypto.decrypt(encrypt_many(VALID)) == VALID
    settings.FIELD_ENCRYPTION_KEY = "another key"
    assert fieldcrypto.keyed_hash(VALID) != fieldcrypto.keyed_hash("11010519491231002X ")
    # Made under the old key, they keep it; new ones take the key in force.
    assert fieldcrypto.hasher()(VALID) == fieldcrypto.keyed_hash(VALID) != hash_many(VALID)
    assert fieldcrypto.decrypt(fieldcrypto.encrypter()(VALID)) == VALID
    for token in (first, encrypt_many(VALID)):
        with pytest.raises(Exception):  # noqa: B017 - any failure: the wrong key must not decrypt
            fieldcrypto.decrypt(token)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
    ],
)
def test_mobile_numbers_normalized(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["1391234567", "12912345678", "0731-8888888", "139123456789"])
def test_bad_mobile_numbers_refused(raw):
    with pytest.raises(PhoneError):
        normalize_mobile(raw)
