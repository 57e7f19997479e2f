"""The store's Merkle tree against RFC 6962's definitions: roots, the frontier kept between seals, inclusion and
consistency proofs for every size and index up to 40 leaves, and proofs that fail when anything is changed."""

import hashlib

import pytest

from services import merkle


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf(hashlib.sha256(str(i).encode()).digest()) for i in range(n)]


def test_the_root_is_rfc_6962_s_for_small_trees():
    a, b, c = leaves(3)
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.root([a]) == a
    assert merkle.root([a, b]) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.root([a, b, c]) == merkle.node(merkle.node(a, b), c)


def test_the_frontier_gives_the_root_of_every_size_as_leaves_are_appended():
    frontier: list[bytes] = []
    every = leaves(70)
    for size, leaf_hash in enumerate(every):
        frontier = merkle.append(frontier, size, leaf_hash)
        assert merkle.frontier_root(frontier) == merkle.root(every[:size + 1])
        assert len(frontier) == bin(size + 1).count("1")


@pytest.mark.parametrize("n", range(1, 41))
def test_every_leaf_s_inclusion_and_every_earlier_tree_s_consistency_verify(n):
    tree = leaves(n)
    top = merkle.root(tree)
    for index in range(n):
        proof = merkle.inclusion_proof(tree, index)
        assert merkle.verify_inclusion(tree[index], index, n, proof, top)
        assert not merkle.verify_inclusion(tree[index - 1] if n > 1 else b"x" * 32, index, n, proof, top)
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(tree, m)
        assert merkle.verify_consistency(m, n, proof, merkle.root(tree[:m]), top)
        if m < n:
            assert not merkle.verify_consistency(m, n, proof, merkle.root(tree[:m - 1] + [b"y" * 32]), top)
