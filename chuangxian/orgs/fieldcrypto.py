"""Encryption at rest for sensitive fields, and the keyed hash that makes them searchable.

The ciphertext uses an AEAD cipher with a random nonce, so equal numbers encrypt differently
and a dump reveals nothing; uniqueness and look-up use a keyed hash (HMAC) of the normalized
value, which cannot be reversed without the key. Both keys derive from
settings.FIELD_ENCRYPTION_KEY (HKDF) under one of two algorithm sets, chosen by
settings.FIELD_CRYPTO_ALGORITHM:

- "aes" (default): AES-256-GCM, HMAC-SHA256, keys by HKDF-SHA256; ciphertext "v1:…";
- "sm" (national algorithms, for 密评): SM4-GCM, HMAC-SM3, keys by HKDF-SM3; ciphertext "s1:…".

A ciphertext names its algorithm, so `decrypt` reads either; look-up hashes are only
comparable under one algorithm and key, so changing either is `rotate_field_key`'s job.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

AES = "aes"
SM = "sm"
ALGORITHMS = (AES, SM)
# The ciphertext prefix of each algorithm (also its AEAD associated data).
_VERSIONS = {AES: "v1", SM: "s1"}
_BY_VERSION = {version: algorithm for algorithm, version in _VERSIONS.items()}
_CHECK_MESSAGE = b"chuangxian-field-key-check"


class _SM4GCM:
    """SM4 in GCM mode with AESGCM's interface (ciphertext followed by the 16-byte tag)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, data[-16:])).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(data[:-16]) + decryptor.finalize()


class _SM3Hmac:
    """HMAC-SM3 with the copy/update/hexdigest of hashlib's HMAC objects."""

    def __init__(self, key: bytes | None = None, state: Any = None) -> None:
        self._state = state if state is not None else crypto_hmac.HMAC(key or b"", hashes.SM3())

    def copy(self) -> "_SM3Hmac":
        return _SM3Hmac(state=self._state.copy())

    def update(self, data: bytes) -> None:
        self._state.update(data)

    def hexdigest(self) -> str:
        return str(self._state.finalize().hex())


def current_algorithm() -> str:
    return str(getattr(settings, "FIELD_CRYPTO_ALGORITHM", AES))


@lru_cache(maxsize=8)
def _keys(master: str, algorithm: str) -> tuple[bytes, bytes]:
    if not master:
        raise ImproperlyConfigured(
            "缺少字段加密密钥：请恢复数据目录中的 field_key 或设置 CHUANGXIAN_FIELD_KEY"
        )
    if algorithm == AES:
        material = HKDF(
            algorithm=hashes.SHA256(), length=64, salt=b"chuangxian-fields", info=b"v1"
        ).derive(master.encode())
        return material[:32], material[32:]
    if algorithm == SM:
        material = HKDF(
            algorithm=hashes.SM3(), length=48, salt=b"chuangxian-fields", info=b"s1"
        ).derive(master.encode())
        return material[:16], material[16:]
    raise ImproperlyConfigured(f"未知的字段加密算法：{algorithm}（可选 aes、sm）")


@lru_cache(maxsize=8)
def _primitives(master: str, algorithm: str) -> tuple[Any, Any]:
    """The cipher and a keyed HMAC to copy, built once per key: constructing them per value
    costs more than the encryption itself (an import encrypts 100,000 numbers)."""
    encryption_key, hash_key = _keys(master, algorithm)
    if algorithm == SM:
        return _SM4GCM(encryption_key), _SM3Hmac(hash_key)
    keyed = hmac.new(hash_key, digestmod=hashlib.sha256)
    # OpenSSL's HMAC object itself when there is one: its copy/update/hexdigest are C calls,
    # without the Python wrapper's (an import hashes 100,000 numbers).
    return AESGCM(encryption_key), getattr(keyed, "_hmac", None) or keyed


def _master(master: str | None) -> str:
    return settings.FIELD_ENCRYPTION_KEY if master is None else master


def encrypt(plaintext: str) -> str:
    return encrypter()(plaintext)


def encrypter(master: str | None = None, algorithm: str | None = None) -> Callable[[str], str]:
    """encrypt under the key in force now (or the one given), for encrypting many values."""
    algorithm = algorithm or current_algorithm()
    cipher, _ = _primitives(_master(master), algorithm)
    prefix = _VERSIONS[algorithm] + ":"
    associated = _VERSIONS[algorithm].encode()
    seal = cipher.encrypt
    urandom = os.urandom
    encode = base64.b64encode

    def encrypt(plaintext: str) -> str:
        nonce = urandom(12)
        return prefix + encode(nonce + seal(nonce, plaintext.encode(), associated)).decode()

    return encrypt


def decrypt(token: str, master: str | None = None) -> str:
    """The plaintext of a ciphertext of either algorithm, under the key in force now (or the
    one given); a wrong key raises cryptography's InvalidTag."""
    if not token:
        return ""
    version, _, payload = token.partition(":")
    algorithm = _BY_VERSION.get(version)
    if algorithm is None:
        raise ValueError("unknown ciphertext version")
    cipher, _ = _primitives(_master(master), algorithm)
    raw = base64.b64decode(payload)
    return str(cipher.decrypt(raw[:12], raw[12:], version.encode()).decode())


def keyed_hash(value: str) -> str:
    return hasher()(value)


def hasher(master: str | None = None, algorithm: str | None = None) -> Callable[[str], str]:
    """keyed_hash under the key in force now (or the one given), for hashing many values in a
    row (the importer hashes 100,000 numbers; reading the setting each time shows)."""
    _, keyed = _primitives(_master(master), algorithm or current_algorithm())
    copy = keyed.copy

    def keyed_hash(value: str) -> str:
        digest = copy()
        digest.update(value.encode())
        return str(digest.hexdigest())

    return keyed_hash


def fingerprint(master: str | None = None, algorithm: str | None = None) -> str:
    """Names a key and algorithm without revealing the key: the algorithm and the keyed hash of
    a fixed message. Stored with the data (orgs.FieldKeyCheck) to refuse a wrong key."""
    algorithm = algorithm or current_algorithm()
    digest = hasher(master, algorithm)(_CHECK_MESSAGE.decode())
    return f"{algorithm}:{digest}"
