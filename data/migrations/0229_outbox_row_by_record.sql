-- outbox_row was (entity, row_id): a write's outbox rows went each to its
-- table's range of the index, in the middle of it once the outbox holds
-- many rows (a desk that has not pushed for a while; the benchmark's demo
-- database, which never has), one leaf each and about as many again from
-- splits: at 20,000 patients 5 pages of an invoice's issue and 8 of its
-- payment (issue #18, docs/ARCHITECTURE.md, "Pages per commit"). Keyed by
-- the record first, as the seals' index is since 0175: records' keys are
-- UUIDv7s, which begin with the time they were made, so the rows a write
-- queues for records made in it or moments before go next to each other
-- at the end of the index. Every query of the outbox by record names both
-- (entity = ? AND row_id = ?), which the index serves as before.
DROP INDEX outbox_row;
CREATE INDEX outbox_row ON outbox (row_id, entity);
