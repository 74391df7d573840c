-- Pull, and the rules the server keeps for appointments (SYNC.md).
--
-- sync.pull hands a desk the change log after its cursor, in (txid, seq)
-- order and only below the oldest transaction still running, so that a
-- change committed late (a lower txid that commits after a higher one) is
-- never skipped: it is simply not handed out until everything before it
-- has committed or aborted.
--
-- sync.push now keeps two rules for appointments: the status only moves
-- forward (a change that would move it back loses, and the desk keeps it
-- for review), and a confirmed or checked-in appointment holds its
-- doctor's time, by the exclusion constraint of sync.appointment_slots: a
-- booking that overlaps one the server already holds becomes status
-- 'conflict' instead, never dropped. And it notifies the channel hms_sync
-- when it logged a change, so listening desks pull at once.

-- The fields of a logged change that the server set itself rather than
-- take from the operation (a booking that lost its time becomes
-- 'conflict'): the desk that made the change skips the rest of its own
-- changes when it pulls, since it has them already, but not these.
ALTER TABLE sync.change_log ADD COLUMN server_set jsonb NOT NULL DEFAULT '{}';

-- btree_gist lets one exclusion constraint compare the doctor with = and
-- the times with &&. It is a trusted extension: the database's owner may
-- create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The time each confirmed or checked-in appointment holds.
CREATE TABLE sync.appointment_slots (
    row_id    text PRIMARY KEY,
    doctor_id text NOT NULL,
    during    tstzrange NOT NULL,
    EXCLUDE USING gist (doctor_id WITH =, during WITH &&)
);
INSERT INTO sync.appointment_slots (row_id, doctor_id, during)
SELECT DISTINCT ON (r.row_id) r.row_id, r.data->>'doctor_id',
       tstzrange((r.data->>'start_at')::timestamptz, (r.data->>'end_at')::timestamptz)
FROM sync.rows r
WHERE r.entity = 'appointments' AND r.deleted_hlc IS NULL AND r.data->>'status' IN ('confirmed', 'checked_in')
ON CONFLICT DO NOTHING;

-- Whether an appointment may move from one status to another: the same
-- moves as app.CanTransition and the desks' trigger.
CREATE FUNCTION sync.appointment_status_forward(p_from text, p_to text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT p_from IS NOT DISTINCT FROM p_to OR p_from IS NULL
        OR (p_from = 'pending' AND p_to IN ('confirmed', 'cancelled', 'conflict'))
        OR (p_from = 'confirmed' AND p_to IN ('checked_in', 'cancelled', 'no_show', 'conflict'))
        OR (p_from = 'checked_in' AND p_to IN ('completed', 'cancelled', 'conflict'))
        OR (p_from = 'conflict' AND p_to = 'cancelled')
$$;

-- Makes the slots follow an appointment's row: a confirmed or checked-in
-- one holds its doctor's time, any other holds none. Returns false, and
-- changes nothing, when the time is held by another appointment.
CREATE FUNCTION sync.take_appointment_slot(p_row_id text, p_row jsonb) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_row->>'status' IN ('confirmed', 'checked_in') AND p_row->>'deleted_at' IS NULL THEN
        -- One booking of a doctor at a time: two overlapping inserts would
        -- each wait for the other's in the exclusion constraint (a
        -- deadlock), where one after the other the second simply loses.
        PERFORM pg_advisory_xact_lock(hashtext('hms appointment slots ' || (p_row->>'doctor_id')));
        INSERT INTO sync.appointment_slots (row_id, doctor_id, during)
        VALUES (p_row_id, p_row->>'doctor_id',
                tstzrange((p_row->>'start_at')::timestamptz, (p_row->>'end_at')::timestamptz))
        ON CONFLICT (row_id) DO UPDATE SET doctor_id = excluded.doctor_id, during = excluded.during;
    ELSE
        DELETE FROM sync.appointment_slots WHERE row_id = p_row_id;
    END IF;
    RETURN true;
EXCEPTION WHEN exclusion_violation THEN
    RETURN false;
END
$$;

CREATE OR REPLACE FUNCTION sync.push(p_site uuid, p_ops jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_modes    jsonb;
    v_results  jsonb[] := '{}';
    v_has_q    boolean;
    v_max_seq  bigint := 0;
    v_limit    timestamptz := now() + interval '5 minutes';
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
    v_result   jsonb;
    v_cur      sync.rows%ROWTYPE;
    v_found    boolean;
    v_won      jsonb;
    v_lost     jsonb;
    v_row      jsonb;
    v_fhlc     jsonb;
    v_del      text COLLATE "C";
    v_logged   boolean := false;
    v_reason   text;
    v_set      jsonb;
    v_log_seq  bigint;
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

    FOR op IN SELECT value FROM jsonb_array_elements(p_ops) LOOP
        v_result := NULL;
        v_reason := NULL;
        v_set := '{}';
        v_log_seq := NULL;
        IF coalesce(op->>'id', '') !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
            v_results := array_append(v_results, jsonb_build_object('op_id', op->>'id', 'status', 'rejected',
                'reason', 'the operation has no valid id'));
            CONTINUE;
        END IF;
        v_id := (op->>'id')::uuid;
        SELECT result INTO v_result FROM sync.applied_ops WHERE op_id = v_id;
        IF FOUND THEN
            v_results := array_append(v_results, v_result);
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
        ELSIF v_hlc IS NULL OR v_hlc !~ ('^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z-[0-9A-F]{4}-' || p_site::text || '$') THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason',
                format('%L is not a clock reading of this desk', coalesce(v_hlc, '')));
        ELSIF v_mode = 'append' AND v_kind <> 'insert' THEN
            v_result := jsonb_build_object('status', 'rejected', 'reason',
                format('%s rows are never changed nor deleted', v_entity));
        END IF;
        IF v_result IS NOT NULL THEN
            v_result := jsonb_build_object('op_id', v_id) || v_result;
            INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result) VALUES (v_id, p_site, v_seq, v_result);
            v_results := array_append(v_results, v_result);
            CONTINUE;
        END IF;

        -- A reading too far ahead of the server's time would drag every
        -- desk's clock into the future: hold it, and tell the desk.
        v_wall := substr(v_hlc, 1, 24)::timestamptz;
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

        SELECT * INTO v_cur FROM sync.rows WHERE entity = v_entity AND row_id = v_row_id FOR UPDATE;
        v_found := FOUND;
        v_lost := '[]';
        v_won := '{}';

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
            -- A change of a row the server has not got yet (its desk has not
            -- pushed it again since a restore): held, not decided, until it
            -- comes. The desk keeps it queued.
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
            SELECT coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.wins), '{}'),
                   coalesce(jsonb_agg(jsonb_build_object('field', e.key, 'value', e.value,
                       'won_value', v_cur.data->e.key, 'won_hlc', v_cur.field_hlc->>e.key)
                       ORDER BY e.key) FILTER (WHERE NOT e.wins AND e.key NOT IN ('created_at', 'updated_at')), '[]')
            INTO v_won, v_lost
            FROM (SELECT p.key, p.value,
                         (v_cur.field_hlc->>p.key) IS NULL OR (v_cur.field_hlc->>p.key) COLLATE "C" <= v_hlc AS wins
                  FROM jsonb_each(v_payload) p) e;
            -- An appointment's status only moves forward (app.CanTransition):
            -- a change that would move it back loses, whatever its clock.
            IF v_entity = 'appointments' AND v_won ? 'status'
                AND NOT sync.appointment_status_forward(v_cur.data->>'status', v_won->>'status') THEN
                v_lost := v_lost || jsonb_build_array(jsonb_build_object('field', 'status', 'value', v_won->'status',
                    'won_value', v_cur.data->'status', 'won_hlc', v_cur.field_hlc->>'status'));
                v_won := v_won - 'status';
            END IF;
            IF v_won <> '{}' THEN
                v_row := v_cur.data || v_won;
                SELECT v_cur.field_hlc || jsonb_object_agg(key, v_hlc) INTO v_fhlc FROM jsonb_object_keys(v_won) AS key;
                UPDATE sync.rows SET data = v_row, field_hlc = v_fhlc, updated_at = now()
                WHERE entity = v_entity AND row_id = v_row_id;
                v_del := NULL;
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
            v_logged := true;
            INSERT INTO sync.change_log (entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc, server_set)
            VALUES (v_entity, v_row_id, p_site, v_hlc, v_row, v_fhlc, v_del, v_set)
            RETURNING seq INTO v_log_seq;
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
            v_result := v_result || jsonb_build_object('log_txid', pg_current_xact_id()::text, 'log_seq', v_log_seq);
        END IF;
        INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result) VALUES (v_id, p_site, v_seq, v_result);
        v_results := array_append(v_results, v_result);
    END LOOP;

    -- Wake the desks that listen: there is something to pull.
    IF v_logged THEN
        PERFORM pg_notify('hms_sync', p_site::text);
    END IF;
    UPDATE sync.sites SET last_op_seq = greatest(last_op_seq, v_max_seq), last_push_at = now()
    WHERE site_id = p_site;
    RETURN to_jsonb(v_results);
END
$$;

-- The changes after the desk's cursor (p_txid, p_seq), oldest first, at
-- most p_limit: only those of transactions below the oldest one still
-- running, which have all committed or aborted, so none is ever skipped.
CREATE FUNCTION sync.pull(p_site uuid, p_txid xid8, p_seq bigint, p_limit int)
RETURNS TABLE (txid xid8, seq bigint, entity text, row_id text, origin_site uuid, hlc text,
               row_snapshot jsonb, field_hlc jsonb, deleted_hlc text, server_set jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM sync.sites s WHERE s.site_id = p_site;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'desk % is not enrolled on this server', p_site USING ERRCODE = 'HM001';
    END IF;
    RETURN QUERY
    SELECT c.txid, c.seq, c.entity, c.row_id, c.origin_site, c.hlc::text, c.row_snapshot, c.field_hlc,
           c.deleted_hlc::text, c.server_set
    FROM sync.change_log c
    WHERE (c.txid, c.seq) > (p_txid, p_seq) AND c.txid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY c.txid, c.seq
    LIMIT least(greatest(p_limit, 1), 10000);
END
$$;

-- Where the server stands for one desk: the last operation of it the
-- server holds and the end of the change log. A desk that has pushed or
-- pulled beyond them is talking to a server restored from an older dump.
CREATE FUNCTION sync.site_state(p_site uuid, OUT last_op_seq bigint, OUT log_txid xid8, OUT log_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT (SELECT s.last_op_seq FROM sync.sites s WHERE s.site_id = p_site),
           coalesce((SELECT c.txid FROM sync.change_log c ORDER BY c.txid DESC, c.seq DESC LIMIT 1), '0'::xid8),
           coalesce((SELECT c.seq FROM sync.change_log c ORDER BY c.txid DESC, c.seq DESC LIMIT 1), 0)
$$;

-- Enrolls a desk that asks for the code it numbered with before: a desk
-- rejoining a server that replaced the one it enrolled with keeps its
-- series when no other desk has taken the code. Otherwise as sync.enroll.
CREATE FUNCTION sync.enroll(p_site uuid, p_app_version text, p_code text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_code text;
BEGIN
    LOCK TABLE sync.sites IN SHARE ROW EXCLUSIVE MODE;
    SELECT desk_code INTO v_code FROM sync.sites WHERE site_id = p_site;
    IF FOUND THEN
        UPDATE sync.sites SET app_version = p_app_version WHERE site_id = p_site;
        RETURN v_code;
    END IF;
    IF coalesce(p_code, '') ~ '^D[1-9][0-9]*$' AND NOT EXISTS (SELECT 1 FROM sync.sites WHERE desk_code = p_code) THEN
        v_code := p_code;
    ELSE
        SELECT 'D' || (coalesce(max(substr(desk_code, 2)::int), 0) + 1) INTO v_code FROM sync.sites;
    END IF;
    INSERT INTO sync.sites (site_id, desk_code, app_version) VALUES (p_site, v_code, p_app_version);
    RETURN v_code;
END
$$;

-- Every desk's audit log, as the desk wrote it (SYNC.md: append-only,
-- unique (site_id, local_seq), each desk's rows a hash chain the desk
-- keeps): one place to read who did what on any desk, and a copy that
-- outlives a desk's disk.
CREATE TABLE sync.audit_log (
    site_id     uuid NOT NULL REFERENCES sync.sites,
    local_seq   bigint NOT NULL,
    hash        text NOT NULL,
    prev_hash   text NOT NULL,
    entry       jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, local_seq)
);

-- Stores a batch of a desk's audit rows (each with its seq, hash and
-- prev_hash), once, and returns the highest seq of the desk's the server
-- holds. An empty batch only asks.
CREATE FUNCTION sync.push_audit(p_site uuid, p_rows jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM 1 FROM sync.sites WHERE site_id = p_site;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'desk % is not enrolled on this server', p_site USING ERRCODE = 'HM001';
    END IF;
    IF jsonb_typeof(p_rows) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'the audit rows must be a JSON array' USING ERRCODE = '22023';
    END IF;
    INSERT INTO sync.audit_log (site_id, local_seq, hash, prev_hash, entry)
    SELECT p_site, (r->>'seq')::bigint, r->>'hash', r->>'prev_hash', r FROM jsonb_array_elements(p_rows) r
    ON CONFLICT (site_id, local_seq) DO NOTHING;
    RETURN coalesce((SELECT max(local_seq) FROM sync.audit_log WHERE site_id = p_site), 0);
END
$$;

-- Whether the server holds what a desk knows it had: the desk's last
-- acknowledged operation, and the change at the desk's pull cursor. A
-- server restored from an older dump lacks one or both, even when later
-- pushes have moved its counters past them.
CREATE FUNCTION sync.holds(p_site uuid, p_op_id uuid, p_txid xid8, p_seq bigint,
    OUT has_op boolean, OUT has_cursor boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT p_op_id IS NULL OR EXISTS (SELECT 1 FROM sync.applied_ops a WHERE a.op_id = p_op_id AND a.site_id = p_site),
           p_seq = 0 OR EXISTS (SELECT 1 FROM sync.change_log c WHERE c.txid = p_txid AND c.seq = p_seq)
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sync FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.handshake(), sync.enroll(uuid, text), sync.enroll(uuid, text, text), sync.push(uuid, jsonb),
    sync.pull(uuid, xid8, bigint, int), sync.site_state(uuid), sync.push_audit(uuid, jsonb),
    sync.holds(uuid, uuid, xid8, bigint) TO hms_desk;
