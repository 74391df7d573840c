-- The server's side of sync (SYNC.md): the server's identity and schema
-- versions, the enrolled desks, the exactly-once record of every operation
-- pushed, the change log the desks pull from, the quarantine for clock
-- readings too far ahead, and the clinic's rows.
--
-- Desks never touch these tables: they call the SECURITY DEFINER functions
-- at the end of this file, which are all the role hms_desk may use.

CREATE SCHEMA IF NOT EXISTS sync;

-- One row: which server this is, and which schema it runs. The epoch is
-- new whenever the database is created from nothing, so a desk that sees
-- another epoch than the one it enrolled with knows the server was
-- replaced or restored. min_client_schema is the oldest server schema a
-- desk's hms may know and still talk to this one.
CREATE TABLE sync.meta (
    id                int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch             uuid NOT NULL DEFAULT gen_random_uuid(),
    schema_version    int NOT NULL,
    min_client_schema int NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sync.meta (schema_version, min_client_schema) VALUES (1, 1);

-- The enrolled desks. Enrollment gives each its code in number series (D1,
-- D2, …), once; last_op_seq is the highest outbox seq it has pushed.
CREATE TABLE sync.sites (
    site_id     uuid PRIMARY KEY,
    desk_code   text NOT NULL UNIQUE CHECK (desk_code ~ '^D[1-9][0-9]*$'),
    last_op_seq bigint NOT NULL DEFAULT 0,
    app_version text NOT NULL DEFAULT '',
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    last_push_at timestamptz
);

-- Every operation the server has decided, with the result it returned: a
-- push repeated after a lost reply, or delivered twice, gets the stored
-- result back and changes nothing. Keyed by op_id, not by (site, seq): a
-- desk restored from a backup reuses seqs.
CREATE TABLE sync.applied_ops (
    op_id      uuid PRIMARY KEY,
    site_id    uuid NOT NULL REFERENCES sync.sites,
    op_seq     bigint NOT NULL,
    result     jsonb NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- How each synced entity merges. 'editable': per field, the newer (HLC,
-- site) wins, for records people edit; inserts, updates and deletes.
-- 'append': rows that are written once and never change or go away
-- (notes, payments, events); a repeated insert changes nothing.
CREATE TABLE sync.entities (
    entity text PRIMARY KEY,
    mode   text NOT NULL CHECK (mode IN ('editable', 'append'))
);
INSERT INTO sync.entities (entity, mode) VALUES
    ('patients', 'editable'), ('patient_changes', 'editable'), ('patient_events', 'editable'),
    ('users', 'editable'), ('settings', 'editable'),
    ('allergies', 'editable'), ('problems', 'editable'), ('vitals', 'editable'),
    ('notes', 'append'), ('prescriptions', 'append'), ('prescription_items', 'append'),
    ('prescription_status_events', 'append'), ('assignments', 'editable'),
    ('reports', 'append'), ('report_files', 'append'),
    ('doctor_profiles', 'editable'), ('availability', 'editable'), ('availability_exceptions', 'editable'),
    ('appointments', 'editable'), ('appointment_events', 'append'),
    ('price_items', 'append'), ('invoices', 'editable'), ('invoice_lines', 'editable'),
    ('credit_notes', 'append'), ('payments', 'append'), ('payment_allocations', 'append'),
    ('receipts', 'append');

-- The clinic's rows, one per (entity, row_id): the current value of each
-- field (data) and the clock reading that set it (field_hlc). A hard delete
-- leaves a tombstone (deleted_hlc). Clock readings are sync.Timestamp's
-- text, which sorts in clock order byte by byte: every comparison of them
-- is COLLATE "C".
CREATE TABLE sync.rows (
    entity      text NOT NULL,
    row_id      text NOT NULL,
    data        jsonb NOT NULL,
    field_hlc   jsonb NOT NULL,
    deleted_hlc text COLLATE "C",
    deleted_at  timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, row_id)
);

-- Every change the server accepted, for the desks to pull: the row as it
-- stands after the change. Desks read it by (txid, seq), below the oldest
-- transaction still running, so a row committed late is never skipped.
CREATE TABLE sync.change_log (
    seq          bigserial PRIMARY KEY,
    txid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    entity       text NOT NULL,
    row_id       text NOT NULL,
    origin_site  uuid NOT NULL,
    hlc          text COLLATE "C" NOT NULL,
    row_snapshot jsonb NOT NULL,
    field_hlc    jsonb NOT NULL,
    deleted_hlc  text COLLATE "C"
);
CREATE INDEX change_log_cursor ON sync.change_log (txid, seq);

-- Operations whose clock reading was more than five minutes ahead of the
-- server's time: held here, never applied nor dropped. The desk keeps them
-- queued and pushes them again; once the server's time has caught up they
-- apply and leave this table.
CREATE TABLE sync.quarantine (
    op_id      uuid PRIMARY KEY,
    site_id    uuid NOT NULL REFERENCES sync.sites,
    op_seq     bigint NOT NULL,
    op         jsonb NOT NULL,
    hlc        text COLLATE "C" NOT NULL,
    ahead      interval NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    attempts   int NOT NULL DEFAULT 1
);
CREATE INDEX quarantine_site ON sync.quarantine (site_id);

-- What a desk needs before anything else: the server's identity, schema
-- versions and time (for the desk's clock offset).
CREATE FUNCTION sync.handshake(
    OUT epoch uuid, OUT schema_version int, OUT min_client_schema int, OUT server_time timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.epoch, m.schema_version, m.min_client_schema, clock_timestamp() FROM sync.meta m
$$;

-- Enrolls a desk and returns its code: the next free D-number, or the code
-- it already has (enrolling again is safe).
CREATE FUNCTION sync.enroll(p_site uuid, p_app_version text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_code text;
BEGIN
    -- Codes are handed out one enrollment at a time, with no gaps.
    LOCK TABLE sync.sites IN SHARE ROW EXCLUSIVE MODE;
    SELECT desk_code INTO v_code FROM sync.sites WHERE site_id = p_site;
    IF FOUND THEN
        UPDATE sync.sites SET app_version = p_app_version WHERE site_id = p_site;
        RETURN v_code;
    END IF;
    SELECT 'D' || (coalesce(max(substr(desk_code, 2)::int), 0) + 1) INTO v_code FROM sync.sites;
    INSERT INTO sync.sites (site_id, desk_code, app_version) VALUES (p_site, v_code, p_app_version);
    RETURN v_code;
END
$$;

-- Applies a batch of one desk's outbox operations, in order, and returns
-- one result per operation, in the same order:
--   {"op_id", "status": "applied" | "conflict" | "rejected" | "quarantined",
--    "reason", "lost": [{"field", "value", "won_value", "won_hlc"}]}
-- An operation already decided returns its stored result and changes
-- nothing. One bad operation is rejected with a reason and never stops the
-- others. An editable row merges per field: a field takes the operation's
-- value when its own clock reading is not newer; otherwise the operation's
-- value is reported lost ("conflict"), unless the field is a record's
-- created_at or updated_at, which merge the same way but are nobody's
-- edit to review (the desks keep no field clocks for them). Readings of one desk's transaction
-- are equal, and its operations come in order, so a later one of the same
-- transaction wins.
CREATE FUNCTION sync.push(p_site uuid, p_ops jsonb) RETURNS jsonb
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
            IF v_won <> '{}' THEN
                v_row := v_cur.data || v_won;
                SELECT v_cur.field_hlc || jsonb_object_agg(key, v_hlc) INTO v_fhlc FROM jsonb_object_keys(v_won) AS key;
                UPDATE sync.rows SET data = v_row, field_hlc = v_fhlc, updated_at = now()
                WHERE entity = v_entity AND row_id = v_row_id;
                v_del := NULL;
            END IF;
        END IF;

        IF v_won <> '{}' THEN
            INSERT INTO sync.change_log (entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc)
            VALUES (v_entity, v_row_id, p_site, v_hlc, v_row, v_fhlc, v_del);
        END IF;
        IF v_lost = '[]' THEN
            v_result := jsonb_build_object('op_id', v_id, 'status', 'applied');
        ELSE
            v_result := jsonb_build_object('op_id', v_id, 'status', 'conflict',
                'reason', 'a newer change on the server won', 'lost', v_lost);
        END IF;
        INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result) VALUES (v_id, p_site, v_seq, v_result);
        v_results := array_append(v_results, v_result);
    END LOOP;

    UPDATE sync.sites SET last_op_seq = greatest(last_op_seq, v_max_seq), last_push_at = now()
    WHERE site_id = p_site;
    RETURN to_jsonb(v_results);
END
$$;

-- The role desks connect as (through a login role granted it, see
-- README.md): the functions above, nothing else. It is created only if
-- missing, since roles belong to the whole PostgreSQL cluster.
DO $$
BEGIN
    CREATE ROLE hms_desk NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
REVOKE ALL ON SCHEMA sync FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sync FROM PUBLIC;
GRANT USAGE ON SCHEMA sync TO hms_desk;
GRANT EXECUTE ON FUNCTION sync.handshake(), sync.enroll(uuid, text), sync.push(uuid, jsonb) TO hms_desk;
