"""Encryption at rest for sensitive fields, and the keyed hash that makes them searchable.

The ciphertext uses AES-256-GCM with a random nonce, so equal numbers encrypt differently and a
dump reveals nothing; uniqueness and look-up use an HMAC-SHA256 of the normalized value, which
cannot be reversed without the key. Both keys derive from settings.FIELD_ENCRYPTION_KEY.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = "v1"
_AAD = _VERSION.encode()
_PREFIX = _VERSION + ":"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    material = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=b"chuangxian-fields", info=b"v1"
    ).derive(master.encode())
    return material[:32], material[32:]


def _current_keys() -> tuple[bytes, bytes]:
    return _keys(settings.FIELD_ENCRYPTION_KEY)


@lru_cache(maxsize=4)
def _primitives(master: str) -> tuple[AESGCM, Any]:
    """The cipher and a keyed HMAC to copy, built once per key: constructing them per value
    costs more than the encryption itself (an import encrypts 100,000 numbers)."""
    encryption_key, hash_key = _keys(master)
    keyed = hmac.new(hash_key, digestmod=hashlib.sha256)
    # OpenSSL's HMAC object itself when there is one: its copy/update/hexdigest are C calls,
    # without the Python wrapper's (an import hashes 100,000 numbers).
    return AESGCM(encryption_key), getattr(keyed, "_hmac", None) or keyed


def encrypt(plaintext: str) -> str:
    return encrypter()(plaintext)


def encrypter() -> Callable[[str], str]:
    """encrypt under the key in force now, for encrypting many values in a row."""
    cipher, _ = _primitives(settings.FIELD_ENCRYPTION_KEY)
    seal = cipher.encrypt
    urandom = os.urandom
    encode = base64.b64encode

    def encrypt(plaintext: str) -> str:
        nonce = urandom(12)
        return _PREFIX + encode(nonce + seal(nonce, plaintext.encode(), _AAD)).decode()

    return encrypt


def decrypt(token: str) -> str:
    if not token:
        return ""
    version, _, payload = token.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    cipher, _ = _primitives(settings.FIELD_ENCRYPTION_KEY)
    raw = base64.b64decode(payload)
    return cipher.decrypt(raw[:12], raw[12:], version.encode()).decode()


def keyed_hash(value: str) -> str:
    return hasher()(value)


def hasher() -> Callable[[str], str]:
    """keyed_hash under the key in force now, for hashing many values in a row (the importer
    hashes 100,000 numbers; reading the setting each time shows)."""
    _, keyed = _primitives(settings.FIELD_ENCRYPTION_KEY)
    copy = keyed.copy

    def keyed_hash(value: str) -> str:
        digest = copy()
        digest.update(value.encode())
        return str(digest.hexdigest())

    return keyed_hash
