-- sync.push_as (0114's) with one change (issue #21): a desk's own value
-- that the desk's later edit overwrites without having seen it is kept for
-- review too, when that edit descends from a value of another desk made
-- after it.
--
-- A change that overwrites a value its base does not name is a conflict
-- (0012, 0025), except that a value made by the pushing desk itself was
-- always taken as seen: a desk's edits follow each other. They do not when
-- the desk's own value lost: desk B sets a price (b1), desk C sets another
-- a moment later (c1) that wins, and B, having taken c1, sets a third
-- (b2, base c1, ''). A server restored from a dump older than all three
-- takes them again in push order: b1, then b2 over it (B's own, so taken
-- as seen, nothing logged), then c1, which b2 saw. b1 lost to c1 the first
-- time, but on the restored server its loss is logged nowhere: a desk
-- that had not pulled the first server's entry before the restore (or
-- joins afterwards) kept no review item for it (simulation seeds 626 and
-- 715).
--
-- Now b2 makes b1 lose, named in its entry's "_lost" for every desk, when
-- b2's base names a reading of another desk later than b1's: b2 descends
-- from a value that came after b1 without passing through it, so b1 was
-- overwritten unseen (it lost to that value). A desk's edits made one
-- after another name each other (their lineage), so they raise nothing,
-- nor does an edit over the desk's own value that names only older
-- readings (a clock incident's re-dated edit, a row the desk uploaded).
-- The value that holds the field in the end is the one each desk's review
-- names.

CREATE FUNCTION sync.own_value_superseded(p_base jsonb, p_cur text, p_site uuid) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_typeof(p_base) = 'array' AND EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(p_base) r
        WHERE r <> '' AND r COLLATE "C" > p_cur COLLATE "C" AND substr(r, 31) <> p_site::text)
$$;
REVOKE ALL ON FUNCTION sync.own_value_superseded(jsonb, text, uuid) FROM PUBLIC;

CREATE OR REPLACE FUNCTION sync.push_as(p_site uuid, p_ops jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET enable_seqscan = off SET jit = off
    SET plan_cache_mode = force_generic_plan AS $$
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
    -- The line as its issued invoice holds it (issued_with), and the
    -- issue's reading; the issue's fields a change of an issued invoice
    -- lost.
    v_issued   jsonb;
    v_issued_hlc text;
    v_issue    jsonb;
    -- The field clocks of each new row made before the loop, by the
    -- operation's place (NULL for the others).
    v_new      jsonb[];
    v_any_over boolean;
    v_txid     text;
    v_log      regclass := pg_get_serial_sequence('sync.change_log', 'seq');
    v_reply    jsonb;
    -- The operations the loop decides, by place (the others are
    -- decided as a set before it), and for each place the place whose
    -- decision its result is (an operation sent twice in a batch has
    -- the first one's).
    v_todo     int[];
    v_src      int[];
    -- The first place from which the loop deletes an operation's
    -- quarantine (NULL: none).
    v_q_from   int;
    -- Decided as a set: the new rows made above (s_*; n_*, those logged),
    -- the edits that qualify (e_*), those the set decided (d_*; w_*,
    -- those logged).
    s_ord      int[];
    s_id       uuid[];
    s_seq      bigint[];
    n_ord      int[];
    n_entity   text[];
    n_row_id   text[];
    n_hlc      text[];
    n_payload  jsonb[];
    n_fhlc     jsonb[];
    e_ord      int[];
    e_id       uuid[];
    e_seq      bigint[];
    e_entity   text[];
    e_row_id   text[];
    e_hlc      text[];
    e_payload  jsonb[];
    e_base     jsonb[];
    e_made     boolean[];
    d_ord      int[];
    d_id       uuid[];
    d_seq      bigint[];
    w_ord      int[];
    w_entity   text[];
    w_row_id   text[];
    w_hlc      text[];
    w_row      jsonb[];
    w_fhlc     jsonb[];
    w_set      jsonb[];
    v_logged   int;
    -- What the batch decided (applied_ops, by place) and logged
    -- (change_log, by place: the log's numbers are given at the end, in
    -- the batch's order), written at the end.
    a_ord      int[] := '{}';
    a_id       uuid[] := '{}';
    a_seq      bigint[] := '{}';
    l_ord      int[] := '{}';
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
    IF v_has_q THEN
        v_q_from := 0;
    END IF;

    -- The operations in order, each with its id (NULL when it has no
    -- valid one), the result stored for it by an earlier push (if any),
    -- and the place of its id's previous appearance in this batch (if
    -- any). The site is locked: no other push of this
    -- desk stores results until this one commits.
    -- (The lookup is a subquery per operation so that it always probes
    -- the index: a join would be planned as a scan of all of applied_ops.)
    -- An id stored under another desk is refused: that desk's result is
    -- not this one's to read, and the operation is not this desk's to
    -- decide again (ids are UUIDv7, made by each desk).
    SELECT coalesce(array_agg(o.value), '{}'),
           coalesce(array_agg(o.id), '{}'),
           coalesce(array_agg(coalesce((SELECT a.result FROM sync.applied_ops a WHERE a.op_id = o.id AND a.site_id = p_site),
               CASE WHEN o.id IS NOT NULL AND EXISTS (SELECT 1 FROM sync.applied_ops a WHERE a.op_id = o.id AND a.site_id <> p_site)
                    THEN jsonb_build_object('op_id', o.id, 'status', 'rejected',
                        'reason', 'the operation''s id was used by another desk') END)), '{}'),
           coalesce(array_agg(o.prev), '{}')
    INTO v_ops, v_ids, v_stored, v_prev
    FROM (SELECT e.value, e.ord, e.id,
                 CASE WHEN e.id IS NOT NULL THEN lag(e.ord) OVER (PARTITION BY e.id ORDER BY e.ord) END::int AS prev
          FROM (SELECT x.value, x.ord,
                       CASE WHEN sync.is_op_id(x.value->>'id') THEN (x.value->>'id')::uuid END AS id
                FROM jsonb_array_elements(p_ops) WITH ORDINALITY AS x(value, ord)) e
          ORDER BY e.ord) o;

    -- The new rows of the batch in one statement: each insert that is the
    -- batch's first operation of its row and that the loop below would
    -- take (a valid id seen for the first time, a row of an entity the
    -- server syncs, a payload object, a clock reading of this desk not
    -- too far ahead), whose row the server has not got. No operation
    -- before it in the batch touches its row, so making it first changes
    -- nothing the loop decides; the loop takes its row and field clocks
    -- from here (v_new) instead of inserting it. An insert of a row the
    -- server has goes through the loop as before.
    --
    -- The same statement sorts the batch (see below, "decided as a set").
    -- (The batch's arrays are read side by side, by unnest, never by a
    -- subscript: in a statement's plan an array is a constant, and finding
    -- its n-th value of variable length reads all those before it.)
    WITH f AS (
        SELECT x.ord::int AS ord, x.op, x.id, x.stored, x.prev, x.op->>'entity' AS entity, x.op->>'row_id' AS row_id,
               x.op->'payload' AS payload, (x.op->>'hlc') COLLATE "C" AS hlc, x.op->>'kind' AS kind,
               row_number() OVER (PARTITION BY x.op->>'entity', x.op->>'row_id' ORDER BY x.ord) AS nth,
               count(*) OVER (PARTITION BY x.id) AS uses
        FROM unnest(v_ops, v_ids, v_stored, v_prev) WITH ORDINALITY AS x(op, id, stored, prev, ord)),
    c AS (
        SELECT f.ord, f.entity, f.row_id, f.payload, f.hlc FROM f
        -- (one CASE, so that the reading is read as a time only for an
        -- operation that passed every other test, as in the loop)
        WHERE CASE WHEN f.nth = 1 AND f.kind = 'insert' AND f.id IS NOT NULL AND f.stored IS NULL
                        AND f.prev IS NULL AND (v_modes->>f.entity) IS NOT NULL AND coalesce(f.row_id, '') <> ''
                        AND jsonb_typeof(f.payload) = 'object' AND coalesce(sync.is_desk_hlc(f.hlc, p_site), false)
                   THEN substr(f.hlc, 1, 24)::timestamptz <= v_limit ELSE false END),
    ins AS (
        INSERT INTO sync.rows (entity, row_id, data, field_hlc, created_hlc)
        SELECT c.entity, c.row_id, c.payload,
               (SELECT coalesce(jsonb_object_agg(k, c.hlc), '{}') FROM jsonb_object_keys(c.payload) AS k), c.hlc
        FROM c ORDER BY c.ord
        ON CONFLICT (entity, row_id) DO NOTHING
        RETURNING entity, row_id, field_hlc),
    -- Decided as a set (see below): a new row made here (not an
    -- appointment's, which may take a doctor's time), or an edit that
    -- passes every test of the loop.
    k AS (
        SELECT f.ord, f.id, f.entity, f.row_id, f.payload, f.hlc, f.op, ins.field_hlc AS made,
               CASE WHEN ins.field_hlc IS NOT NULL THEN
                        CASE WHEN f.entity <> 'appointments' THEN 'new' END
                    -- (one CASE, as above)
                    WHEN f.id IS NOT NULL AND f.stored IS NULL AND f.kind = 'update'
                         AND v_modes->>f.entity = 'editable' AND f.entity NOT IN ('appointments', 'invoices', 'invoice_lines')
                         AND coalesce(f.row_id, '') <> '' AND jsonb_typeof(f.payload) = 'object'
                         AND f.payload <> '{}' AND coalesce(sync.is_desk_hlc(f.hlc, p_site), false)
                    THEN CASE WHEN substr(f.hlc, 1, 24)::timestamptz <= v_limit THEN 'edit' END
               END AS class,
               -- Its number as the loop reads it (one the loop would fail
               -- to read is left to the loop).
               CASE WHEN jsonb_typeof(f.op->'seq') IS DISTINCT FROM 'number' THEN 0
                    WHEN scale((f.op->'seq')::numeric) = 0
                         AND (f.op->'seq')::numeric BETWEEN -9223372036854775808 AND 9223372036854775807
                    THEN (f.op->>'seq')::bigint END AS seq,
               f.uses
        FROM f
        LEFT JOIN c ON c.ord = f.ord
        LEFT JOIN ins ON ins.entity = c.entity AND ins.row_id = c.row_id),
    g AS (
        SELECT k.*,
               bool_and(k.class IS NOT NULL AND k.seq IS NOT NULL AND k.uses = 1) OVER w
                   AND count(*) FILTER (WHERE k.class = 'edit') OVER w <= 1 AS set_ok,
               bool_or(k.class = 'new') OVER w AS row_made
        FROM k WINDOW w AS (PARTITION BY k.entity, k.row_id))
    -- (Here and below, aggregates in the batch's order read a sorted
    -- subquery, one sort for all of them, where each ORDER BY inside an
    -- aggregate sorts its own input.)
    SELECT array_agg(g.made),
           array_agg(g.ord) FILTER (WHERE NOT g.set_ok),
           array_agg(CASE WHEN g.set_ok AND g.class = 'new' THEN jsonb_build_object('op_id', g.id, 'status', 'applied') END
                    ),
           greatest(v_max_seq, max(g.seq) FILTER (WHERE g.set_ok)),
           array_agg(g.ord) FILTER (WHERE g.set_ok AND g.class = 'new' AND g.payload <> '{}'),
           array_agg(g.entity) FILTER (WHERE g.set_ok AND g.class = 'new' AND g.payload <> '{}'),
           array_agg(g.row_id) FILTER (WHERE g.set_ok AND g.class = 'new' AND g.payload <> '{}'),
           array_agg(g.hlc::text) FILTER (WHERE g.set_ok AND g.class = 'new' AND g.payload <> '{}'),
           array_agg(g.payload) FILTER (WHERE g.set_ok AND g.class = 'new' AND g.payload <> '{}'),
           array_agg(g.made) FILTER (WHERE g.set_ok AND g.class = 'new' AND g.payload <> '{}'),
           array_agg(g.ord) FILTER (WHERE g.set_ok AND g.class = 'new'),
           array_agg(g.id) FILTER (WHERE g.set_ok AND g.class = 'new'),
           array_agg(g.seq) FILTER (WHERE g.set_ok AND g.class = 'new'),
           array_agg(g.ord) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.id) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.seq) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.entity) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.row_id) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.hlc::text) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.payload) FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(CASE WHEN jsonb_typeof(g.op->'base') = 'object' THEN g.op->'base' END)
               FILTER (WHERE g.set_ok AND g.class = 'edit'),
           array_agg(g.row_made) FILTER (WHERE g.set_ok AND g.class = 'edit')
    INTO v_new, v_todo, v_results, v_max_seq,
         n_ord, n_entity, n_row_id, n_hlc, n_payload, n_fhlc, s_ord, s_id, s_seq,
         e_ord, e_id, e_seq, e_entity, e_row_id, e_hlc, e_payload, e_base, e_made
    FROM (SELECT * FROM g ORDER BY g.ord) AS g;


    -- Most of a batch is decided as a set, without the loop below: the
    -- new rows made above (s_ord), and edits of other rows of records that
    -- merge field by field (not an appointment, whose status may yet lose
    -- or take a doctor's time, nor an invoice, which may be held), each
    -- the only edit of its row in the batch (e_ord). An operation goes to
    -- the loop instead (v_todo) when any operation of the batch naming its
    -- row does not qualify (a delete, a second edit, an insert of a row the
    -- server has, a refusal, a reading too far ahead, an id sent twice...),
    -- so that the loop and the set never touch the same row and their
    -- order decides nothing; and so does an edit whose merge loses or
    -- overwrites a value (the ordered lists, rarely), or whose row is
    -- missing or deleted. The log's numbers and the results' places stay
    -- in the batch's order: both are given at the end.
    IF e_ord IS NOT NULL THEN
        -- The rows the edits change, locked in the batch's order, as the
        -- loop locks them (those made above are this push's already).
        PERFORM 1 FROM unnest(e_entity, e_row_id, e_made) WITH ORDINALITY AS u(entity, row_id, made, n)
        JOIN sync.rows w ON w.entity = u.entity AND w.row_id = u.row_id
        WHERE NOT u.made
        ORDER BY u.n FOR UPDATE OF w;
        -- Each edit merged as the loop merges it (see there), and its row
        -- changed in the same statement; those that lose or overwrite a
        -- value, or find no row or a deleted one, are left to the loop.
        WITH r AS (
            SELECT u.ord, u.id, u.seq, w.entity, w.row_id, w.data, w.field_hlc, w.field_base, w.created_hlc,
                   u.payload, u.hlc COLLATE "C" AS hlc, u.base
            FROM unnest(e_ord, e_id, e_seq, e_entity, e_row_id, e_hlc, e_payload, e_base)
                AS u(ord, id, seq, entity, row_id, hlc, payload, base)
            JOIN sync.rows w ON w.entity = u.entity AND w.row_id = u.row_id
            WHERE w.deleted_hlc IS NULL),
        m AS (
            SELECT r.ord, r.id, r.seq, r.entity, r.row_id, r.hlc, r.data, a.won, a.fhlc, a.fbase
            FROM r CROSS JOIN LATERAL (
                SELECT coalesce(jsonb_object_agg(e.key, e.value) FILTER (WHERE e.wins), '{}') AS won,
                       r.field_hlc || coalesce(jsonb_object_agg(e.key, r.hlc) FILTER (WHERE e.wins), '{}') AS fhlc,
                       (r.field_base - coalesce(array_agg(e.key) FILTER (WHERE e.wins), '{}'))
                           || coalesce(jsonb_object_agg(e.key, e.base) FILTER (WHERE e.wins AND r.base ? e.key), '{}') AS fbase,
                       bool_or(NOT e.wins AND e.key NOT IN ('created_at', 'updated_at')
                               AND e.value IS DISTINCT FROM r.data->e.key
                               AND NOT coalesce(sync.edit_saw(e.cur_base, r.hlc, r.created_hlc), false)) AS any_lost,
                       bool_or(e.wins AND e.cur IS NOT NULL
                               AND e.key NOT IN ('created_at', 'updated_at')
                               AND e.value IS DISTINCT FROM r.data->e.key
                               AND (substr(e.cur, 31) <> p_site::text OR sync.own_value_superseded(e.base, e.cur, p_site))
                               AND e.base IS NOT NULL
                               AND NOT sync.edit_saw(e.base, e.cur, r.created_hlc)) AS any_over
                FROM (SELECT p.key, p.value, (r.field_hlc->>p.key) COLLATE "C" AS cur,
                             r.base->p.key AS base,
                             r.field_base->p.key AS cur_base,
                             (r.field_hlc->>p.key) IS NULL OR (r.field_hlc->>p.key) COLLATE "C" <= r.hlc AS wins
                      FROM jsonb_each(r.payload) p) e) a
            WHERE NOT coalesce(a.any_lost, false) AND NOT coalesce(a.any_over, false)),
        u AS (
            UPDATE sync.rows w SET data = m.data || m.won, field_hlc = m.fhlc, field_base = m.fbase, updated_at = now()
            FROM m WHERE w.entity = m.entity AND w.row_id = m.row_id AND m.won <> '{}')
        SELECT array_agg(m.ord), array_agg(m.id), array_agg(m.seq),
               array_agg(m.ord) FILTER (WHERE m.won <> '{}'),
               array_agg(m.entity) FILTER (WHERE m.won <> '{}'),
               array_agg(m.row_id) FILTER (WHERE m.won <> '{}'),
               array_agg(m.hlc::text) FILTER (WHERE m.won <> '{}'),
               array_agg(m.data || m.won) FILTER (WHERE m.won <> '{}'),
               array_agg(m.fhlc) FILTER (WHERE m.won <> '{}'),
               -- What each field's value saw (the loop's "_seen").
               array_agg(CASE WHEN jsonb_path_exists(m.fbase, 'strict $.* ? (@.type() == "array")')
                              THEN jsonb_build_object('_seen', m.fbase) ELSE '{}' END) FILTER (WHERE m.won <> '{}')
        INTO d_ord, d_id, d_seq, w_ord, w_entity, w_row_id, w_hlc, w_row, w_fhlc, w_set
        FROM (SELECT * FROM m ORDER BY m.ord) AS m;
        IF cardinality(e_ord) > coalesce(cardinality(d_ord), 0) THEN
            SELECT array_agg(t.ord ORDER BY t.ord) INTO v_todo
            FROM (SELECT unnest(v_todo) UNION ALL (SELECT unnest(e_ord) EXCEPT ALL SELECT unnest(d_ord))) AS t(ord);
        END IF;
        IF d_ord IS NOT NULL THEN
            SELECT array_agg(coalesce(x.res, jsonb_build_object('op_id', d.id, 'status', 'applied')) ORDER BY x.ord)
            INTO v_results
            FROM unnest(v_results) WITH ORDINALITY AS x(res, ord)
            LEFT JOIN unnest(d_ord, d_id) AS d(ord, id) ON d.ord = x.ord;
        END IF;
    END IF;
    v_todo := coalesce(v_todo, '{}');
    v_results := coalesce(v_results, '{}');
    v_src := ARRAY(SELECT generate_series(1, cardinality(v_ops)));

    FOREACH i IN ARRAY v_todo LOOP
        op := v_ops[i];
        v_result := NULL;
        v_reason := NULL;
        v_set := '{}';
        v_over := '[]';
        v_missed := '[]';
        v_fbase := NULL;
        v_id := v_ids[i];
        IF v_id IS NULL THEN
            v_results[i] := (jsonb_build_object('op_id', op->>'id', 'status', 'rejected',
                'reason', 'the operation has no valid id'));
            CONTINUE;
        END IF;
        IF v_stored[i] IS NOT NULL THEN
            v_results[i] := (v_stored[i]);
            CONTINUE;
        END IF;
        -- Decided earlier in this batch: the result is stored unless the
        -- operation was quarantined (held, not decided), and then it is
        -- tried again, as the lookup of applied_ops would have it.
        IF v_prev[i] IS NOT NULL AND v_results[v_prev[i]]->>'status' <> 'quarantined' THEN
            v_results[i] := v_results[v_prev[i]];
            v_src[i] := v_src[v_prev[i]];
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
            a_ord := array_append(a_ord, i);
            a_id := array_append(a_id, v_id);
            a_seq := array_append(a_seq, v_seq);
            v_results[i] := (v_result);
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
            ON CONFLICT (op_id) DO UPDATE SET last_seen = now(), attempts = q.attempts + 1, ahead = excluded.ahead
            WHERE q.site_id = p_site;
            IF NOT FOUND THEN
                -- Held for another desk under this id: not this desk's.
                v_results[i] := (jsonb_build_object('op_id', v_id, 'status', 'rejected',
                    'reason', 'the operation''s id was used by another desk'));
                CONTINUE;
            END IF;
            v_has_q := true;
            v_q_from := coalesce(v_q_from, i);
            v_results[i] := (jsonb_build_object('op_id', v_id, 'status', 'quarantined', 'reason',
                format('its clock reading is %s ahead of the server''s time', date_trunc('second', v_wall - now()))));
            CONTINUE;
        END IF;
        IF v_has_q THEN
            DELETE FROM sync.quarantine WHERE op_id = v_id AND site_id = p_site;
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

            -- A change or removal of a line its invoice was issued with
            -- (the invoice is not a draft, and its issued_with, desk
            -- migration 0183, holds the line): the issued invoice keeps
            -- the line as it was issued, here as on every desk.
            v_issued := NULL;
            IF v_entity = 'invoice_lines' AND v_kind <> 'insert' AND v_found AND v_cur.deleted_hlc IS NULL THEN
                SELECT i.data->'issued_with', coalesce(i.field_hlc->>'issued_with', i.created_hlc)
                INTO v_issued, v_issued_hlc
                FROM sync.rows i
                WHERE i.entity = 'invoices' AND i.row_id = v_cur.data->>'invoice_id' AND i.deleted_hlc IS NULL
                    AND coalesce(i.data->>'status', 'draft') <> 'draft';
                IF jsonb_typeof(v_issued) = 'string' THEN
                    BEGIN
                        v_issued := (v_issued #>> '{}')::jsonb;
                    EXCEPTION WHEN invalid_text_representation THEN
                        v_issued := NULL;
                    END;
                END IF;
                v_issued := CASE WHEN jsonb_typeof(v_issued) = 'object' THEN v_issued->v_row_id END;
                IF jsonb_typeof(v_issued) IS DISTINCT FROM 'object' OR v_issued_hlc IS NULL THEN
                    v_issued := NULL;
                END IF;
            END IF;

            IF v_issued IS NOT NULL AND v_kind = 'delete' THEN
                -- Its removal loses, whatever its clock: the row stays, and
                -- the entry of the row as it is tells every desk.
                v_lost := jsonb_build_array(jsonb_build_object('field', '', 'value', '{"deleted": true}'::jsonb,
                    'won_value', v_issued, 'won_hlc', v_issued_hlc, 'rule', 'issued_lines'));
                v_reason := 'the invoice was issued with the line as it was';
                SELECT jsonb_agg(l || jsonb_build_object('hlc', v_hlc::text)) INTO v_missed FROM jsonb_array_elements(v_lost) l;
                v_set := v_set || jsonb_build_object('_lost', v_missed);
                v_row := v_cur.data;
                v_fhlc := v_cur.field_hlc;
                v_del := NULL;
            ELSIF v_kind = 'delete' THEN
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
                v_results[i] := (jsonb_build_object('op_id', v_id, 'status', 'quarantined',
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
                v_results[i] := (jsonb_build_object('op_id', v_id, 'status', 'quarantined',
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
                -- An issued invoice's issue was decided by the first issue
                -- to reach the server: a change of its number, issue date or
                -- issued lines loses, whatever its clock (a second desk's
                -- issue of the draft made apart, or a forgery).
                v_issue := '[]';
                IF v_issued IS NOT NULL THEN
                    -- A change of a line its invoice was issued with (above):
                    -- each field it would set to another value than the
                    -- issued one loses, whatever its clock; the fields it
                    -- sets to the issued value merge as any change's do (a
                    -- change the issuing desk had taken before it issued
                    -- may still overwrite a value it had not seen, on a
                    -- server restored from a dump: what it overwrites is
                    -- kept for review on every desk).
                    SELECT coalesce(jsonb_agg(jsonb_build_object('field', p.key, 'value', p.value,
                               'won_value', v_issued->p.key, 'won_hlc', v_issued_hlc, 'rule', 'issued_lines') ORDER BY p.key), '[]')
                    INTO v_issue FROM jsonb_each(v_payload) p
                    WHERE v_issued ? p.key AND p.key NOT IN ('id', 'created_at', 'updated_at')
                        AND p.value IS DISTINCT FROM v_issued->p.key;
                    IF v_issue <> '[]' THEN
                        v_payload := v_payload - ARRAY(SELECT l->>'field' FROM jsonb_array_elements(v_issue) l);
                    END IF;
                ELSIF v_entity = 'invoices' AND coalesce(v_cur.data->>'status', 'draft') <> 'draft'
                    AND v_cur.data->>'number' IS NOT NULL
                    AND v_payload ?| ARRAY['number', 'issued_at', 'issued_lines', 'issued_with'] THEN
                    SELECT coalesce(jsonb_agg(jsonb_build_object('field', p.key, 'value', p.value,
                               'won_value', v_cur.data->p.key, 'won_hlc', coalesce(v_cur.field_hlc->>p.key, v_cur.created_hlc),
                               'rule', 'issue') ORDER BY p.key), '[]')
                    INTO v_issue FROM jsonb_each(v_payload) p
                    WHERE p.key IN ('number', 'issued_at', 'issued_lines', 'issued_with')
                        AND p.value IS DISTINCT FROM v_cur.data->p.key;
                    IF v_issue <> '[]' THEN
                        v_payload := v_payload - ARRAY(SELECT l->>'field' FROM jsonb_array_elements(v_issue) l);
                    END IF;
                END IF;
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
                                       AND (substr(e.cur, 31) <> p_site::text OR sync.own_value_superseded(e.base, e.cur, p_site))
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
                                   AND (substr(e.cur, 31) <> p_site::text OR sync.own_value_superseded(e.base, e.cur, p_site))
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
                                   AND (substr(e.cur, 31) <> p_site::text OR sync.own_value_superseded(e.base, e.cur, p_site))
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
                IF v_issue <> '[]' THEN
                    v_lost := v_lost || v_issue;
                    v_missed := v_missed || (SELECT jsonb_agg(l || jsonb_build_object('hlc', v_hlc::text))
                                             FROM jsonb_array_elements(v_issue) l);
                    v_reason := CASE WHEN v_issued IS NOT NULL THEN 'the invoice was issued with the line as it was'
                        ELSE 'the invoice was issued first on another desk: its number and issued lines hold' END;
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
                IF (v_won <> '{}' OR v_missed <> '[]') AND jsonb_path_exists(v_fbase, 'strict $.* ? (@.type() == "array")') THEN
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
            l_ord := array_append(l_ord, i);
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
        a_ord := array_append(a_ord, i);
        a_id := array_append(a_id, v_id);
        a_seq := array_append(a_seq, v_seq);
        v_results[i] := (v_result);
    END LOOP;

    -- An operation decided as a set that was held for its reading, and is
    -- sent again now, leaves the quarantine, as the loop does it.
    IF v_q_from IS NOT NULL THEN
        DELETE FROM sync.quarantine
        WHERE op_id IN (SELECT d.id FROM unnest(s_ord || d_ord, s_id || d_id) AS d(ord, id) WHERE d.ord > v_q_from)
            AND site_id = p_site;
    END IF;

    -- The log's entries numbered in the batch's order (the set's and the
    -- loop's), each result told where its change went in the log (the
    -- desk skips older changes of the row when it pulls, since this one's
    -- row holds them), and the decisions stored.
    WITH l AS (
        SELECT n.ord, n.entity, n.row_id, n.hlc, n.payload AS row_snapshot, n.fhlc AS field_hlc, NULL::text AS deleted_hlc,
               '{}'::jsonb AS server_set
        FROM unnest(n_ord, n_entity, n_row_id, n_hlc, n_payload, n_fhlc) AS n(ord, entity, row_id, hlc, payload, fhlc)
        UNION ALL
        SELECT w.ord, w.entity, w.row_id, w.hlc, w.snap, w.fhlc, NULL::text, w.sset
        FROM unnest(w_ord, w_entity, w_row_id, w_hlc, w_row, w_fhlc, w_set) AS w(ord, entity, row_id, hlc, snap, fhlc, sset)
        UNION ALL
        SELECT c.ord, c.entity, c.row_id, c.hlc, c.row_snapshot, c.field_hlc, c.deleted_hlc, c.server_set
        FROM unnest(l_ord, l_entity, l_row_id, l_hlc, l_row, l_fhlc, l_del, l_set)
            AS c(ord, entity, row_id, hlc, row_snapshot, field_hlc, deleted_hlc, server_set)),
    s AS MATERIALIZED (
        -- (numbered above the sort: one after the other, in order)
        SELECT o.ord, o.entity, o.row_id, o.hlc, o.row_snapshot, o.field_hlc, o.deleted_hlc, o.server_set,
               nextval(v_log) AS seq
        FROM (SELECT * FROM l ORDER BY l.ord) AS o),
    ins AS (
        INSERT INTO sync.change_log (seq, entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc, server_set)
        SELECT s.seq, s.entity, s.row_id, p_site, s.hlc, s.row_snapshot, s.field_hlc, s.deleted_hlc, s.server_set
        FROM s ORDER BY s.seq),
    r AS MATERIALIZED (
        SELECT x.ord, CASE WHEN s.seq IS NULL THEN x.res
                           ELSE x.res || jsonb_build_object('log_txid', pg_current_xact_id()::text, 'log_seq', s.seq) END AS res
        FROM unnest(v_results, v_src) WITH ORDINALITY AS x(res, src, ord)
        LEFT JOIN s ON s.ord = x.src),
    ap AS (
        INSERT INTO sync.applied_ops (op_id, site_id, op_seq, result)
        SELECT a.id, p_site, a.seq, r.res
        FROM unnest(a_ord || s_ord || d_ord, a_id || s_id || d_id, a_seq || s_seq || d_seq) AS a(ord, id, seq)
        JOIN r ON r.ord = a.ord
        ORDER BY a.ord)
    SELECT coalesce(to_jsonb(array_agg(r.res ORDER BY r.ord)), '[]'), (SELECT count(*) FROM s)
    INTO v_reply, v_logged
    FROM r;

    -- Wake the desks that listen: there is something to pull.
    IF v_logged > 0 THEN
        PERFORM pg_notify('hms_sync', p_site::text);
    END IF;
    UPDATE sync.sites SET last_op_seq = greatest(last_op_seq, v_max_seq), last_push_at = now()
    WHERE site_id = p_site;
    RETURN v_reply;
END
$$;
