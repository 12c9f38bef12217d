"""The one contract every LedgerStore adapter must pass (as eventsourcing's persistence tests).

A test module subclasses :class:`LedgerStoreContract` and provides a ``store`` fixture.
"""

from __future__ import annotations

import pytest

from tocsin.ledger import (
    EMPTY_ROOT,
    Envelope,
    Ledger,
    LedgerStore,
    NewEvent,
    ProofError,
    StoreConflict,
    audit_tree,
    leaf_hash,
    node_hash,
    reference_root,
    verify_consistency,
    verify_inclusion,
)


def event(n: int) -> NewEvent:
    return NewEvent(
        kind="contract.tested",
        v=1,
        time="2026-01-31T09:00:00.000000Z",
        actor="system:test",
        subjects=(f"thing:{n}",),
        payload={"n": n, "text": f"payload {n}"},
    )


class LedgerStoreContract:
    """Behaviour shared by every store. Subclasses supply the ``store`` fixture."""

    def test_a_new_store_is_empty(self, store: LedgerStore) -> None:
        assert store.head() == (0, EMPTY_ROOT)
        assert store.read_leaves(0, 10) == []
        assert store.read_nodes([(0, 0)]) == {}

    def test_appends_are_dense_and_the_root_matches_the_reference(self, store: LedgerStore) -> None:
        ledger = Ledger(store)
        envelopes = ledger.append([event(i) for i in range(5)])
        envelopes += ledger.append([event(5)])
        envelopes += ledger.append([event(i) for i in range(6, 13)])
        assert [e.seq for e in envelopes] == list(range(13))
        leaves = store.read_leaves(0, 13)
        assert [Envelope.parse(leaf) for leaf in leaves] == envelopes
        assert store.head() == (13, reference_root(leaves))
        for size in range(14):
            assert ledger.root(size) == reference_root(leaves[:size])

    def test_leaf_hashes_are_served_with_the_other_subtree_hashes(self, store: LedgerStore) -> None:
        Ledger(store).append([event(i) for i in range(5)])
        leaves = store.read_leaves(0, 5)
        found = store.read_nodes([(0, 4), (0, 1), (1, 0), (2, 0), (0, 5), (1, 2)])
        assert found == {
            (0, 1): leaf_hash(leaves[1]),
            (0, 4): leaf_hash(leaves[4]),
            (1, 0): node_hash(leaf_hash(leaves[0]), leaf_hash(leaves[1])),
            (2, 0): reference_root(leaves[:4]),
        }

    def test_proofs_from_the_store_verify(self, store: LedgerStore) -> None:
        ledger = Ledger(store)
        ledger.append([event(i) for i in range(21)])
        leaves = store.read_leaves(0, 21)
        for size in (1, 7, 16, 21):
            for index in range(size):
                proof = ledger.inclusion_proof(index, size)
                verify_inclusion(index, size, leaf_hash(leaves[index]), proof.hashes, proof.root)
            for old in range(size + 1):
                consistency = ledger.consistency_proof(old, size)
                verify_consistency(
                    old, size, consistency.old_root, consistency.root, consistency.hashes
                )

    def test_a_size_beyond_the_head_is_refused(self, store: LedgerStore) -> None:
        ledger = Ledger(store)
        ledger.append([event(0)])
        with pytest.raises(ProofError):
            ledger.root(2)
        with pytest.raises(ProofError):
            ledger.inclusion_proof(0, 2)

    def test_payloads_match_their_commitments_and_can_be_erased(self, store: LedgerStore) -> None:
        ledger = Ledger(store)
        envelopes = ledger.append([event(i) for i in range(3)])
        payloads = store.read_payloads([0, 1, 2])
        for envelope in envelopes:
            assert payloads[envelope.seq].commitment == envelope.commitment
            assert payloads[envelope.seq].decode() == {
                "n": envelope.seq,
                "text": f"payload {envelope.seq}",
            }
        head = store.head()
        store.erase_payloads([1])
        assert set(store.read_payloads([0, 1, 2])) == {0, 2}
        assert store.head() == head  # erasing never touches the tree
        assert len(store.read_leaves(0, 3)) == 3

    def test_a_write_from_a_stale_head_is_refused_and_writes_nothing(
        self, store: LedgerStore
    ) -> None:
        first, second = Ledger(store), Ledger(store)
        first.append([event(0)])
        second.append([event(1)])  # second loads the frontier fresh
        first.append([event(2)])  # first's cache is stale: it must reload, not fork
        leaves = store.read_leaves(0, 3)
        assert [Envelope.parse(leaf).seq for leaf in leaves] == [0, 1, 2]
        assert store.head() == (3, reference_root(leaves))
        from tocsin.ledger import Entry, seal_payload

        sealed = seal_payload({"n": 9})
        stale = Envelope(
            v=1,
            seq=1,
            time="2026-01-31T09:00:00.000000Z",
            kind="contract.tested",
            actor="system:test",
            subjects=("thing:9",),
            commitment=sealed.commitment,
        )
        with pytest.raises(StoreConflict):
            store.write(
                [Entry(stale, stale.leaf(), sealed)], [], (1, b"\x00" * 32), (2, b"\x00" * 32)
            )
        assert store.head() == (3, reference_root(leaves))
        assert len(store.read_leaves(0, 10)) == 3

    # Streaming reads (what verification reads in bulk).

    def test_leaves_stream_in_order_in_batches_up_to_a_size(self, store: LedgerStore) -> None:
        Ledger(store).append([event(i) for i in range(7)])
        leaves = store.read_leaves(0, 7)
        batches = list(store.stream_leaves(batch=3))
        assert [len(batch) for batch in batches] == [3, 3, 1]
        assert [pair for batch in batches for pair in batch] == list(enumerate(leaves))
        assert [pair for batch in store.stream_leaves(5) for pair in batch] == list(
            enumerate(leaves[:5])
        )
        assert list(store.stream_leaves(0)) == []

    def test_a_level_is_read_whole_and_leaf_hashes_are_not_kept(self, store: LedgerStore) -> None:
        Ledger(store).append([event(i) for i in range(7)])
        leaves = store.read_leaves(0, 7)
        hashes = [leaf_hash(leaf) for leaf in leaves]
        assert store.read_level(0) == []
        assert store.read_level(1) == [
            (i, node_hash(hashes[2 * i], hashes[2 * i + 1])) for i in range(3)
        ]
        assert store.read_level(2) == [(0, reference_root(leaves[:4]))]
        assert store.read_level(3) == []
        assert store.coordinates_above(0) == [(1, 0), (1, 1), (1, 2), (2, 0)]
        assert store.coordinates_above(1) == [(2, 0)]
        assert store.coordinates_above(2) == []

    def test_events_stream_with_their_columns_and_payloads(self, store: LedgerStore) -> None:
        envelopes = Ledger(store).append([event(i) for i in range(5)])
        leaves = store.read_leaves(0, 5)
        payloads = store.read_payloads(range(5))
        store.erase_payloads([2])
        streamed = [e for batch in store.stream_events(4, batch=3) for e in batch]
        assert [e.seq for e in streamed] == [0, 1, 2, 3]
        for stored in streamed:
            assert stored.kind == "contract.tested"
            assert stored.subject == envelopes[stored.seq].subjects[0]
            assert stored.leaf == leaves[stored.seq]
            assert stored.payload == (None if stored.seq == 2 else payloads[stored.seq])
        assert list(store.stream_events(0)) == []
        # From a starting point (what the clocks read since their last sweep).
        later = [e.seq for batch in store.stream_events(5, start=3, batch=1) for e in batch]
        assert later == [3, 4]
        assert list(store.stream_events(5, start=5)) == []

    def test_events_of_one_kind_are_read_with_their_payloads(self, store: LedgerStore) -> None:
        other = NewEvent(
            kind="record.expunged",
            v=1,
            time="2026-01-31T09:00:00.000000Z",
            actor="system:test",
            subjects=("thing:1",),
            payload={"seqs": [1]},
        )
        Ledger(store).append([event(0), event(1), other, event(3), other])
        found = list(store.events_of_kind("record.expunged"))
        assert [(e.seq, e.kind, e.subject) for e in found] == [
            (2, "record.expunged", "thing:1"),
            (4, "record.expunged", "thing:1"),
        ]
        assert [e.payload.decode() if e.payload else None for e in found] == [{"seqs": [1]}] * 2
        assert list(store.events_of_kind("nothing.happened")) == []

    def test_a_store_of_whole_events_has_no_orphan_payloads(self, store: LedgerStore) -> None:
        assert store.orphan_payloads() == []
        Ledger(store).append([event(i) for i in range(3)])
        store.erase_payloads([1])
        assert store.orphan_payloads() == []

    def test_the_tree_audit_of_a_sound_store_finds_nothing(self, store: LedgerStore) -> None:
        Ledger(store).append([event(i) for i in range(11)])
        audit = audit_tree(store)
        assert audit.problems == []
        assert audit.size == 11
        leaves = store.read_leaves(0, 11)
        for size in (0, 1, 4, 11):
            assert audit.root_at(size) == reference_root(leaves[:size])
