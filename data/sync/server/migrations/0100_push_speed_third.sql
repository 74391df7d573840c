-- Fewer statements per pushed operation (issue #13's benchmark: push at
-- most 10% slower than before the trust work).
--
-- Most of a push's server time is the executor starting each statement
-- of sync.push_as's loop (its plan's nodes, an aggregate's transition
-- steps), once per operation. Measured with BenchmarkPushAsCost
-- (data/sync/server/push_cost_test.go): 0074's function ran 3.0
-- statements per operation of BenchmarkSyncPush's mix (new settings and
-- an edit of each), as 7ceb6db's did, but its merge of an edit built six
-- aggregates, two of them ordered, where 7ceb6db's built three.
--
-- * A batch's new rows are made in one statement before the loop (an
--   insert that is the batch's first operation of its row and that the
--   loop would take, of a row the server has not got); the loop takes
--   their rows and field clocks from it. No earlier operation of the batch
--   touches such a row, so what the loop decides is unchanged.
-- * An edit of a record other than an appointment is merged and its row
--   changed in one statement (the row is locked by then, so the merge's
--   reading of it is what the update changes); an appointment's, whose
--   status may yet lose, as before.
-- * The merge of an edit builds the lists of the values that lost, which
--   must be in field order, only when it finds one (rarely): the common
--   merge builds four aggregates, none ordered.
--
-- With 0101, 1.0 statement per operation instead of 3.0. What the
-- function decides, logs and returns is unchanged
-- (TestPushDecidesAsBefore100 pushes the same random batches to schema
-- 93 and here and compares everything); it keeps 0074's settings
-- (sequential scans and JIT off; TestPushProbesByKey).

CREATE OR REPLACE FUNCTION sync.push_as(p_site uuid, p_ops jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET enable_seqscan = off SET jit = off AS $$
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
    -- The field clocks the desk held when it made the change (op.base),
    -- NULL when it sent none; the values of other desks the change
    -- overwrote without having seen them, and the values of this change
    -- that lost to ones that had not seen it: both kept for review on
    -- every desk (server_set's "_lost").
    v_base     jsonb;
    v_over     jsonb;
    v_missed   jsonb;
    v_fbase    jsonb;
    v_any_lost boolean;
    -- The field clocks of each new row made before the loop, by the
    -- operation's place (NULL for the others).
    v_new      jsonb[];
    v_any_over boolean;
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

    -- The new rows of the batch in one statement: each insert that is the
    -- batch's first operation of its row and that the loop below would
    -- take (a valid id seen for the first time, a row of an entity the
    -- server syncs, a payload object, a clock reading of this desk not
    -- too far ahead), whose row the server has not got. No operation
    -- before it in the batch touches its row, so making it first changes
    -- nothing the loop decides; the loop takes its row and field clocks
    -- from here (v_new) instead of inserting it. An insert of a row the
    -- server has goes through the loop as before.
    WITH f AS (
        SELECT x.ord::int AS ord, x.op->>'entity' AS entity, x.op->>'row_id' AS row_id, x.op->'payload' AS payload,
               (x.op->>'hlc') COLLATE "C" AS hlc, x.op->>'kind' AS kind,
               row_number() OVER (PARTITION BY x.op->>'entity', x.op->>'row_id' ORDER BY x.ord) AS nth
        FROM unnest(v_ops) WITH ORDINALITY AS x(op, ord)),
    c AS (
        SELECT f.ord, f.entity, f.row_id, f.payload, f.hlc FROM f
        -- (one CASE, so that the reading is read as a time only for an
        -- operation that passed every other test, as in the loop)
        WHERE CASE WHEN f.nth = 1 AND f.kind = 'insert' AND v_ids[f.ord] IS NOT NULL AND v_stored[f.ord] IS NULL
                        AND v_prev[f.ord] IS NULL AND (v_modes->>f.entity) IS NOT NULL AND coalesce(f.row_id, '') <> ''
                        AND jsonb_typeof(f.payload) = 'object' AND coalesce(sync.is_desk_hlc(f.hlc, p_site), false)
                   THEN substr(f.hlc, 1, 24)::timestamptz <= v_limit ELSE false END),
    ins AS (
        INSERT INTO sync.rows (entity, row_id, data, field_hlc, created_hlc)
        SELECT c.entity, c.row_id, c.payload,
               (SELECT coalesce(jsonb_object_agg(k, c.hlc), '{}') FROM jsonb_object_keys(c.payload) AS k), c.hlc
        FROM c ORDER BY c.ord
        ON CONFLICT (entity, row_id) DO NOTHING
        RETURNING entity, row_id, field_hlc)
    SELECT array_agg(ins.field_hlc ORDER BY o.ord) INTO v_new
    FROM generate_series(1, cardinality(v_ops)) AS o(ord)
    LEFT JOIN c ON c.ord = o.ord
    LEFT JOIN ins ON ins.entity = c.entity AND ins.row_id = c.row_id;

    FOR i IN 1 .. cardinality(v_ops) LOOP
        op := v_ops[i];
        v_result := NULL;
        v_reason := NULL;
        v_set := '{}';
        v_log_seq := NULL;
        v_over := '[]';
        v_missed := '[]';
        v_fbase := NULL;
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
        v_base := CASE WHEN jsonb_typeof(op->'base') = 'object' THEN op->'base' END;
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
        IF v_new[i] IS NOT NULL THEN
            -- Made above.
            v_row := v_payload;
            v_fhlc := v_new[i];
            v_found := false;
            v_del := NULL;
            v_won := v_payload;
        ELSIF v_kind = 'insert' THEN
            INSERT INTO sync.rows (entity, row_id, data, field_hlc, created_hlc)
            SELECT v_entity, v_row_id, v_payload, coalesce(jsonb_object_agg(key, v_hlc), '{}'), v_hlc
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
            ELSIF v_entity = 'invoices' AND v_kind = 'update' AND v_cur.deleted_hlc IS NULL
                AND v_cur.data->>'number' IS NULL AND v_payload->>'number' IS NULL
                AND coalesce(v_payload->>'status', 'draft') <> 'draft' THEN
                -- A payment or void of an invoice the server holds as a
                -- draft: its issue has not reached the server yet (the
                -- issuing desk has not pushed it again since a restore).
                -- Merged now, it would make an invoice no desk had (paid,
                -- without a number), which no desk can apply: held, not
                -- decided, until the issue comes. The desk keeps it queued.
                v_results := array_append(v_results, jsonb_build_object('op_id', v_id, 'status', 'quarantined',
                    'reason', 'the invoice it changes has not been issued on the server yet'));
                CONTINUE;
            ELSIF NOT v_found OR v_cur.deleted_hlc IS NOT NULL THEN
                -- A new row, or one inserted again after its delete.
                SELECT v_payload, coalesce(jsonb_object_agg(key, v_hlc), '{}') INTO v_row, v_fhlc
                FROM jsonb_object_keys(v_payload) AS key;
                INSERT INTO sync.rows (entity, row_id, data, field_hlc, created_hlc)
                VALUES (v_entity, v_row_id, v_row, v_fhlc, v_hlc)
                ON CONFLICT (entity, row_id) DO UPDATE
                    SET data = excluded.data, field_hlc = excluded.field_hlc, deleted_hlc = NULL, deleted_at = NULL,
                        created_hlc = excluded.created_hlc, field_base = '{}', updated_at = now();
                v_del := NULL;
                v_won := v_payload;
            ELSE
                -- Per field: the fields that win, those that lose, and the
                -- field clocks with the winners' readings.
                -- A value that loses is kept for review only when it lost to
                -- one made without seeing it (concurrently): the field's
                -- winner was made on a desk holding an older reading of the
                -- field (its base, sync.rows.field_base). One the winner saw
                -- lost to an edit made after it (a server restored from a
                -- dump takes edits again out of their first order), and an
                -- equal value lost nothing. Likewise a value this change
                -- overwrites is kept for review when its desk made it
                -- concurrently: the change's base is older. A desk that sends
                -- no base (an older version) is taken as having seen it.
                -- Other than an appointment's (whose status may yet
                -- lose, below), the row is changed in the same statement:
                -- it is locked, so v_cur is what the update changes.
                IF v_entity <> 'appointments' THEN
                    WITH m AS (
                        SELECT coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.wins), '{}') AS won,
                               v_cur.field_hlc || coalesce(jsonb_object_agg(e.key, v_hlc) FILTER (WHERE e.wins), '{}') AS fhlc,
                               -- The bases of the fields that won are this change's.
                               (v_cur.field_base - coalesce(array_agg(e.key) FILTER (WHERE e.wins), '{}'))
                                   || coalesce(jsonb_object_agg(e.key, e.base) FILTER (WHERE e.wins AND v_base ? e.key), '{}') AS fbase,
                               bool_or(NOT e.wins AND e.key NOT IN ('created_at', 'updated_at')
                                       AND e.value IS DISTINCT FROM v_cur.data->e.key
                                       AND NOT coalesce(sync.edit_saw(e.cur_base, v_hlc, v_cur.created_hlc), false)) AS any_lost,
                               bool_or(e.wins AND e.cur IS NOT NULL
                                       AND e.key NOT IN ('created_at', 'updated_at')
                                       AND e.value IS DISTINCT FROM v_cur.data->e.key
                                       AND substr(e.cur, 31) <> p_site::text
                                       AND e.base IS NOT NULL
                                       AND NOT sync.edit_saw(e.base, e.cur, v_cur.created_hlc)) AS any_over
                        FROM (SELECT p.key, p.value, (v_cur.field_hlc->>p.key) COLLATE "C" AS cur,
                                     v_base->p.key AS base,
                                     v_cur.field_base->p.key AS cur_base,
                                     (v_cur.field_hlc->>p.key) IS NULL OR (v_cur.field_hlc->>p.key) COLLATE "C" <= v_hlc AS wins
                              FROM jsonb_each(v_payload) p) e),
                    u AS (
                        UPDATE sync.rows r SET data = v_cur.data || m.won, field_hlc = m.fhlc, field_base = m.fbase,
                            updated_at = now()
                        FROM m WHERE r.entity = v_entity AND r.row_id = v_row_id AND m.won <> '{}')
                    SELECT m.won, m.fhlc, m.fbase, m.any_lost, m.any_over
                    INTO v_won, v_fhlc, v_fbase, v_any_lost, v_any_over FROM m;
                ELSE
                    SELECT coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.wins), '{}'),
                           v_cur.field_hlc || coalesce(jsonb_object_agg(e.key, v_hlc) FILTER (WHERE e.wins), '{}'),
                           -- The bases of the fields that won are this change's.
                           (v_cur.field_base - coalesce(array_agg(e.key) FILTER (WHERE e.wins), '{}'))
                               || coalesce(jsonb_object_agg(e.key, e.base) FILTER (WHERE e.wins AND v_base ? e.key), '{}'),
                           bool_or(NOT e.wins AND e.key NOT IN ('created_at', 'updated_at')
                                   AND e.value IS DISTINCT FROM v_cur.data->e.key
                                   AND NOT coalesce(sync.edit_saw(e.cur_base, v_hlc, v_cur.created_hlc), false)),
                           bool_or(e.wins AND e.cur IS NOT NULL
                                   AND e.key NOT IN ('created_at', 'updated_at')
                                   AND e.value IS DISTINCT FROM v_cur.data->e.key
                                   AND substr(e.cur, 31) <> p_site::text
                                   AND e.base IS NOT NULL
                                   AND NOT sync.edit_saw(e.base, e.cur, v_cur.created_hlc))
                    INTO v_won, v_fhlc, v_fbase, v_any_lost, v_any_over
                    FROM (SELECT p.key, p.value, (v_cur.field_hlc->>p.key) COLLATE "C" AS cur,
                                 v_base->p.key AS base,
                                 v_cur.field_base->p.key AS cur_base,
                                 (v_cur.field_hlc->>p.key) IS NULL OR (v_cur.field_hlc->>p.key) COLLATE "C" <= v_hlc AS wins
                          FROM jsonb_each(v_payload) p) e;
                END IF;
                -- The lists, in order, only when there is something in
                -- them (rarely): ordered aggregates cost a sort each.
                IF v_any_lost OR v_any_over THEN
                    SELECT coalesce(jsonb_agg(jsonb_build_object('field', e.key, 'value', e.value,
                               'won_value', v_cur.data->e.key, 'won_hlc', e.cur)
                               ORDER BY e.key) FILTER (WHERE NOT e.wins AND e.key NOT IN ('created_at', 'updated_at')
                                   AND e.value IS DISTINCT FROM v_cur.data->e.key
                                   AND NOT coalesce(sync.edit_saw(e.cur_base, v_hlc, v_cur.created_hlc), false)), '[]'),
                           coalesce(jsonb_agg(jsonb_build_object('field', e.key, 'value', v_cur.data->e.key, 'hlc', e.cur,
                               'won_value', e.value, 'won_hlc', v_hlc::text)
                               ORDER BY e.key) FILTER (WHERE e.wins AND e.cur IS NOT NULL
                                   AND e.key NOT IN ('created_at', 'updated_at')
                                   AND e.value IS DISTINCT FROM v_cur.data->e.key
                                   AND substr(e.cur, 31) <> p_site::text
                                   AND e.base IS NOT NULL
                                   AND NOT sync.edit_saw(e.base, e.cur, v_cur.created_hlc)), '[]')
                    INTO v_lost, v_over
                    FROM (SELECT p.key, p.value, (v_cur.field_hlc->>p.key) COLLATE "C" AS cur,
                                 v_base->p.key AS base,
                                 v_cur.field_base->p.key AS cur_base,
                                 (v_cur.field_hlc->>p.key) IS NULL OR (v_cur.field_hlc->>p.key) COLLATE "C" <= v_hlc AS wins
                          FROM jsonb_each(v_payload) p) e;
                END IF;
                -- What the clock decided against this change: every desk
                -- keeps it for review, as the desk that made it does.
                IF v_lost <> '[]' THEN
                    SELECT coalesce(jsonb_agg(jsonb_build_object('field', l->>'field', 'value', l->'value', 'hlc', v_hlc::text,
                               'won_value', l->'won_value', 'won_hlc', l->>'won_hlc')), '[]')
                    INTO v_missed FROM jsonb_array_elements(v_lost) l;
                END IF;
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
                    -- The status keeps its base too, and overwrote nothing.
                    v_fbase := CASE WHEN v_cur.field_base ? 'status'
                        THEN v_fbase || jsonb_build_object('status', v_cur.field_base->'status')
                        ELSE v_fbase - 'status' END;
                    SELECT coalesce(jsonb_agg(o), '[]') INTO v_over FROM jsonb_array_elements(v_over) o WHERE v_won ? (o->>'field');
                END IF;
                IF v_won <> '{}' THEN
                    v_row := v_cur.data || v_won;
                    IF v_entity = 'appointments' THEN -- (the others' are changed above)
                        UPDATE sync.rows SET data = v_row, field_hlc = v_fhlc, field_base = v_fbase, updated_at = now()
                        WHERE entity = v_entity AND row_id = v_row_id;
                    END IF;
                    v_del := NULL;
                ELSIF v_missed <> '[]' THEN
                    -- Nothing of it won: an entry of the row as it is tells
                    -- every desk what lost.
                    v_row := v_cur.data;
                    v_fhlc := v_cur.field_hlc;
                    v_del := v_cur.deleted_hlc;
                END IF;
                IF v_over <> '[]' OR v_missed <> '[]' THEN
                    v_set := v_set || jsonb_build_object('_lost', v_over || v_missed);
                END IF;
                -- What each field's value saw, for the desks to send as the
                -- base of their next edit of it.
                IF v_won <> '{}' AND jsonb_path_exists(v_fbase, 'strict $.* ? (@.type() == "array")') THEN
                    v_set := v_set || jsonb_build_object('_seen', v_fbase);
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
            v_set := v_set || '{"status": "conflict"}';
            v_fhlc := v_fhlc || jsonb_build_object('status', v_hlc);
            UPDATE sync.rows SET data = v_row, field_hlc = v_fhlc WHERE entity = v_entity AND row_id = v_row_id;
        ELSIF v_entity = 'appointments' AND v_won <> '{}' AND v_kind = 'delete' THEN
            DELETE FROM sync.appointment_slots WHERE row_id = v_row_id;
        END IF;
        IF v_won <> '{}' OR v_set ? '_lost' THEN
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
