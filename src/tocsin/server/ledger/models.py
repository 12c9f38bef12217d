"""Ledger storage tables, plus the legal-hold projection.

The four storage tables are written only by :class:`tocsin.server.ledger.store.DatabaseStore`
(raw SQL, inside the append transaction) and checked in full by ``tocsin verify``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from tocsin.server.projections import ProjectionModel


class SequenceField(models.BigIntegerField):
    """A sequence number as primary key. On SQLite the column is ``integer``, which makes it
    the table's rowid: one B-tree per table instead of a table plus an index on ``bigint``,
    so each append dirties (and fsyncs) fewer pages. SQLite integers are 64-bit, as bigint is
    elsewhere."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LedgerLeaf(models.Model):
    """One leaf: the canonical envelope bytes. ``kind`` and ``subject`` (the first subject) are
    copies kept for lookups; verification checks them against the leaf. Only ``subject`` is
    indexed (a record's history); every append would pay for an index on ``kind``, which
    only ``tocsin events --kind`` reads."""

    seq = SequenceField(primary_key=True)
    kind = models.CharField(max_length=100)
    subject = models.CharField(max_length=200, db_index=True)
    data = models.BinaryField()

    class Meta:
        db_table = "ledger_leaf"


class LedgerNode(models.Model):
    """The hash of one complete subtree: leaves [index * 2**level, (index + 1) * 2**level)."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        db_table = "ledger_node"


class LedgerPayload(models.Model):
    """An event's payload (canonical JSON) and the salt of its commitment; erased on expunge."""

    seq = SequenceField(primary_key=True)
    salt = models.BinaryField(max_length=32)
    body = models.BinaryField()

    class Meta:
        db_table = "ledger_payload"


class LedgerHead(models.Model):
    """The one row holding the ledger's size and root. Appenders lock it (PostgreSQL
    ``SELECT ... FOR UPDATE``; on SQLite ``BEGIN IMMEDIATE`` already excludes other writers)."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField()
    root = models.BinaryField(max_length=32)

    class Meta:
        db_table = "ledger_head"
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(id=1), name="ledger_head_single_row")
        ]


class LegalHold(ProjectionModel):
    """A legal hold; while active, records in its scope cannot be expunged."""

    subject_prefix = "legal_hold"

    id = models.UUIDField(primary_key=True)
    scope = models.CharField(max_length=200)
    reason = models.TextField()
    placed_seq = models.BigIntegerField()
    lifted_seq = models.BigIntegerField(null=True)

    class Meta:
        db_table = "ledger_legal_hold"

    @property
    def active(self) -> bool:
        return self.lifted_seq is None


class Expunction(ProjectionModel):
    """A record whose events' payloads were erased at the end of retention."""

    subject_prefix = "expunction"

    id = models.UUIDField(primary_key=True)
    subject = models.CharField(max_length=200, unique=True)
    seqs = models.IntegerField(help_text="How many events' payloads were erased.")
    reason = models.TextField()
    seq = models.BigIntegerField(help_text="The sequence number of the record.expunged event.")

    class Meta:
        db_table = "ledger_expunction"


class SignedCheckpoint(models.Model):
    """A checkpoint the log signed (a C2SP signed note), with the witnesses' cosignature lines
    appended as they arrive. Not a projection: checkpoints are about the ledger, not on it;
    ``tocsin verify`` checks each against the recomputed tree and the log's key."""

    size = models.BigIntegerField(primary_key=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    signed_at = models.DateTimeField()

    class Meta:
        db_table = "ledger_checkpoint"


class WitnessState(models.Model):
    """What each configured witness last told the log: the size it cosigned, and its answer."""

    vkey = models.CharField(max_length=300, primary_key=True)
    url = models.CharField(max_length=500)
    cosigned_size = models.BigIntegerField(default=0)
    last_answer = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "ledger_witness_state"
