-- Fewer pages per commit (docs/ARCHITECTURE.md, "The cost of a payment"):
-- the seals' index leads with the record's key instead of its table's name.
--
-- Records' keys are UUIDv7s, which begin with the time they were made, so
-- the seals of the records a transaction makes or has just made (an issued
-- invoice, its timeline event, a payment and its allocation) now go next
-- to each other near the end of the index, into one or two leaves, instead
-- of one leaf per table in the middle of it, where a full leaf is split by
-- rebalancing it with its full siblings. At a million patients the seals
-- were the largest single cost of an issue and its payment (3.5 and 7.3
-- pages).
--
-- The index still holds each seal's hash, so that verify need not read
-- the table for it (without it: 0.9 fewer pages per issue and payment at
-- a million patients, and a read of the table for each seal).
-- Verify reads the index once, in this order, beside every audited table
-- at once (data/seal.go, verifySeals); the chain's check reads the table
-- in order, as before.
DROP INDEX audit_seal_row;
CREATE INDEX audit_seal_row ON audit_seal (row_id, entity, seq, hash);
