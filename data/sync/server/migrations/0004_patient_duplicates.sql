-- Patients registered twice (SYNC.md: "duplicate patients registered
-- offline: flagged on the server; merging keeps one record and points the
-- other to it").
--
-- A desk warns its receptionist when a new patient looks like one it
-- has; two desks apart from each other cannot. So the server compares each
-- patient's record as it was registered with those registered on other
-- desks: the same given name, family name and date of birth (case and
-- spacing ignored) flags the pair as a possible duplicate. The flag is a
-- row of patient_duplicates, logged like any change, so every desk pulls
-- it; a person decides on any desk (different people, or merge), and that
-- decision is an edit that syncs.
--
-- Only what never changes decides: the records as registered and the
-- desks that registered them (the desk code in the record number). So a
-- server restored from a dump, taking the desks' changes again in another
-- order, flags exactly the pairs it flagged before, with the same id and
-- the same content; a later rename, or an archive, changes nothing of it
-- (the desks list only the flags whose records are both still current).
--
-- Records of the same desk are not flagged: that desk warned when the
-- second was registered, and a person chose to go on.

INSERT INTO sync.entities (entity, mode) VALUES ('patient_duplicates', 'editable')
ON CONFLICT (entity) DO NOTHING;

-- What identifies a person for the flag: given name, family name and date
-- of birth, lower case, runs of spaces as one. NULL when the record lacks
-- a family name or a birth date, which are too little to go on.
CREATE FUNCTION sync.patient_identity(p jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN coalesce(p->>'birth_date', '') = '' OR btrim(coalesce(p->>'family_name', '')) = '' THEN NULL
        ELSE pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.btrim(coalesce(p->>'given_name', '')), '\s+', ' ', 'g'))
            || '|' || pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.btrim(p->>'family_name'), '\s+', ' ', 'g'))
            || '|' || (p->>'birth_date')
    END
$$;

-- Each patient as registered: its identity then, the desk that registered
-- it (P-D2-000001: D2) and when. Written once, from the record's first
-- entry in the change log, which holds it as its desk registered it.
CREATE TABLE sync.patient_registrations (
    row_id        text PRIMARY KEY,
    identity      text,
    desk          text NOT NULL,
    registered_at text NOT NULL
);
CREATE INDEX patient_registrations_identity ON sync.patient_registrations (identity) WHERE identity IS NOT NULL;
-- The records the server holds already: as they stand, the best it knows.
-- They are not compared with each other now, only with those to come.
INSERT INTO sync.patient_registrations (row_id, identity, desk, registered_at)
SELECT r.row_id, sync.patient_identity(r.data),
       coalesce(nullif(split_part(coalesce(r.data->>'mrn', ''), '-', 2), ''), right(r.field_hlc->>'id', 36), ''),
       coalesce(r.data->>'created_at', '')
FROM sync.rows r WHERE r.entity = 'patients'
ON CONFLICT (row_id) DO NOTHING;

-- Records a patient's registration the first time the change log takes
-- the record in, and flags the records of other desks registered as the
-- same person. A flag's id and content come from the pair alone: the
-- later registered record (by its id, a UUIDv7, which orders by time) is
-- patient_id, the other other_id, and it was detected when the later one
-- was registered. Its clock reading is the change's that caused it, so a
-- decision made on a desk since is newer and wins. It is logged after the
-- patient, in the same transaction, so a desk has both records when it
-- applies it.
CREATE FUNCTION sync.flag_patient_duplicates() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_key   text := sync.patient_identity(NEW.row_snapshot);
    -- the desk code of the record's number; failing one, the desk whose
    -- clock wrote its id
    v_desk  text := coalesce(nullif(split_part(coalesce(NEW.row_snapshot->>'mrn', ''), '-', 2), ''),
                             right(NEW.field_hlc->>'id', 36), '');
    v_at    text := coalesce(NEW.row_snapshot->>'created_at', '');
    v_other record;
    v_later text;
    v_first text;
    v_pair  text;
    v_id    text;
    v_row   jsonb;
    v_fhlc  jsonb;
BEGIN
    INSERT INTO sync.patient_registrations (row_id, identity, desk, registered_at)
    VALUES (NEW.row_id, v_key, v_desk, v_at)
    ON CONFLICT (row_id) DO NOTHING;
    IF NOT FOUND OR v_key IS NULL THEN
        RETURN NULL; -- registered before, or too little to compare
    END IF;
    FOR v_other IN
        SELECT g.row_id, g.registered_at FROM sync.patient_registrations g
        WHERE g.identity = v_key AND g.row_id <> NEW.row_id AND g.desk <> v_desk
        ORDER BY g.row_id
        LIMIT 10
    LOOP
        v_later := greatest(NEW.row_id, v_other.row_id);
        v_first := least(NEW.row_id, v_other.row_id);
        v_pair := md5('patient_duplicates ' || v_first || ' ' || v_later);
        v_id := substr(v_pair, 1, 8) || '-' || substr(v_pair, 9, 4) || '-' || substr(v_pair, 13, 4) || '-'
             || substr(v_pair, 17, 4) || '-' || substr(v_pair, 21, 12);
        v_row := jsonb_build_object('id', v_id, 'patient_id', v_later, 'other_id', v_first,
            'reason', 'same name and date of birth', 'detected_at', greatest(v_at, v_other.registered_at),
            'resolution', '', 'kept_id', '', 'resolved_at', NULL, 'resolved_by', '',
            'updated_at', greatest(v_at, v_other.registered_at));
        SELECT jsonb_object_agg(key, NEW.hlc) INTO v_fhlc FROM jsonb_object_keys(v_row) AS key;
        INSERT INTO sync.rows (entity, row_id, data, field_hlc) VALUES ('patient_duplicates', v_id, v_row, v_fhlc)
        ON CONFLICT (entity, row_id) DO NOTHING;
        IF FOUND THEN
            INSERT INTO sync.change_log (entity, row_id, origin_site, hlc, row_snapshot, field_hlc, deleted_hlc, server_set)
            VALUES ('patient_duplicates', v_id, NEW.origin_site, NEW.hlc, v_row, v_fhlc, NULL, v_row);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER change_log_patient_duplicates AFTER INSERT ON sync.change_log
FOR EACH ROW WHEN (NEW.entity = 'patients' AND NEW.deleted_hlc IS NULL)
EXECUTE FUNCTION sync.flag_patient_duplicates();
