-- sync.push, faster: the same decisions as 0002's, with less work per
-- operation (SYNC.md asks a push of 5,000 operations a second).
--
-- Where 0002's push spent its time, per operation: a statement to look the
-- operation up in applied_ops and one to record it there (with its foreign
-- key check), one to add its change to the change log, one more to build
-- the field clocks of a new row, and two regular-expression matches
-- (the id and the clock reading), each of which costs about as much as a
-- statement. Now:
--
--   - one statement before the loop looks up every operation of the batch
--     in applied_ops; an operation that appears again later in the same
--     batch gets the result decided for it earlier, as the lookup would
--     have found it;
--   - the decided results and the logged changes are kept in arrays and
--     written at the end, one INSERT each; the change log's seq is taken
--     from its sequence per operation, in order, so the log and the
--     results are numbered as before;
--   - a new row is inserted by one statement that also builds its field
--     clocks; only when the row exists already does the push read it and
--     merge, as before;
--   - the id and the clock reading are checked by fixed-width templates
--     (sync.is_op_id, sync.is_desk_hlc) that accept exactly what the
--     patterns accepted, and a clock reading only when it differs from
--     the last one found valid (a desk transaction's operations share
--     theirs).
--
-- One thing differs, and only when two desks insert the same new row at
-- the same moment (two desks creating one setting): the second insert
-- waited for the first and then overwrote its row whole; it now finds the
-- row and merges per field, as it would have a moment later.

-- Whether s is an operation id as desks write them: a UUID in lower-case
-- canonical form, exactly what the pattern
-- '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
-- matches: every hex digit becomes 0 and the rest must be the dashes, in
-- place. NULL for NULL.
CREATE FUNCTION sync.is_op_id(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(s, '0123456789abcdef', '0000000000000000') = '00000000-0000-0000-0000-000000000000'
$$;

-- Whether s is a clock reading of the desk p_site (sync.Timestamp's text,
-- 2026-11-26T09:00:00.007Z-002A-<site id>), exactly what the pattern
-- '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z-[0-9A-F]{4}-'
-- followed by the site id and '$' matches: the digits in place, each
-- two-digit field within its range, four upper-case hex digits, the site.
-- NULL for NULL.
CREATE FUNCTION sync.is_desk_hlc(s text, p_site uuid) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(left(s, 24), '0123456789', '0000000000') = '0000-00-00T00:00:00.000Z'
        AND substr(s, 6, 2) COLLATE "C" BETWEEN '01' AND '12'
        AND substr(s, 9, 2) COLLATE "C" BETWEEN '01' AND '31'
        AND substr(s, 12, 2) COLLATE "C" <= '23'
        AND substr(s, 15, 2) COLLATE "C" <= '59'
        AND substr(s, 18, 2) COLLATE "C" <= '59'
        AND translate(substr(s, 25, 5), '0123456789ABCDEF', '0000000000000000') = '-0000'
        AND substr(s, 30) = '-' || p_site::text
$$;

CREATE OR REPLACE FUNCTION sync.push(p_site uuid, p_ops jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_modes    jsonb;
    v_results  jsonb[] := '{}';
    v_has_q    boolean;
    v_max_seq  bigint := 0;
    v_limit    timestamptz := now() + interval '5 minutes';
    v_ops      jsonb[];
    v_ids      uuid[];
    v_stored   jsonb[];
    v_prev     int[];
    i          int;
    op         jsonb;
    v_id       uuid;
    v_seq      bigint;
    v_entity   text;
    v_row_id   text;
    v_kind     text;
    v_payload  jsonb;
    v_hlc      text COLLATE "C";
    v_mode     text;
    v_wall     timestamptz;
    -- The last clock reading found valid, and its wall time: the
    -- operations of one desk transaction share theirs.
    v_hlc_ok   text COLLATE "C";
    v_result   jsonb;
    v_cur      sync.rows%ROWTYPE;
    v_found    boolean;
    v_won      jsonb;
    v_lost     jsonb;
    v_row      jsonb;
    v_fhlc     jsonb;
    v_del      text COLLATE "C";
    v_reason   text;
    v_set      jsonb;
    v_log_seq  bigint;
    v_txid     text;
    v_log      regclass := pg_get_serial_sequence('sync.change_log', 'seq');
    -- What the batch decided (applied_ops) and logged (change_log),
    -- written at the end.
    a_id       uuid[] := '{}';
    a_seq      bigint[] := '{}';
    a_result   jsonb[] := '{}';
    l_seq      bigint[] := '{}';
    l_entity   text[] := '{}';
    l_row_id   text[] := '{}';
    l_hlc      text[] := '{}';
    l_row      jsonb[] := '{}';
    l_fhlc     jsonb[] := '{}';
    l_del      text[] := '{}';
    l_set      jsonb[] := '{}';
BEGIN
    PERFORM 1 FROM sync.sites WHERE site_id = p_site FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'desk % is not enrolled on this server', p_site USING ERRCODE = 'HM001';
    END IF;
    IF jsonb_typeof(p_ops) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'the operations must be a JSON array' USING ERRCODE = '22023';
    END IF;
    SELECT jsonb_object_agg(entity, mode) INTO v_modes FROM sync.entities;
    v_has_q := EXISTS (SELECT 1 FROM sync.quarantine WHERE site_id = p_site);

    -- The operations in order, each with its id (NULL when it has no
    -- valid one), the result stored for it by an earlier push (if any),
    -- and the place of its id's previous appearance in this batch (if
    -- any). The site is locked: no other push of this
    -- desk stores results until this one commits.
    -- (The lookup is a subquery per operation so that it always probes
    -- the index: a join would be planned as a scan of all of applied_ops.)
    SELECT coalesce(array_agg(o.value ORDER BY o.ord), '{}'),
           coalesce(array_agg(o.id ORDER BY o.ord), '{}'),
           coalesce(array_agg((SELECT a.result FROM sync.applied_ops a WHERE a.op_id = o.id) ORDER BY o.ord), '{}'),
           coalesce(array_agg(o.prev ORDER BY o.ord), '{}')
    INTO v_ops, v_ids, v_stored, v_prev
    FROM (SELECT e.value, e.ord, e.id,
                 CASE WHEN e.id IS NOT NULL THEN lag(e.ord) OVER (PARTITION BY e.id ORDER BY e.ord) END::int AS prev
          FROM (SELECT x.value, x.ord,
                       CASE WHEN sync.is_op_id(x.value->>'id') THEN (x.value->>'id')::uuid END AS id
                FROM jsonb_array_elements(p_ops) WITH ORDINALITY AS x(value, ord)) e) o;

    FOR i IN 1 .. cardinality(v_ops) LOOP
        op := v_ops[i];
        v_result := NULL;
        v_reason := NULL;
        v_set := '{}';
        v_log_seq := NULL;
        v_id := v_ids[i];
        IF v_id IS NULL THEN
            v_results := array_append(v_results, jsonb_build_object('op_id', op->>'id', 'status', 'rejected',
                'reason', 'the operation has no valid id'));
            CONTINUE;
        END IF;
        IF v_stored[i] IS NOT NULL THEN
            v_results := array_append(v_results, v_stored[i]);
            CONTINUE;
        END IF;
        -- Decided earlier in this batch: the result is stored unless the
        -- operation was quarantined (held, not decided), and then it is
        -- tried again, as the lookup of applied_ops would have it.
        IF v_prev[i] IS NOT NULL AND v_results[v_prev[i]]->>'status' <> 'quarantined' THEN
            v_results := array_append(v_results, v_results[v_prev[i]]);
            CONTINUE;
        END IF;

        v_seq := CASE WHEN jsonb_typeof(op->'seq') = 'number' THEN (op->>'seq')::bigint ELSE 0 END;
        v_entity := op->>'entity';
        v_row_id := op->>'row_id';
        v_kind := op->>'kind';
        v_payload := op->'payload';
        v_hlc := op->>'hlc';
        v_mode := v_modes->>v_entity;
        v_max_seq := greatest(v_max_seq, v_seq);

        IF v_mode IS NULL THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason',
                format('the server does not sync %L', coalesce(v_entity, '')));
        ELSIF coalesce(v_row_id, '') = '' THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason', 'the operation names no row');
        ELSIF v_kind IS NULL OR v_kind NOT IN ('insert', 'update', 'delete') THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason',
                format('unknown kind of operation %L', coalesce(v_kind, '')));
        ELSIF jsonb_typeof(v_payload) IS DISTINCT FROM 'object' THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason', 'the payload is not a JSON object');
        ELSIF v_hlc IS DISTINCT FROM v_hlc_ok AND NOT coalesce(sync.is_desk_hlc(v_hlc, p_site), false) THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason',
                format('%L is not a clock reading of this desk', coalesce(v_hlc, '')));
        ELSIF v_mode = 'append' AND v_kind <> 'insert'
            -- A patient's own history goes with the record when it is
            -- purged as created in error; no other such row is deleted.
            AND NOT (v_kind = 'delete' AND v_entity IN ('patient_events', 'patient_changes')) THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason',
                format('%s rows are never changed nor deleted', v_entity));
        END IF;
        IF v_result IS NOT NULL THEN
            v_result := jsonb_build_object('op_id', v_id) || v_result;
            a_id := array_append(a_id, v_id);
            a_seq := array_append(a_seq, v_seq);
            a_result := array_append(a_result, v_result);
            v_results := array_append(v_results, v_result);
            CONTINUE;
        END IF;

        -- A reading too far ahead of the server's time would drag every
        -- desk's clock into the future: hold it, and tell the desk.
        IF v_hlc IS DISTINCT FROM v_hlc_ok THEN
            v_wall := substr(v_hlc, 1, 24)::timestamptz;
            v_hlc_ok := v_hlc;
        END IF;
        IF v_wall > v_limit THEN
            INSERT INTO sync.quarantine AS q (op_id, site_id, op_seq, op, hlc, ahead)
            VALUES (v_id, p_site, v_seq, op, v_hlc, v_wall - now())
            ON CONFLICT (op_id) DO UPDATE SET last_seen = now(), attempts = q.attempts + 1, ahead = excluded.ahead;
            v_has_q := true;
            v_results := array_append(v_results, jsonb_build_object('op_id', v_id, 'status', 'quarantined', 'reason',
                format('its clock reading is %s ahead of the server''s time', date_trunc('second', v_wall - now()))));
            CONTINUE;
        END IF;
        IF v_has_q THEN
            DELETE FROM sync.quarantine WHERE op_id = v_id;
        END IF;

        v_lost := '[]';
        v_won := '{}';
        v_found := NULL;
        -- Most inserts are of rows the server has not got: one statement
        -- makes the row with its field clocks. A row the server has goes
        -- through the merge below.
        IF v_kind = 'insert' THEN
            INSERT INTO sync.rows (entity, row_id, data, field_hlc)
            SELECT v_entity, v_row_id, v_payload, coalesce(jsonb_object_agg(key, v_hlc), '{}')
            FROM jsonb_object_keys(v_payload) AS key
            ON CONFLICT (entity, row_id) DO NOTHING
            RETURNING data, field_hlc INTO v_row, v_fhlc;
            IF FOUND THEN
                v_found := false;
                v_del := NULL;
                v_won := v_payload;
            END IF;
        END IF;
        IF v_found IS NULL THEN
            SELECT * INTO v_cur FROM sync.rows WHERE entity = v_entity AND row_id = v_row_id FOR UPDATE;
            v_found := FOUND;

            IF v_kind = 'delete' THEN
                IF NOT v_found THEN
                    INSERT INTO sync.rows (entity, row_id, data, field_hlc, deleted_hlc, deleted_at)
                    VALUES (v_entity, v_row_id, '{}', '{}', v_hlc, now())
                    RETURNING data, field_hlc, deleted_hlc INTO v_row, v_fhlc, v_del;
                    v_won := '{"deleted": true}';
                ELSIF v_cur.deleted_hlc IS NULL OR v_cur.deleted_hlc < v_hlc THEN
                    UPDATE sync.rows SET deleted_hlc = v_hlc, deleted_at = now(), updated_at = now()
                    WHERE entity = v_entity AND row_id = v_row_id
                    RETURNING data, field_hlc, deleted_hlc INTO v_row, v_fhlc, v_del;
                    v_won := '{"deleted": true}';
                END IF;
            ELSIF v_mode = 'append' AND v_found THEN
                NULL; -- written once: a second insert of the same row changes nothing
            ELSIF v_found AND v_cur.deleted_hlc IS NOT NULL AND (v_kind = 'update' OR v_cur.deleted_hlc >= v_hlc) THEN
                -- The row was deleted by a newer (or, for an update, any)
                -- operation: the whole change lost.
                v_lost := jsonb_build_array(jsonb_build_object('field', '', 'value', v_payload,
                    'won_value', NULL, 'won_hlc', v_cur.deleted_hlc));
            ELSIF NOT v_found AND v_kind = 'update' THEN
                -- A change of a row the server has not got yet (its desk has
                -- not pushed it again since a restore): held, not decided,
                -- until it comes. The desk keeps it queued.
                v_results := array_append(v_results, jsonb_build_object('op_id', v_id, 'status', 'quarantined',
                    'reason', 'the record it changes has not reached the server yet'));
                CONTINUE;
            ELSIF NOT v_found OR v_cur.deleted_hlc IS NOT NULL THEN
                -- A new row, or one inserted again after its delete.
                SELECT v_payload, coalesce(jsonb_object_agg(key, v_hlc), '{}') INTO v_row, v_fhlc
                FROM jsonb_object_keys(v_payload) AS key;
                INSERT INTO sync.rows (entity, row_id, data, field_hlc) VALUES (v_entity, v_row_id, v_row, v_fhlc)
                ON CONFLICT (entity, row_id) DO UPDATE
                    SET data = excluded.data, field_hlc = excluded.field_hlc, deleted_hlc = NULL, deleted_at = NULL,
                        updated_at = now();
                v_del := NULL;
                v_won := v_payload;
            ELSE
                -- Per field: the fields that win, those that lose, and the
                -- field clocks with the winners' readings.
                SELECT coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.wins), '{}'),
                       coalesce(jsonb_agg(jsonb_build_object('field', e.key, 'value', e.value,
                           'won_value', v_cur.data->e.key, 'won_hlc', v_cur.field_hlc->>e.key)
                           ORDER BY e.key) FILTER (WHERE NOT e.wins AND e.key NOT IN ('created_at', 'updated_at')), '[]'),
                       v_cur.field_hlc || coalesce(jsonb_object_agg(e.key, v_hlc) FILTER (WHERE e.wins), '{}')
                INTO v_won, v_lost, v_fhlc
                FROM (SELECT p.key, p.value,
                             (v_cur.field_hlc->>p.key) IS NULL OR (v_cur.field_hlc->>p.key) COLLATE "C" <= v_hlc AS wins
                      FROM jsonb_each(v_payload) p) e;
                -- An appointment's status only moves forward (app.CanTransition):
                -- a change that would move it back loses, whatever its clock,
                -- and the status keeps its clock reading.
                IF v_entity = 'appointments' AND v_won ? 'status'
                    AND NOT sync.appointment_status_forward(v_cur.data->>'status', v_won->>'status') THEN
                    v_lost := v_lost || jsonb_build_array(jsonb_build_object('field', 'status', 'value', v_won->'status',
                        'won_value', v_cur.data->'status', 'won_hlc', v_cur.field_hlc->>'status'));
                    v_won := v_won - 'status';
                    v_fhlc := CASE WHEN v_cur.field_hlc ? 'status'
                        THEN v_fhlc || jsonb_build_object('status', v_cur.field_hlc->'status')
                        ELSE v_fhlc - 'status' END;
                END IF;
                IF v_won <> '{}' THEN
                    v_row := v_cur.data || v_won;
                    UPDATE sync.rows SET data = v_row, field_hlc = v_fhlc, updated_at = now()
                    WHERE entity = v_entity AND row_id = v_row_id;
                    v_del := NULL;
                END IF;
            END IF;
        END IF;

        -- A confirmed or checked-in appointment holds its doctor's time
        -- (sync.appointment_slots): a booking that overlaps one the server
        -- has already is not dropped, it becomes status 'conflict', for
        -- reception to sort out with both patients.
        IF v_entity = 'appointments' AND v_won <> '{}' AND v_kind <> 'delete'
            AND NOT sync.take_appointment_slot(v_row_id, v_row) THEN
            v_lost := v_lost || jsonb_build_array(jsonb_build_object('field', 'status', 'value', v_row->'status',
                'won_value', to_jsonb('conflict'::text), 'won_hlc', v_hlc));
            v_row := v_row || '{"status": "conflict"}';
            v_reason := 'the doctor''s time is held by another booking';
            v_set := '{"status": "conflict"}';
            v_fhlc := v_fhlc || jsonb_build_object('status', v_hlc);
            UPDATE sync.rows SET data = v_row, field_hlc = v_fhlc WHERE entity = v_entity AND row_id = v_row_id;
        ELSIF v_entity = 'appointments' AND v_won <> '{}' AND v_kind = 'delete' THEN
            DELETE FROM sync.appointment_slots WHERE row_id = v_row_id;
        END IF;
        IF v_won <> '{}' THEN
            v_log_seq := nextval(v_log);
            l_seq := array_append(l_seq, v_log_seq);
            l_entity := array_append(l_entity, v_entity);
            l_row_id := array_append(l_row_id, v_row_id);
            l_hlc := array_append(l_hlc, v_hlc::text);
            l_row := array_append(l_row, v_row);
            l_fhlc := array_append(l_fhlc, v_fhlc);
            l_del := array_append(l_del, v_del::text);
            l_set := array_append(l_set, v_set);
        END IF;
        IF v_lost = '[]' THEN
            v_result := jsonb_build_object('op_id', v_id, 'status', 'applied');
        ELSE
            v_result := jsonb_build_object('op_id', v_id, 'status', 'conflict',
                'reason', coalesce(v_reason, 'a newer change on the server won'), 'lost', v_lost);
        END IF;
        -- Where the change went in the log: the desk skips older changes
        -- of the row when it pulls, since this one's row holds them.
        IF v_log_seq IS NOT NULL THEN
            v_txid := coalesce(v_txid, pg_current_xact_id()::text);
            v_result := v_result || jsonb_build_object('log_txid', v_txid, 'log_seq', v_log_seq);
        END IF;
        a_id := array_append(a_id, v_id);
        a_seq := array_append(a_seq, v_seq);
        a_result := array_append(a_result, v_result);
        v_results := array_append(v_results, v_result);
    END LOOP;

    INSERT INTO sync.change_log (seq, entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc, server_set)
    SELECT c.seq, c.entity, c.row_id, p_site, c.hlc, c.row_snapshot, c.field_hlc, c.deleted_hlc, c.server_set
    FROM unnest(l_seq, l_entity, l_row_id, l_hlc, l_row, l_fhlc, l_del, l_set)
        AS c(seq, entity, row_id, hlc, row_snapshot, field_hlc, deleted_hlc, server_set);
    INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result)
    SELECT d.op_id, p_site, d.op_seq, d.result FROM unnest(a_id, a_seq, a_result) AS d(op_id, op_seq, result);

    -- Wake the desks that listen: there is something to pull.
    IF cardinality(l_seq) > 0 THEN
        PERFORM pg_notify('hms_sync', p_site::text);
    END IF;
    UPDATE sync.sites SET last_op_seq = greatest(last_op_seq, v_max_seq), last_push_at = now()
    WHERE site_id = p_site;
    RETURN to_jsonb(v_results);
END
$$;

-- The checks are push's, not the desks'.
REVOKE ALL ON FUNCTION sync.is_op_id(text), sync.is_desk_hlc(text, uuid) FROM PUBLIC;
