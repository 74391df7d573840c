-- A faster pull (sync.pull of 0002), with the same arguments and columns.
--
-- The order. The change log is read in (txid, seq) order from the cursor
-- on, which the index change_log_cursor holds: reading it in that order
-- stops after p_limit rows. Without statistics on the log (a server whose
-- log has just been filled by a first desk's upload, or one where
-- autovacuum does not run) the planner guessed otherwise: it collected
-- every row after the cursor and sorted them, whole rows, on disk past
-- work_mem, for each batch: a new desk's download sorted the log as many
-- times as it has batches. Sorting is switched off for the function, so
-- the planner takes the index's order, which is always there.
--
-- The field clocks. A change of a new row, and any change whose fields
-- were all set by one operation, has every field clock equal to the
-- change's own reading (hlc); the log's field_hlc then repeats that
-- reading once per field, and written out as text it was the largest part
-- of the reply, larger than the row itself. Such a change is sent with
-- '{}': desks take a field that field_hlc does not name as set by hlc, as
-- they always have, so desks of every version read it the same.
CREATE OR REPLACE FUNCTION sync.pull(p_site uuid, p_txid xid8, p_seq bigint, p_limit int)
RETURNS TABLE (txid xid8, seq bigint, entity text, row_id text, origin_site uuid, hlc text,
               row_snapshot jsonb, field_hlc jsonb, deleted_hlc text, server_set jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET enable_sort = off AS $$
BEGIN
    PERFORM 1 FROM sync.sites s WHERE s.site_id = p_site;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'desk % is not enrolled on this server', p_site USING ERRCODE = 'HM001';
    END IF;
    RETURN QUERY
    SELECT c.txid, c.seq, c.entity, c.row_id, c.origin_site, c.hlc::text, c.row_snapshot,
           CASE WHEN jsonb_path_exists(c.field_hlc, '$.* ? (@ != $hlc)', jsonb_build_object('hlc', c.hlc))
                THEN c.field_hlc ELSE '{}'::jsonb END,
           c.deleted_hlc::text, c.server_set
    FROM sync.change_log c
    WHERE (c.txid, c.seq) > (p_txid, p_seq) AND c.txid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY c.txid, c.seq
    LIMIT least(greatest(p_limit, 1), 10000);
END
$$;
