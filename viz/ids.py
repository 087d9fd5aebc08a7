"""Opaque, stable ids for the nodes and edges of a picture.

A picture must not carry a person's ID number, not even inside an id: an unkeyed hash of
``Person:110101199003070011`` is no protection, since the masked form keeps all but the
eight digits of the birth date, which are quickly guessed.  Ids are therefore keyed hashes
(HMAC-SHA256) written with the letters a–p only, so no masking rule of the API (which
looks for runs of digits) can ever alter one.

The investigation page merges the answers of several requests, so the API uses one key
for all its workers: a random key kept in the data directory (:func:`load_key`).  A
picture written by the CLI uses a fresh random key.

>>> key = b"k" * 32
>>> token(key, "Person:110101199003070011")
'ndolenejcpcbeohldomncgbgjmcg'
>>> token(key, "Person:110101199003070011") == token(key, "Person:110101199003070012")
False
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["KEY_FILE", "load_key", "new_key", "token"]

#: Name of the key file in the data directory (readable by its owner only).
KEY_FILE = "viz-ids.key"
_KEY_BYTES = 32
_LETTERS = "abcdefghijklmnop"


def new_key() -> bytes:
    """A fresh random key."""
    return secrets.token_bytes(_KEY_BYTES)


def token(key: bytes, text: str, *, prefix: str = "n") -> str:
    """The id of ``text`` under ``key``: ``prefix`` and 27 letters (108 bits)."""
    digest = hmac.new(key, text.encode(), hashlib.sha256).digest()[:14]
    letters = "".join(_LETTERS[b >> 4] + _LETTERS[b & 15] for b in digest)
    return prefix + letters[:27]


def load_key(directory: Path) -> bytes:
    """The key kept in ``directory`` (created, mode 0600, on first use; safe when several
    processes start at once: the first writer wins and the others read its key).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> load_key(d) == load_key(d), len(load_key(d))
    (True, 32)
    """
    path = directory / KEY_FILE
    try:
        data = path.read_bytes()
        if len(data) == _KEY_BYTES:
            return data
    except FileNotFoundError:
        pass
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, new_key())
    finally:
        os.close(fd)
    try:
        os.link(partial, path)  # atomic, fails if another process won
    except FileExistsError:
        pass
    finally:
        partial.unlink()
    return path.read_bytes()
