"""Keccak-256 (the pre-standard SHA-3 padding Ethereum uses), from the C implementation in ``safe-pysha3``.

``hashlib.sha3_256`` is *not* Keccak-256 (different padding), and pycryptodome's Keccak is about 4.5x slower per
call, which matters when a plan hashes three million nodes; so the whole package reaches Keccak through here.
"""

from __future__ import annotations

from sha3 import keccak_256

__all__ = ["keccak256", "keccak_256"]


def keccak256(data: bytes) -> bytes:
    """Return the 32-byte Keccak-256 digest of ``data``."""
    return keccak_256(data).digest()  # type: ignore[no-any-return]
