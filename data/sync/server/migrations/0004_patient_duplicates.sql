-- Patients registered twice (SYNC.md: "duplicate patients registered
-- offline: flagged on the server; merging keeps one record and points the
-- other to it").
--
-- A desk warns its receptionist when a new patient looks like one it
-- has; two desks apart from each other cannot. So the server looks, each
-- time the change log takes in a patient whose name or birth date is new
-- (a registration, a corrected name, a record restored from the archive):
-- a record of another desk with the same given name, family name and date
-- of birth (case and spacing ignored), not archived, is flagged as a
-- possible duplicate. The flag is a row of patient_duplicates, logged like
-- any change, so every desk pulls it; a person decides on any desk
-- (different people, or merge), and that decision is an edit that syncs.
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

CREATE INDEX rows_patient_identity ON sync.rows (sync.patient_identity(data)) WHERE entity = 'patients';

-- The desk that registered a record: the site of the clock reading that
-- wrote its id.
CREATE FUNCTION sync.registered_by(p_field_hlc jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.right(p_field_hlc->>'id', 36)
$$;

-- Flags the records of other desks that look like the patient just
-- logged. The flag's id comes from the pair, so the same pair is flagged
-- once, whichever record arrives first and however often (a desk pushing
-- again to a server restored from a dump); its clock reading is the
-- change's that caused it, so a decision made on a desk since is newer
-- and wins. It is logged after the patient, in the same transaction, so a
-- desk has both records when it applies it.
CREATE FUNCTION sync.flag_patient_duplicates() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_key   text := sync.patient_identity(NEW.row_snapshot);
    v_site  text := sync.registered_by(NEW.field_hlc);
    v_other record;
    v_id    text;
    v_pair  text;
    v_now   text := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
    v_row   jsonb;
    v_fhlc  jsonb;
BEGIN
    IF v_key IS NULL OR NEW.row_snapshot->>'deleted_at' IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM jsonb_each_text(NEW.field_hlc) f
                   WHERE f.key IN ('id', 'given_name', 'family_name', 'birth_date', 'deleted_at')
                     AND f.value COLLATE "C" = NEW.hlc) THEN
        RETURN NULL; -- a change of the phone, the address…: nothing new to compare
    END IF;
    FOR v_other IN
        SELECT r.row_id FROM sync.rows r
        WHERE r.entity = 'patients' AND sync.patient_identity(r.data) = v_key AND r.row_id <> NEW.row_id
          AND r.deleted_hlc IS NULL AND r.data->>'deleted_at' IS NULL
          AND sync.registered_by(r.field_hlc) IS DISTINCT FROM v_site
        ORDER BY r.data->>'created_at', r.row_id
        LIMIT 10
    LOOP
        v_pair := md5('patient_duplicates ' || least(NEW.row_id, v_other.row_id) || ' ' || greatest(NEW.row_id, v_other.row_id));
        v_id := substr(v_pair, 1, 8) || '-' || substr(v_pair, 9, 4) || '-' || substr(v_pair, 13, 4) || '-'
             || substr(v_pair, 17, 4) || '-' || substr(v_pair, 21, 12);
        v_row := jsonb_build_object('id', v_id, 'patient_id', NEW.row_id, 'other_id', v_other.row_id,
            'reason', 'same name and date of birth', 'detected_at', v_now, 'resolution', '', 'kept_id', '',
            'resolved_at', NULL, 'resolved_by', '', 'updated_at', v_now);
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
