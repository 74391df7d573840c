-- Audit copies stay honest (docs/SYNC-DESIGN.md, "Audit copies").
--
-- The server keeps each desk's audit rows exactly as the desk sent them.
-- A row sent again as it was (a reply lost) changes nothing; a different
-- row for a (desk, generation, seq) the server holds already is refused:
-- kept aside in sync.audit_refused, never written over the first, and the
-- desk is told. A desk restored from an older backup numbers its audit rows
-- again from where the backup stopped; the first of them the server
-- refuses, and the desk goes on under a new generation, so both histories
-- stay, each a hash chain of its own.

ALTER TABLE sync.audit_log ADD COLUMN generation int NOT NULL DEFAULT 0;
ALTER TABLE sync.audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE sync.audit_log ADD PRIMARY KEY (site_id, generation, local_seq);

-- Rows refused because the server held another one at their place.
CREATE TABLE sync.audit_refused (
    id          bigserial PRIMARY KEY,
    site_id     uuid NOT NULL REFERENCES sync.sites,
    generation  int NOT NULL,
    local_seq   bigint NOT NULL,
    held_hash   text NOT NULL, -- the row the server keeps
    entry       jsonb NOT NULL, -- the one it refused
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_refused_site ON sync.audit_refused (site_id, generation, local_seq);

-- Stores a batch of the desk's audit rows of generation p_generation, each
-- once, and returns {"last": the highest seq of that generation the server
-- holds, "refused": [the seqs refused, lowest first]}. An empty batch only
-- asks.
CREATE FUNCTION sync.push_audit_gen_as(p_site uuid, p_generation int, p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_refused jsonb;
    v_first   bigint;
BEGIN
    IF jsonb_typeof(p_rows) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'the audit rows must be a JSON array' USING ERRCODE = '22023';
    END IF;
    IF p_generation IS NULL OR p_generation < 0 THEN
        RAISE EXCEPTION 'the audit generation must be 0 or more' USING ERRCODE = '22023';
    END IF;
    -- The rows sent where the server holds other ones: refused, kept
    -- aside. From the first of them on, nothing of the batch is taken in
    -- this generation (what follows belongs with it, in the next one).
    WITH refused AS (
        INSERT INTO sync.audit_refused (site_id, generation, local_seq, held_hash, entry)
        SELECT p_site, p_generation, a.local_seq, a.hash, r
        FROM jsonb_array_elements(p_rows) r
        JOIN sync.audit_log a ON a.site_id = p_site AND a.generation = p_generation AND a.local_seq = (r->>'seq')::bigint
        WHERE a.entry IS DISTINCT FROM r
        RETURNING local_seq
    )
    SELECT coalesce(jsonb_agg(local_seq ORDER BY local_seq), '[]'), min(local_seq) INTO v_refused, v_first FROM refused;
    INSERT INTO sync.audit_log (site_id, generation, local_seq, hash, prev_hash, entry)
    SELECT p_site, p_generation, (r->>'seq')::bigint, r->>'hash', r->>'prev_hash', r FROM jsonb_array_elements(p_rows) r
    WHERE v_first IS NULL OR (r->>'seq')::bigint < v_first
    ON CONFLICT (site_id, generation, local_seq) DO NOTHING;
    RETURN jsonb_build_object('last', coalesce((SELECT max(local_seq) FROM sync.audit_log
                                                WHERE site_id = p_site AND generation = p_generation), 0),
                              'refused', v_refused);
END
$$;

CREATE FUNCTION sync.push_audit(p_site uuid, p_generation int, p_rows jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN sync.push_audit_gen_as(p_site, p_generation, p_rows);
END
$$;

-- The call of desks before generations: generation 0, as honest.
CREATE OR REPLACE FUNCTION sync.push_audit_as(p_site uuid, p_rows jsonb) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT (sync.push_audit_gen_as(p_site, 0, p_rows)->>'last')::bigint
$$;

REVOKE ALL ON FUNCTION sync.push_audit_gen_as(uuid, int, jsonb), sync.push_audit(uuid, int, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.push_audit(uuid, int, jsonb) TO hms_desk;
