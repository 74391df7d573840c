-- The desk's newest clock reading (sync_meta.last_hlc, from which the
-- clock resumes after a restart and which a second program writing the
-- file takes in) is kept without a write per transaction: the newest
-- reading the outbox holds is its newest row's, and sync_meta keeps the
-- reading of each row as it leaves the outbox (the push's acknowledgment,
-- a snapshot), no longer of each row as it comes in. The persisted reading
-- is now the later of sync_meta.last_hlc and the outbox's last row's hlc
-- (data/outbox.go, persistedHLC): one page of sync_meta fewer for each
-- write transaction that queues changes.
DROP TRIGGER outbox_last_hlc;
CREATE TRIGGER outbox_last_hlc AFTER DELETE ON outbox
BEGIN
    UPDATE sync_meta SET last_hlc = old.hlc WHERE last_hlc < old.hlc;
END;
