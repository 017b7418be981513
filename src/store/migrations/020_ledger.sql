-- 020: the tamper-evident record (core/ledger.c): an append-only Merkle tree
-- with the hashing of RFC 9162 (Certificate Transparency v2), one leaf per
-- fact, appended in the fact's own transaction.
--
-- ledger_leaf holds the leaves in order: idx 0, 1, 2 ... with no gap. kind
-- and fact_id name the row the leaf was made from ('contribution': a
-- contribution's id; 'audit': the audit row of a schedule move, a deadline
-- change, a moderation decision or a disposition), so that `consulta verify
-- --all` can make the leaf again and compare. leaf_hash is SHA-256(0x00 ||
-- leaf); the leaf's bytes are not kept (they are made again from the fact).
-- salt is the 32 random bytes a contribution's leaf is committed with (its
-- leaf holds SHA-256(salt || canonical JSON), not the JSON), NULL otherwise.
CREATE TABLE ledger_leaf (
	idx       INTEGER PRIMARY KEY,
	kind      TEXT NOT NULL CHECK (kind IN ('contribution', 'audit')),
	fact_id   INTEGER NOT NULL,
	salt      BLOB,
	leaf_hash BLOB NOT NULL,
	at        INTEGER NOT NULL,
	UNIQUE (kind, fact_id)
);
-- The hash of every complete subtree above the leaves: level L, index I
-- covers the leaves [I * 2^L, (I + 1) * 2^L). Written once, when its last
-- leaf is appended (one row per append on average, at most log2(n)); a root
-- or a proof at any size reads at most a few of them per level.
CREATE TABLE ledger_node (
	level     INTEGER NOT NULL,
	idx       INTEGER NOT NULL,
	hash      BLOB NOT NULL,
	PRIMARY KEY (level, idx)
);
-- Append-only: what was written is never changed nor removed by the program.
CREATE TRIGGER ledger_leaf_no_update BEFORE UPDATE ON ledger_leaf
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_leaf_no_delete BEFORE DELETE ON ledger_leaf
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_node_no_update BEFORE UPDATE ON ledger_node
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_node_no_delete BEFORE DELETE ON ledger_node
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
