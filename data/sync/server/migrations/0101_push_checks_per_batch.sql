-- Two checks a push ran per operation, run per batch (issue #13's push
-- benchmark; see 0100).
--
-- * sync.applied_ops.site_id referred to sync.sites by a foreign key,
--   whose check ran a query (and took a lock on the desk's row) for every
--   operation a push stored, about a twentieth of the server's time per
--   operation. Only sync.push_as writes applied_ops, with the desk's own
--   site, whose row it has locked first (FOR UPDATE), so the row exists
--   and stays. What the key still guarded, a desk's row deleted or its
--   site id changed while its operations are kept, is refused by a
--   trigger on sync.sites instead, with the same error (23503).
-- * The lock-order check (0014) looked each logged row up in the log's
--   index, for an entry of a later transaction that has committed. It now
--   first asks the log's (txid, seq) index once whether there is any
--   entry of a later transaction, of any row; only if there is one (another
--   desk's push that began after this one committed meanwhile) does it
--   look the rows up as before. TestPullRaceRowLockOrder and
--   TestLockOrderCheckPerBatch.

ALTER TABLE sync.applied_ops DROP CONSTRAINT applied_ops_site_id_fkey;

CREATE FUNCTION sync.sites_keep_applied_ops() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.site_id IS DISTINCT FROM OLD.site_id)
       AND EXISTS (SELECT 1 FROM sync.applied_ops a WHERE a.site_id = OLD.site_id) THEN
        RAISE EXCEPTION 'desk % has operations stored on this server (sync.applied_ops)', OLD.site_id
            USING ERRCODE = '23503';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
REVOKE ALL ON FUNCTION sync.sites_keep_applied_ops() FROM PUBLIC;

CREATE TRIGGER sites_keep_applied_ops BEFORE DELETE OR UPDATE OF site_id ON sync.sites
FOR EACH ROW EXECUTE FUNCTION sync.sites_keep_applied_ops();

CREATE OR REPLACE FUNCTION sync.log_in_lock_order() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- First one probe of the log's (txid, seq) index: an entry of a
    -- transaction later than the batch's, any row. Only if there is one
    -- are the batch's rows looked up (one snapshot for both).
    IF EXISTS (SELECT 1 FROM sync.change_log c WHERE c.txid > (SELECT min(n.txid) FROM logged n))
       AND EXISTS (SELECT 1 FROM logged n
                   WHERE EXISTS (SELECT 1 FROM sync.change_log c
                                 WHERE c.entity = n.entity AND c.row_id = n.row_id AND c.txid > n.txid)) THEN
        RAISE EXCEPTION 'a row of this batch was changed by a later transaction meanwhile: send the batch again'
            USING ERRCODE = '40001';
    END IF;
    RETURN NULL;
END
$$;
