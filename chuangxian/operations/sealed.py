"""A passphrase-sealed stream: what a backup file is made of.

The key comes from the passphrase by scrypt (n=2^15, r=8, p=1, a random 16-byte salt); the
content is cut into 1 MiB chunks, each sealed with AES-256-GCM under a nonce made of a random
prefix, the chunk's number and a last-chunk flag, with the file's header as associated data.
So a wrong passphrase fails on the first chunk, and a changed, reordered, dropped or truncated
chunk (or header) fails where it is, never reading as valid content.

Layout: MAGIC, one JSON header line, then for each chunk its length (4 bytes, big-endian) and
its sealed bytes.
"""

import base64
import json
import os
import struct
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CHUANGXIAN-BACKUP\n"
CHUNK = 1024 * 1024
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_LENGTH = struct.Struct(">I")


class SealError(Exception):
    """A message for the operator, in Chinese."""


class WrongPassphrase(SealError):
    pass


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", number, 1 if last else 0)


class SealedWriter:
    """A write-only binary stream that seals what is written to `target` (close() to end)."""

    def __init__(self, target: BinaryIO, passphrase: str) -> None:
        salt, self._prefix = os.urandom(16), os.urandom(7)
        header = {
            "version": 1,
            "kdf": "scrypt",
            **_SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(self._prefix).decode(),
            "cipher": "AES-256-GCM",
            "chunk": CHUNK,
        }
        self._header = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"
        self._cipher = AESGCM(_key(passphrase, salt, **_SCRYPT))
        self._target = target
        self._buffer = bytearray()
        self._number = 0
        self._closed = False
        target.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        self._target.flush()

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._number, last)
        sealed = self._cipher.encrypt(nonce, plain, self._header)
        self._target.write(_LENGTH.pack(len(sealed)) + sealed)
        self._number += 1

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True
            self._target.flush()


class SealedReader:
    """A read-only binary stream of what a SealedWriter sealed; raises WrongPassphrase on the
    first chunk and SealError on any later damage or a missing end."""

    def __init__(self, source: BinaryIO, passphrase: str) -> None:
        if source.read(len(MAGIC)) != MAGIC:
            raise SealError("这不是 chuangxian 的备份文件")
        line = source.readline()
        try:
            header: dict[str, Any] = json.loads(line)
            salt = base64.b64decode(header["salt"])
            self._prefix = base64.b64decode(header["nonce_prefix"])
            key = _key(passphrase, salt, int(header["n"]), int(header["r"]), int(header["p"]))
        except (ValueError, KeyError, TypeError):
            raise SealError("备份文件的文件头已损坏")
        self._header = MAGIC + line
        self._cipher = AESGCM(key)
        self._source = source
        self._number = 0
        self._done = False
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        raw_length = self._source.read(_LENGTH.size)
        if len(raw_length) < _LENGTH.size:
            raise SealError("备份文件不完整（被截断），无法恢复")
        (length,) = _LENGTH.unpack(raw_length)
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise SealError("备份文件不完整（被截断），无法恢复")
        for last in (False, True):
            try:
                plain = self._cipher.decrypt(
                    _nonce(self._prefix, self._number, last), sealed, self._header
                )
            except InvalidTag:
                continue
            self._done = last
            self._number += 1
            return plain
        if self._number == 0:
            raise WrongPassphrase("备份口令不正确（或备份文件已损坏）")
        raise SealError(f"备份文件第 {self._number + 1} 段已损坏或被改动，无法恢复")

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._buffer += self._next_chunk()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def check_first_chunk(self) -> None:
        """Decrypt the first chunk now: a wrong passphrase is known before anything else."""
        if self._number == 0 and not self._done:
            self._buffer += self._next_chunk()
