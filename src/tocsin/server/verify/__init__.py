"""``tocsin verify``: prove that the ledger and every projection are intact, or say exactly where
they are not.

Three passes, each streaming so that a million events fit in memory:

1. **Tree** (:func:`tocsin.ledger.audit_tree`, in the core, over the store port). Every leaf
   is hashed; the tree is rebuilt level by level and every stored complete-subtree hash is
   compared with the rebuilt one; the root at the stored size is compared with the head. A
   gap, a duplicate, an extra or a changed leaf or node shows here. Signed checkpoints and
   witnesses (which catch a rewrite of the whole ledger, head included) are checked against
   the rebuilt tree (``_signed``).
2. **Events** (``_replay``). Every leaf is parsed (canonical form, envelope members, its
   sequence number and the copies of its kind and subject); every stored payload is checked
   against its commitment; a missing payload is accepted only where a ``record.expunged``
   event lists it.
3. **Replay** (``_replay``, ``_compare``). Every event is applied, by the same appliers the
   live system uses, into memory and then into a scratch SQLite database; every projection
   table is compared row by row with the live one. A difference names the table, the row and
   the sequence number of the event that last wrote the row in the replay.

``_run`` holds the snapshot and the order of the passes. Only the store adapter
(``tocsin.server.ledger.store``) writes SQL for the ledger's tables.
"""

from tocsin.server.verify._names import Problem, Progress
from tocsin.server.verify._run import VerifyReport, verify_ledger

__all__ = ["Problem", "Progress", "VerifyReport", "verify_ledger"]
