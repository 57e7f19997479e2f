"""An append-only Merkle tree in the manner of RFC 6962 (Certificate Transparency), over a store's events in the
order they were sealed: proofs that an event is in it, and that a later tree only grew from an earlier one.

    leaf hash  = SHA-256(0x00 || chain_hash of the event)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()            MTH({d}) = leaf hash of d
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n]))  with k the largest power of two smaller than n

Proofs are RFC 6962's audit paths and consistency proofs (§2.1.1, §2.1.2), checked as RFC 9162 §2.1.3.2 and
§2.1.4.2 describe. The tree's state between seals is its frontier: the roots of the perfect subtrees its size
decomposes into, largest first (at most 64 hashes), which is all appending needs.
"""

import hashlib
from collections.abc import Sequence

EMPTY = hashlib.sha256(b"").digest()


def leaf(chain_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + chain_hash).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaf hashes `leaves`."""
    if not leaves:
        return EMPTY
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node(root(leaves[:k]), root(leaves[k:]))


def append(frontier: list[bytes], size: int, leaf_hash: bytes) -> list[bytes]:
    """The frontier of a tree of `size` leaves with `leaf_hash` appended (a new list)."""
    grown, merged, n = [*frontier, leaf_hash], leaf_hash, size
    while n & 1:  # each 1 bit at the bottom of the old size is a perfect subtree the new leaf completes
        merged = node(grown[-2], merged)
        grown[-2:] = [merged]
        n >>= 1
    return grown


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree whose frontier this is."""
    if not frontier:
        return EMPTY
    acc = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        acc = node(subtree, acc)
    return acc


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` in the tree of `leaves` (RFC 6962 §2.1.1)."""
    n = len(leaves)
    if n <= 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], m: int) -> list[bytes]:
    """The proof that the tree of `leaves[:m]` is a prefix of the tree of `leaves` (RFC 6962 §2.1.2)."""
    if not 0 < m <= len(leaves):
        raise ValueError(f"no consistency proof from {m} leaves to {len(leaves)}")
    return _subproof(leaves, m, True)


def _subproof(leaves: Sequence[bytes], m: int, whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, whole), root(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, False), root(leaves[:k])]


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def verify_consistency(m: int, n: int, proof: Sequence[bytes], first: bytes, second: bytes) -> bool:
    """RFC 9162 §2.1.4.2: the tree of size n with root `second` extends the one of size m with root `first`."""
    if m == n:
        return not proof and first == second
    if m == 0 or m > n or not proof:
        return False
    path = list(proof)
    if m & (m - 1) == 0:  # m a power of two: the old root is the first node of the new tree's path
        path.insert(0, first)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first and sr == second
