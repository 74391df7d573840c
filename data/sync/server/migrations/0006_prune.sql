-- Pruning the server (SYNC.md: "deletes: soft; purge only on the server
-- once every desk has pulled past it").
--
-- The change log keeps every change; each entry holds its row whole, as it
-- stood after the change, so an entry of a row that has a newer one is of
-- use only to a desk that has not pulled that newer one yet. Each desk
-- tells the server how far it has pulled (sync.pulled); sync.prune then
-- removes, below the oldest of those cursors (the horizon):
--   - entries of a row that has a newer entry also below the horizon;
--   - deleted rows (tombstones) whose delete every desk has pulled and
--     that are older than an age the administrator chooses (a desk
--     restored from a backup older than that would keep such a row);
--   - the results of operations older than an age (a desk pushes an
--     operation again only within the 180 days it keeps them).
-- Nothing at or above the horizon goes, so no desk's cursor loses its
-- entry (the desks read a missing one as a server restored from a dump).
-- A desk that has never said how far it pulled (an older hms) holds the
-- horizon at the start: nothing is pruned until every desk has.

ALTER TABLE sync.sites ADD COLUMN pulled_txid xid8 NOT NULL DEFAULT '0';
ALTER TABLE sync.sites ADD COLUMN pulled_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE sync.sites ADD COLUMN pulled_at timestamptz;
CREATE INDEX applied_ops_age ON sync.applied_ops (applied_at);

-- How far a desk has pulled: it holds every change up to (p_txid, p_seq).
-- It may move back (a desk restored from an older backup pulls again).
CREATE FUNCTION sync.pulled(p_site uuid, p_txid xid8, p_seq bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE sync.sites SET pulled_txid = p_txid, pulled_seq = p_seq, pulled_at = now() WHERE site_id = p_site;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'desk % is not enrolled on this server', p_site USING ERRCODE = 'HM001';
    END IF;
END
$$;

-- Prunes as above; says what went and which desk holds the horizon (the
-- one that has pulled least), with when it last pulled.
CREATE FUNCTION sync.prune(p_tombstone_age interval, p_ops_age interval,
    OUT superseded bigint, OUT tombstones bigint, OUT ops bigint,
    OUT held_by text, OUT held_since timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_txid xid8;
    v_seq  bigint;
BEGIN
    -- One prune at a time; desks push and pull on meanwhile.
    PERFORM pg_advisory_xact_lock(hashtext('hms sync prune'));
    SELECT s.pulled_txid, s.pulled_seq, s.desk_code, s.pulled_at INTO v_txid, v_seq, held_by, held_since
    FROM sync.sites s ORDER BY s.pulled_txid, s.pulled_seq LIMIT 1;
    IF NOT FOUND THEN
        v_txid := '0';
        v_seq := 0;
    END IF;

    WITH below AS (
        SELECT c.seq, row_number() OVER (PARTITION BY c.entity, c.row_id ORDER BY c.txid DESC, c.seq DESC) AS newer
        FROM sync.change_log c
        WHERE (c.txid, c.seq) < (v_txid, v_seq)
    )
    DELETE FROM sync.change_log c USING below b WHERE c.seq = b.seq AND b.newer > 1;
    GET DIAGNOSTICS superseded = ROW_COUNT;

    WITH recent AS (
        -- the rows changed at or above the horizon: few, by the cursor index
        SELECT DISTINCT c.entity, c.row_id FROM sync.change_log c WHERE (c.txid, c.seq) >= (v_txid, v_seq)
    ), gone AS (
        SELECT r.entity, r.row_id FROM sync.rows r
        WHERE r.deleted_hlc IS NOT NULL AND r.deleted_at < now() - p_tombstone_age
          AND NOT EXISTS (SELECT 1 FROM recent x WHERE x.entity = r.entity AND x.row_id = r.row_id)
    ), logged AS (
        DELETE FROM sync.change_log c USING gone g WHERE c.entity = g.entity AND c.row_id = g.row_id
    )
    DELETE FROM sync.rows r USING gone g WHERE r.entity = g.entity AND r.row_id = g.row_id;
    GET DIAGNOSTICS tombstones = ROW_COUNT;

    DELETE FROM sync.applied_ops a WHERE a.applied_at < now() - p_ops_age;
    GET DIAGNOSTICS ops = ROW_COUNT;
END
$$;

REVOKE ALL ON FUNCTION sync.pulled(uuid, xid8, bigint), sync.prune(interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.pulled(uuid, xid8, bigint) TO hms_desk;
