-- A desk that joins after the log was pruned downloads the part below the
-- horizon table by table, parents first.
--
-- Below the horizon of a prune, the log holds one entry per row, its
-- newest there, placed where its last change went: a patient edited after
-- its invoices were made sits after them. Read in log order, a joining
-- desk would meet the invoices before their patient and could not apply
-- them. What lies below the horizon is a picture of the clinic, one row
-- each, so the order it is read in does not matter to what it holds: a
-- desk whose cursor is at the start reads it by the tables it names (its
-- own order, parents first; then any other the server has, by name), each
-- by row id (sync.pull_pruned), then sets its cursor on the last entry
-- below the horizon (sync.pruned_end) and reads the rest of the log in
-- order. The horizon only moves up: a prune with a lower one (a desk
-- restored from a backup pulls again) removes nothing below the old one.

ALTER TABLE sync.meta ADD COLUMN pruned_txid xid8 NOT NULL DEFAULT '0';
ALTER TABLE sync.meta ADD COLUMN pruned_seq bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION sync.prune(p_tombstone_age interval, p_ops_age interval,
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
    FROM sync.sites s
    WHERE NOT EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = s.site_id AND l.revoked_at IS NOT NULL)
    ORDER BY s.pulled_txid, s.pulled_seq LIMIT 1;
    IF NOT FOUND THEN
        SELECT c.txid, c.seq + 1 INTO v_txid, v_seq FROM sync.change_log c ORDER BY c.txid DESC, c.seq DESC LIMIT 1;
        IF NOT FOUND THEN
            v_txid := '0';
            v_seq := 0;
        END IF;
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

    UPDATE sync.meta m SET pruned_txid = v_txid, pruned_seq = v_seq
    WHERE (m.pruned_txid, m.pruned_seq) < (v_txid, v_seq);
END
$$;

-- The last entry below the horizon of the last prune: where a desk that
-- downloaded what lies below it sets its cursor. (0, 0) when nothing was
-- pruned.
CREATE FUNCTION sync.pruned_end(p_site uuid, OUT txid xid8, OUT seq bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    txid := '0';
    seq := 0;
    SELECT c.txid, c.seq INTO txid, seq
    FROM sync.change_log c, sync.meta m
    WHERE (c.txid, c.seq) < (m.pruned_txid, m.pruned_seq)
    ORDER BY c.txid DESC, c.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        txid := '0';
        seq := 0;
    END IF;
END
$$;

-- Up to p_limit rows below the horizon, after (p_after_entity,
-- p_after_row): the tables named in p_entities in that order, then the
-- others the server has, by name; each table by row id (below the
-- horizon a row has one entry: the prune left its newest only).
CREATE FUNCTION sync.pull_pruned(p_site uuid, p_entities text[], p_after_entity text, p_after_row text, p_limit integer)
RETURNS TABLE(txid xid8, seq bigint, entity text, row_id text, origin_site uuid, hlc text, row_snapshot jsonb,
              field_hlc jsonb, deleted_hlc text, server_set jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_txid    xid8;
    v_seq     bigint;
    v_order   text[];
    v_entity  text;
    v_after   text := coalesce(p_after_row, '');
    v_started boolean := coalesce(p_after_entity, '') = '';
    v_left    int := least(greatest(p_limit, 1), 10000);
    v_n       int;
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT m.pruned_txid, m.pruned_seq INTO v_txid, v_seq FROM sync.meta m;
    v_order := coalesce(p_entities, '{}') || ARRAY(SELECT e.entity FROM sync.entities e
                                                  WHERE e.entity <> ALL (coalesce(p_entities, '{}')) ORDER BY e.entity);
    FOREACH v_entity IN ARRAY v_order LOOP
        IF NOT v_started THEN
            CONTINUE WHEN v_entity <> p_after_entity;
            v_started := true;
        ELSE
            v_after := '';
        END IF;
        RETURN QUERY
        SELECT c.txid, c.seq, c.entity, c.row_id, c.origin_site, c.hlc::text, c.row_snapshot,
               CASE WHEN jsonb_path_exists(c.field_hlc, '$.* ? (@ != $hlc)', jsonb_build_object('hlc', c.hlc))
                    THEN c.field_hlc ELSE '{}'::jsonb END,
               c.deleted_hlc::text, c.server_set
        FROM sync.change_log c
        WHERE c.entity = v_entity AND c.row_id > v_after AND (c.txid, c.seq) < (v_txid, v_seq)
        ORDER BY c.row_id, c.txid, c.seq
        LIMIT v_left;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        v_left := v_left - v_n;
        EXIT WHEN v_left <= 0;
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION sync.pruned_end(uuid), sync.pull_pruned(uuid, text[], text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.pruned_end(uuid), sync.pull_pruned(uuid, text[], text, text, integer) TO hms_desk;
