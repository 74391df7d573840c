-- Each row's entries in the change log follow the order in which
-- transactions took the row's lock.
--
-- The log is read in (txid, seq) order, and a transaction's id is given
-- when it first writes, not when it commits. A push that got its id first
-- but locked a row only after another push had changed it and committed
-- would log the row's newer state below the other's older one: a desk
-- reading the log in order would end with the older state (and the desk
-- that made the older change, which skips entries of the row below its
-- own, would never see the newer one). Such a push is refused before it
-- commits, as a serialization failure (SQLSTATE 40001), and nothing of it
-- stays; the desk's client sends it again at once, in a new transaction,
-- whose id is above every committed one. A committed entry of a row with a
-- higher transaction id than one being logged can only be such a case:
-- the row's lock, which every change of a row holds until it commits,
-- kept them apart.

CREATE INDEX change_log_row ON sync.change_log (entity, row_id, txid);

CREATE FUNCTION sync.log_in_lock_order() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM logged n
               WHERE EXISTS (SELECT 1 FROM sync.change_log c
                             WHERE c.entity = n.entity AND c.row_id = n.row_id AND c.txid > n.txid)) THEN
        RAISE EXCEPTION 'a row of this batch was changed by a later transaction meanwhile: send the batch again'
            USING ERRCODE = '40001';
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION sync.log_in_lock_order() FROM PUBLIC;

CREATE TRIGGER change_log_lock_order AFTER INSERT ON sync.change_log
REFERENCING NEW TABLE AS logged FOR EACH STATEMENT EXECUTE FUNCTION sync.log_in_lock_order();
