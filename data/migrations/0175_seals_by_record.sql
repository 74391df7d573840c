-- Fewer pages per commit (docs/ARCHITECTURE.md, "The cost of a payment"):
-- the seals' index leads with the record's key instead of its table's name,
-- and no longer carries the seal's hash.
--
-- Records' keys are UUIDv7s, which begin with the time they were made, so
-- the seals of the records a transaction makes or has just made (an issued
-- invoice, its timeline event, a payment and its allocation) now go next
-- to each other near the end of the index, into one or two leaves, instead
-- of one leaf per table in the middle of it, where a full leaf is split by
-- rebalancing it with its full siblings. Without the hash (64 of an
-- entry's 120 bytes) a leaf takes twice as many entries before it splits.
-- At a million patients the seals were the largest single cost of an
-- issue and its payment (3.5 and 7.3 pages).
--
-- Verify reads the index once, in this order, beside every audited table
-- at once, and each seal's hash from the table by its rowid (data/seal.go,
-- verifySeals); the chain's check reads the table in order, as before.
DROP INDEX audit_seal_row;
CREATE INDEX audit_seal_row ON audit_seal (row_id, entity, seq);
