-- The sync server's schema (PostgreSQL) as migrations 0001 to 0124 leave it:
-- generated from a freshly initialized database (hms server init) by
-- TestSchema, from the catalogs of PostgreSQL 15. Do not edit; the
-- migrations (data/sync/server/migrations) are the source. Refresh it with
--   HMS_TEST_PG=postgres://… go test -tags sqlite_fts5 -run TestSchema ./data/sync/server/ -update
-- Function bodies are as PostgreSQL keeps them; grants name the roles
-- other than the owner.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE ROLE hms_desk NOLOGIN;
CREATE SCHEMA sync;
GRANT USAGE ON SCHEMA sync TO hms_desk;

CREATE SEQUENCE sync.audit_refused_id_seq AS bigint;
CREATE SEQUENCE sync.change_log_seq_seq AS bigint;

-- sync.applied_ops

CREATE TABLE sync.applied_ops (
    op_id uuid NOT NULL,
    site_id uuid NOT NULL,
    op_seq bigint NOT NULL,
    result jsonb NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT applied_ops_pkey PRIMARY KEY (op_id)
);
CREATE INDEX applied_ops_age ON sync.applied_ops USING btree (applied_at);

-- sync.appointment_slots

CREATE TABLE sync.appointment_slots (
    row_id text NOT NULL,
    doctor_id text NOT NULL,
    during tstzrange NOT NULL,
    CONSTRAINT appointment_slots_pkey PRIMARY KEY (row_id),
    CONSTRAINT appointment_slots_doctor_id_during_excl EXCLUDE USING gist (doctor_id WITH =, during WITH &&)
);

-- sync.audit_log

CREATE TABLE sync.audit_log (
    site_id uuid NOT NULL,
    local_seq bigint NOT NULL,
    hash text NOT NULL,
    prev_hash text NOT NULL,
    entry jsonb NOT NULL,
    received_at timestamp with time zone NOT NULL DEFAULT now(),
    generation integer NOT NULL DEFAULT 0,
    CONSTRAINT audit_log_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT audit_log_pkey PRIMARY KEY (site_id, generation, local_seq)
);

-- sync.audit_refused

CREATE TABLE sync.audit_refused (
    id bigint NOT NULL DEFAULT nextval('sync.audit_refused_id_seq'::regclass),
    site_id uuid NOT NULL,
    generation integer NOT NULL,
    local_seq bigint NOT NULL,
    held_hash text NOT NULL,
    entry jsonb NOT NULL,
    received_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT audit_refused_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT audit_refused_pkey PRIMARY KEY (id)
);
CREATE INDEX audit_refused_site ON sync.audit_refused USING btree (site_id, generation, local_seq);

-- sync.billing_claims

CREATE TABLE sync.billing_claims (
    claim_id text NOT NULL,
    invoice_id text NOT NULL,
    site_id uuid NOT NULL,
    action text NOT NULL,
    claimed_by text NOT NULL,
    claimed_at timestamp with time zone NOT NULL DEFAULT now(),
    refund_id text,
    spent_at timestamp with time zone,
    CONSTRAINT billing_claims_action_check CHECK (action = ANY (ARRAY['refund'::text, 'allocate'::text])),
    CONSTRAINT billing_claims_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT billing_claims_pkey PRIMARY KEY (claim_id)
);

-- sync.cashup_claims

CREATE TABLE sync.cashup_claims (
    cashup_id text NOT NULL,
    site_id uuid NOT NULL,
    claimed_by text NOT NULL,
    claimed_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT cashup_claims_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT cashup_claims_pkey PRIMARY KEY (cashup_id)
);

-- sync.change_log

CREATE TABLE sync.change_log (
    seq bigint NOT NULL DEFAULT nextval('sync.change_log_seq_seq'::regclass),
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    entity text NOT NULL,
    row_id text NOT NULL,
    origin_site uuid NOT NULL,
    hlc text COLLATE "C" NOT NULL,
    row_snapshot jsonb NOT NULL,
    field_hlc jsonb NOT NULL,
    deleted_hlc text COLLATE "C",
    server_set jsonb NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT change_log_pkey PRIMARY KEY (seq)
);
CREATE INDEX change_log_cursor ON sync.change_log USING btree (txid, seq);
CREATE INDEX change_log_row ON sync.change_log USING btree (entity, row_id, txid);
CREATE TRIGGER change_log_lock_order AFTER INSERT ON sync.change_log REFERENCING NEW TABLE AS logged FOR EACH STATEMENT EXECUTE FUNCTION sync.log_in_lock_order();
CREATE TRIGGER change_log_patient_duplicates AFTER INSERT ON sync.change_log FOR EACH ROW WHEN (new.entity = 'patients'::text AND new.deleted_hlc IS NULL) EXECUTE FUNCTION sync.flag_patient_duplicates();

-- sync.desk_logins

CREATE TABLE sync.desk_logins (
    login text NOT NULL,
    site_id uuid,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    bound_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT desk_logins_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT desk_logins_pkey PRIMARY KEY (login),
    CONSTRAINT desk_logins_site_id_key UNIQUE (site_id)
);

-- sync.entities

CREATE TABLE sync.entities (
    entity text NOT NULL,
    mode text NOT NULL,
    CONSTRAINT entities_mode_check CHECK (mode = ANY (ARRAY['editable'::text, 'append'::text])),
    CONSTRAINT entities_pkey PRIMARY KEY (entity)
);

-- sync.meta

CREATE TABLE sync.meta (
    id integer NOT NULL DEFAULT 1,
    epoch uuid NOT NULL DEFAULT gen_random_uuid(),
    schema_version integer NOT NULL,
    min_client_schema integer NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    pruned_txid xid8 NOT NULL DEFAULT '0'::xid8,
    pruned_seq bigint NOT NULL DEFAULT 0,
    CONSTRAINT meta_id_check CHECK (id = 1),
    CONSTRAINT meta_pkey PRIMARY KEY (id)
);

-- sync.patient_registrations

CREATE TABLE sync.patient_registrations (
    row_id text NOT NULL,
    identity text,
    desk text NOT NULL,
    registered_at text NOT NULL,
    CONSTRAINT patient_registrations_pkey PRIMARY KEY (row_id)
);
CREATE INDEX patient_registrations_identity ON sync.patient_registrations USING btree (identity) WHERE (identity IS NOT NULL);

-- sync.quarantine

CREATE TABLE sync.quarantine (
    op_id uuid NOT NULL,
    site_id uuid NOT NULL,
    op_seq bigint NOT NULL,
    op jsonb NOT NULL,
    hlc text COLLATE "C" NOT NULL,
    ahead interval NOT NULL,
    first_seen timestamp with time zone NOT NULL DEFAULT now(),
    last_seen timestamp with time zone NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 1,
    CONSTRAINT quarantine_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT quarantine_pkey PRIMARY KEY (op_id)
);
CREATE INDEX quarantine_site ON sync.quarantine USING btree (site_id);

-- sync.rows

CREATE TABLE sync.rows (
    entity text NOT NULL,
    row_id text NOT NULL,
    data jsonb NOT NULL,
    field_hlc jsonb NOT NULL,
    deleted_hlc text COLLATE "C",
    deleted_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL DEFAULT now(),
    field_base jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_hlc text COLLATE "C",
    CONSTRAINT rows_pkey PRIMARY KEY (entity, row_id)
);
CREATE INDEX rows_payment_reversal ON sync.rows USING btree (((data ->> 'reversal_of'::text))) WHERE ((entity = 'payments'::text) AND ((data ->> 'reversal_of'::text) IS NOT NULL));

-- sync.schema_migrations

CREATE TABLE sync.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT schema_migrations_pkey PRIMARY KEY (version)
);

-- sync.send_lease

CREATE TABLE sync.send_lease (
    id integer NOT NULL,
    site_id uuid NOT NULL,
    taken_at timestamp with time zone NOT NULL DEFAULT now(),
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT send_lease_id_check CHECK (id = 1),
    CONSTRAINT send_lease_site_id_fkey FOREIGN KEY (site_id) REFERENCES sync.sites(site_id),
    CONSTRAINT send_lease_pkey PRIMARY KEY (id)
);

-- sync.sites

CREATE TABLE sync.sites (
    site_id uuid NOT NULL,
    desk_code text NOT NULL,
    last_op_seq bigint NOT NULL DEFAULT 0,
    app_version text NOT NULL DEFAULT ''::text,
    enrolled_at timestamp with time zone NOT NULL DEFAULT now(),
    last_push_at timestamp with time zone,
    pulled_txid xid8 NOT NULL DEFAULT '0'::xid8,
    pulled_seq bigint NOT NULL DEFAULT 0,
    pulled_at timestamp with time zone,
    version_at timestamp with time zone,
    CONSTRAINT sites_desk_code_check CHECK (desk_code ~ '^D[1-9][0-9]*$'::text),
    CONSTRAINT sites_pkey PRIMARY KEY (site_id),
    CONSTRAINT sites_desk_code_key UNIQUE (desk_code)
);
CREATE TRIGGER sites_keep_applied_ops BEFORE DELETE OR UPDATE OF site_id ON sync.sites FOR EACH ROW EXECUTE FUNCTION sync.sites_keep_applied_ops();

-- sync.trust_root

CREATE TABLE sync.trust_root (
    id integer NOT NULL,
    root jsonb NOT NULL,
    fingerprint text NOT NULL,
    set_by uuid NOT NULL,
    set_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT trust_root_id_check CHECK (id = 1),
    CONSTRAINT trust_root_set_by_fkey FOREIGN KEY (set_by) REFERENCES sync.sites(site_id),
    CONSTRAINT trust_root_pkey PRIMARY KEY (id)
);

-- sync.appointment_status_forward(text,text)

CREATE OR REPLACE FUNCTION sync.appointment_status_forward(p_from text, p_to text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT p_from IS NOT DISTINCT FROM p_to OR p_from IS NULL
        OR (p_from = 'pending' AND p_to IN ('confirmed', 'cancelled', 'conflict'))
        OR (p_from = 'confirmed' AND p_to IN ('checked_in', 'cancelled', 'no_show', 'conflict'))
        OR (p_from = 'checked_in' AND p_to IN ('completed', 'cancelled', 'conflict'))
        OR (p_from = 'conflict' AND p_to = 'cancelled')
$function$;

-- sync.check_site(uuid)

CREATE OR REPLACE FUNCTION sync.check_site(p_site uuid)
 RETURNS void
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    v_site uuid := sync.session_site();
BEGIN
    IF v_site IS NULL THEN
        RAISE EXCEPTION 'the login % has not enrolled a desk yet', session_user USING ERRCODE = 'HM001';
    END IF;
    IF p_site IS DISTINCT FROM v_site THEN
        RAISE EXCEPTION 'the login % is desk %, it may not act as desk %', session_user, v_site, p_site
            USING ERRCODE = 'HM004';
    END IF;
END
$function$;

-- sync.claim_billing(uuid,text,text,text,text)

CREATE OR REPLACE FUNCTION sync.claim_billing(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text, OUT site_id uuid, OUT action text, OUT claimed_by text)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT c.site_id, c.action, c.claimed_by INTO site_id, action, claimed_by
    FROM sync.claim_billing_as(p_site, p_claim, p_invoice, p_action, p_by) c;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.claim_billing(uuid,text,text,text,text) TO hms_desk;

-- sync.claim_billing_as(uuid,text,text,text,text)

CREATE OR REPLACE FUNCTION sync.claim_billing_as(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text, OUT site_id uuid, OUT action text, OUT claimed_by text)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    IF coalesce(p_claim, '') = '' OR length(p_claim) > 200 OR coalesce(p_invoice, '') = '' THEN
        RAISE EXCEPTION 'a claim names an overpayment and its invoice' USING ERRCODE = '22023';
    END IF;
    IF p_action IS NULL OR p_action NOT IN ('refund', 'allocate') THEN
        RAISE EXCEPTION 'unknown way to settle an overpayment: %', coalesce(p_action, '') USING ERRCODE = '22023';
    END IF;
    INSERT INTO sync.billing_claims (claim_id, invoice_id, site_id, action, claimed_by)
    VALUES (p_claim, p_invoice, p_site, p_action, left(coalesce(p_by, ''), 200))
    ON CONFLICT (claim_id) DO NOTHING;
    SELECT c.site_id, c.action, c.claimed_by INTO site_id, action, claimed_by
    FROM sync.billing_claims c WHERE c.claim_id = p_claim;
END
$function$;

-- sync.claim_billing_seen(uuid,text,text,text,text,text,text[],text[])

CREATE OR REPLACE FUNCTION sync.claim_billing_seen(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text, p_refund text, p_payments text[], p_seen text[], OUT site_id uuid, OUT desk_code text, OUT action text, OUT claimed_by text, OUT spent boolean)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT c.site_id, c.desk_code, c.action, c.claimed_by, c.spent INTO site_id, desk_code, action, claimed_by, spent
    FROM sync.claim_billing_seen_as(p_site, p_claim, p_invoice, p_action, p_by, p_refund, p_payments, p_seen) c;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.claim_billing_seen(uuid,text,text,text,text,text,text[],text[]) TO hms_desk;

-- sync.claim_billing_seen_as(uuid,text,text,text,text,text,text[],text[])

CREATE OR REPLACE FUNCTION sync.claim_billing_seen_as(p_site uuid, p_claim text, p_invoice text, p_action text, p_by text, p_refund text, p_payments text[], p_seen text[], OUT site_id uuid, OUT desk_code text, OUT action text, OUT claimed_by text, OUT spent boolean)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    v_claim sync.billing_claims;
    v_held boolean;
    v_refund text;
    v_origin uuid;
    v_cashier text;
BEGIN
    IF coalesce(p_claim, '') = '' OR length(p_claim) > 200 OR coalesce(p_invoice, '') = '' THEN
        RAISE EXCEPTION 'a claim names an overpayment and its invoice' USING ERRCODE = '22023';
    END IF;
    IF p_action IS NULL OR p_action NOT IN ('refund', 'allocate') THEN
        RAISE EXCEPTION 'unknown way to settle an overpayment: %', coalesce(p_action, '') USING ERRCODE = '22023';
    END IF;
    IF coalesce(p_refund, '') = '' OR length(p_refund) > 200
        OR coalesce(cardinality(p_payments), 0) > 1000 OR coalesce(cardinality(p_seen), 0) > 1000 THEN
        RAISE EXCEPTION 'a claim names the refund it writes and at most 1000 payments and refunds' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v_claim FROM sync.billing_claims c WHERE c.claim_id = p_claim FOR UPDATE;
    v_held := FOUND;
    IF v_held AND v_claim.site_id <> p_site AND v_claim.refund_id = ANY (coalesce(p_seen, '{}')) THEN
        -- The holder's refund is on the claiming desk: what it sees
        -- overpaid now is a new overpayment under the same name.
        DELETE FROM sync.billing_claims c WHERE c.claim_id = p_claim;
        v_held := false;
    END IF;
    IF NOT v_held THEN
        -- A refund of the invoice's payments the server holds and the
        -- claiming desk does not: the claim was lost (a restore), or
        -- the refund is of another payment than the claim names.
        -- Its desk is the one its clock reading names (created_hlc ends
        -- with the site).
        SELECT r.row_id, s.site_id, coalesce(r.data->>'cashier_name', '')
        INTO v_refund, v_origin, v_cashier
        FROM sync.rows r JOIN sync.sites s ON s.site_id::text = substr(r.created_hlc, 31)
        WHERE r.entity = 'payments' AND r.data->>'reversal_of' = ANY (coalesce(p_payments, '{}'))
            AND r.deleted_hlc IS NULL AND NOT r.row_id = ANY (coalesce(p_seen, '{}')) AND s.site_id <> p_site
        ORDER BY r.row_id LIMIT 1;
        IF v_refund IS NOT NULL THEN
            INSERT INTO sync.billing_claims (claim_id, invoice_id, site_id, action, claimed_by, refund_id, spent_at)
            VALUES (p_claim, p_invoice, v_origin, 'refund', left(v_cashier, 200), v_refund, now())
            ON CONFLICT (claim_id) DO NOTHING; -- another desk claimed it meanwhile: the first wins
        ELSE
            INSERT INTO sync.billing_claims (claim_id, invoice_id, site_id, action, claimed_by, refund_id)
            VALUES (p_claim, p_invoice, p_site, p_action, left(coalesce(p_by, ''), 200), p_refund)
            ON CONFLICT (claim_id) DO NOTHING;
        END IF;
    ELSIF v_claim.site_id = p_site THEN
        -- Claimed again by its holder (a lost reply, a crash before
        -- writing; or overpaid again under the name of a claim it spent):
        -- the refund it writes now, not written yet.
        UPDATE sync.billing_claims c SET action = p_action, claimed_by = left(coalesce(p_by, ''), 200), refund_id = p_refund,
            spent_at = CASE WHEN c.refund_id = p_refund THEN c.spent_at END
        WHERE c.claim_id = p_claim;
    END IF;
    SELECT c.site_id, s.desk_code, c.action, c.claimed_by,
        c.spent_at IS NOT NULL OR EXISTS (SELECT 1 FROM sync.rows r WHERE r.entity = 'payments' AND r.row_id = c.refund_id)
    INTO site_id, desk_code, action, claimed_by, spent
    FROM sync.billing_claims c JOIN sync.sites s ON s.site_id = c.site_id WHERE c.claim_id = p_claim;
END
$function$;

-- sync.claim_cashup(uuid,text,text)

CREATE OR REPLACE FUNCTION sync.claim_cashup(p_site uuid, p_cashup text, p_by text, OUT site_id uuid, OUT claimed_by text, OUT claimed_at timestamp with time zone)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT c.site_id, c.claimed_by, c.claimed_at INTO site_id, claimed_by, claimed_at
    FROM sync.claim_cashup_as(p_site, p_cashup, p_by) c;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.claim_cashup(uuid,text,text) TO hms_desk;

-- sync.claim_cashup_as(uuid,text,text)

CREATE OR REPLACE FUNCTION sync.claim_cashup_as(p_site uuid, p_cashup text, p_by text, OUT site_id uuid, OUT claimed_by text, OUT claimed_at timestamp with time zone)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    IF coalesce(p_cashup, '') = '' OR length(p_cashup) > 200 THEN
        RAISE EXCEPTION 'a claim names a cash-up' USING ERRCODE = '22023';
    END IF;
    INSERT INTO sync.cashup_claims (cashup_id, site_id, claimed_by)
    VALUES (p_cashup, p_site, left(coalesce(p_by, ''), 200))
    ON CONFLICT (cashup_id) DO NOTHING;
    SELECT c.site_id, c.claimed_by, c.claimed_at INTO site_id, claimed_by, claimed_at
    FROM sync.cashup_claims c WHERE c.cashup_id = p_cashup;
END
$function$;

-- sync.desk_versions()

CREATE OR REPLACE FUNCTION sync.desk_versions()
 RETURNS TABLE(desk_code text, app_version text, version_at timestamp with time zone, last_seen timestamp with time zone, revoked boolean)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    IF sync.session_site() IS NULL THEN
        RAISE EXCEPTION 'the login % has not enrolled a desk yet', session_user USING ERRCODE = 'HM001';
    END IF;
    RETURN QUERY
        SELECT s.desk_code, s.app_version, coalesce(s.version_at, s.enrolled_at),
            greatest(s.last_push_at, s.pulled_at, s.enrolled_at),
            EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = s.site_id AND l.revoked_at IS NOT NULL)
        FROM sync.sites s
        ORDER BY substr(s.desk_code, 2)::int;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.desk_versions() TO hms_desk;

-- sync.edit_saw(jsonb,text,text)

CREATE OR REPLACE FUNCTION sync.edit_saw(p_base jsonb, p_reading text, p_created text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT CASE
        WHEN p_base IS NULL OR p_reading IS NULL THEN NULL
        WHEN jsonb_typeof(p_base) = 'string' THEN
            CASE WHEN p_base #>> '{}' = '' THEN p_created IS NULL OR p_reading = p_created
                 ELSE (p_base #>> '{}') COLLATE "C" >= p_reading COLLATE "C" END
        WHEN jsonb_typeof(p_base) <> 'array' OR jsonb_array_length(p_base) = 0 THEN false
        ELSE EXISTS (SELECT 1 FROM jsonb_array_elements_text(p_base) r
                     WHERE r = p_reading OR (r = '' AND (p_created IS NULL OR p_reading = p_created)))
             OR (p_base->>-1 <> '' AND (p_base->>-1) COLLATE "C" >= p_reading COLLATE "C")
    END
$function$;

-- sync.enroll(uuid,text)

CREATE OR REPLACE FUNCTION sync.enroll(p_site uuid, p_app_version text)
 RETURNS text
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT sync.enroll(p_site, p_app_version, NULL)
$function$;
GRANT EXECUTE ON FUNCTION sync.enroll(uuid,text) TO hms_desk;

-- sync.enroll(uuid,text,text)

CREATE OR REPLACE FUNCTION sync.enroll(p_site uuid, p_app_version text, p_code text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    v_bound uuid;
    v_code  text;
BEGIN
    -- Codes are handed out one enrollment at a time, with no gaps.
    LOCK TABLE sync.sites IN SHARE ROW EXCLUSIVE MODE;
    v_bound := sync.session_site();
    IF v_bound IS NOT NULL AND v_bound IS DISTINCT FROM p_site THEN
        RAISE EXCEPTION 'the login % enrolled desk % already, it may not enroll desk %', session_user, v_bound, p_site
            USING ERRCODE = 'HM004';
    END IF;
    IF v_bound IS NULL AND EXISTS (SELECT 1 FROM sync.desk_logins l WHERE l.site_id = p_site) THEN
        RAISE EXCEPTION 'desk % belongs to another login', p_site USING ERRCODE = 'HM004';
    END IF;
    SELECT s.desk_code INTO v_code FROM sync.sites s WHERE s.site_id = p_site;
    IF FOUND THEN
        UPDATE sync.sites SET app_version = p_app_version WHERE site_id = p_site;
    ELSE
        IF coalesce(p_code, '') ~ '^D[1-9][0-9]*$' AND NOT EXISTS (SELECT 1 FROM sync.sites WHERE desk_code = p_code) THEN
            v_code := p_code;
        ELSE
            SELECT 'D' || (coalesce(max(substr(desk_code, 2)::int), 0) + 1) INTO v_code FROM sync.sites;
        END IF;
        INSERT INTO sync.sites (site_id, desk_code, app_version) VALUES (p_site, v_code, p_app_version);
    END IF;
    IF v_bound IS NULL THEN
        UPDATE sync.desk_logins SET site_id = p_site, bound_at = now() WHERE login = session_user;
    END IF;
    RETURN v_code;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.enroll(uuid,text,text) TO hms_desk;

-- sync.flag_patient_duplicates()

CREATE OR REPLACE FUNCTION sync.flag_patient_duplicates()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

-- sync.handshake()

CREATE OR REPLACE FUNCTION sync.handshake(OUT epoch uuid, OUT schema_version integer, OUT min_client_schema integer, OUT server_time timestamp with time zone)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT m.epoch, m.schema_version, m.min_client_schema, clock_timestamp() FROM sync.meta m
$function$;
GRANT EXECUTE ON FUNCTION sync.handshake() TO hms_desk;

-- sync.holds(uuid,uuid,xid8,bigint)

CREATE OR REPLACE FUNCTION sync.holds(p_site uuid, p_op_id uuid, p_txid xid8, p_seq bigint, OUT has_op boolean, OUT has_cursor boolean)
 RETURNS record
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT h.has_op, h.has_cursor INTO has_op, has_cursor FROM sync.holds_as(p_site, p_op_id, p_txid, p_seq) h;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.holds(uuid,uuid,xid8,bigint) TO hms_desk;

-- sync.holds_as(uuid,uuid,xid8,bigint)

CREATE OR REPLACE FUNCTION sync.holds_as(p_site uuid, p_op_id uuid, p_txid xid8, p_seq bigint, OUT has_op boolean, OUT has_cursor boolean)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT p_op_id IS NULL OR EXISTS (SELECT 1 FROM sync.applied_ops a WHERE a.op_id = p_op_id AND a.site_id = p_site),
           p_seq = 0 OR EXISTS (SELECT 1 FROM sync.change_log c WHERE c.txid = p_txid AND c.seq = p_seq)
$function$;

-- sync.is_desk_hlc(text,uuid)

CREATE OR REPLACE FUNCTION sync.is_desk_hlc(s text, p_site uuid)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT translate(left(s, 24), '0123456789', '0000000000') = '0000-00-00T00:00:00.000Z'
        AND substr(s, 6, 2) COLLATE "C" BETWEEN '01' AND '12'
        AND substr(s, 9, 2) COLLATE "C" BETWEEN '01' AND '31'
        AND substr(s, 12, 2) COLLATE "C" <= '23'
        AND substr(s, 15, 2) COLLATE "C" <= '59'
        AND substr(s, 18, 2) COLLATE "C" <= '59'
        AND translate(substr(s, 25, 5), '0123456789ABCDEF', '0000000000000000') = '-0000'
        AND substr(s, 30) = '-' || p_site::text
$function$;

-- sync.is_op_id(text)

CREATE OR REPLACE FUNCTION sync.is_op_id(s text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT translate(s, '0123456789abcdef', '0000000000000000') = '00000000-0000-0000-0000-000000000000'
$function$;

-- sync.log_in_lock_order()

CREATE OR REPLACE FUNCTION sync.log_in_lock_order()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    -- First one probe of the log's (txid, seq) index: an entry of a
    -- transaction later than the batch's, any row. Only if there is one
    -- are the batch's rows looked up (one snapshot for both).
    IF EXISTS (SELECT 1 FROM sync.change_log c WHERE c.txid > (SELECT min(n.txid) FROM logged n))
       AND EXISTS (SELECT 1 FROM logged n
                   WHERE EXISTS (SELECT 1 FROM sync.change_log c
                                 WHERE c.entity = n.entity AND c.row_id = n.row_id AND c.txid > n.txid)) THEN
        RAISE EXCEPTION 'a row of this batch was changed by a later transaction meanwhile: send the batch again'
            USING ERRCODE = '40001';
    END IF;
    RETURN NULL;
END
$function$;

-- sync.offer_trust_root(uuid,jsonb,text)

CREATE OR REPLACE FUNCTION sync.offer_trust_root(p_site uuid, p_root jsonb, p_fingerprint text)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    v_fp text;
BEGIN
    PERFORM sync.check_site(p_site);
    INSERT INTO sync.trust_root (id, root, fingerprint, set_by) VALUES (1, p_root, p_fingerprint, p_site)
    ON CONFLICT (id) DO NOTHING;
    SELECT fingerprint INTO v_fp FROM sync.trust_root WHERE id = 1;
    RETURN v_fp;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.offer_trust_root(uuid,jsonb,text) TO hms_desk;

-- sync.own_value_superseded(jsonb,text,uuid)

CREATE OR REPLACE FUNCTION sync.own_value_superseded(p_base jsonb, p_cur text, p_site uuid)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT jsonb_typeof(p_base) = 'array' AND EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(p_base) r
        WHERE r <> '' AND r COLLATE "C" > p_cur COLLATE "C" AND substr(r, 31) <> p_site::text)
$function$;

-- sync.patient_identity(jsonb)

CREATE OR REPLACE FUNCTION sync.patient_identity(p jsonb)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE WHEN coalesce(p->>'birth_date', '') = '' OR btrim(coalesce(p->>'family_name', '')) = '' THEN NULL
        ELSE pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.btrim(coalesce(p->>'given_name', '')), '\s+', ' ', 'g'))
            || '|' || pg_catalog.lower(pg_catalog.regexp_replace(pg_catalog.btrim(p->>'family_name'), '\s+', ' ', 'g'))
            || '|' || (p->>'birth_date')
    END
$function$;

-- sync.prune(interval,interval)

CREATE OR REPLACE FUNCTION sync.prune(p_tombstone_age interval, p_ops_age interval, OUT superseded bigint, OUT tombstones bigint, OUT ops bigint, OUT held_by text, OUT held_since timestamp with time zone)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

-- sync.pruned_end(uuid)

CREATE OR REPLACE FUNCTION sync.pruned_end(p_site uuid, OUT txid xid8, OUT seq bigint)
 RETURNS record
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
GRANT EXECUTE ON FUNCTION sync.pruned_end(uuid) TO hms_desk;

-- sync.pull(uuid,xid8,bigint,integer)

CREATE OR REPLACE FUNCTION sync.pull(p_site uuid, p_txid xid8, p_seq bigint, p_limit integer)
 RETURNS TABLE(txid xid8, seq bigint, entity text, row_id text, origin_site uuid, hlc text, row_snapshot jsonb, field_hlc jsonb, deleted_hlc text, server_set jsonb)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET enable_sort TO 'off'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
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
$function$;
GRANT EXECUTE ON FUNCTION sync.pull(uuid,xid8,bigint,integer) TO hms_desk;

-- sync.pull_pruned(uuid,text[],text,text,integer)

CREATE OR REPLACE FUNCTION sync.pull_pruned(p_site uuid, p_entities text[], p_after_entity text, p_after_row text, p_limit integer)
 RETURNS TABLE(txid xid8, seq bigint, entity text, row_id text, origin_site uuid, hlc text, row_snapshot jsonb, field_hlc jsonb, deleted_hlc text, server_set jsonb)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
GRANT EXECUTE ON FUNCTION sync.pull_pruned(uuid,text[],text,text,integer) TO hms_desk;

-- sync.pulled(uuid,xid8,bigint)

CREATE OR REPLACE FUNCTION sync.pulled(p_site uuid, p_txid xid8, p_seq bigint)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    PERFORM sync.pulled_as(p_site, p_txid, p_seq);
END
$function$;
GRANT EXECUTE ON FUNCTION sync.pulled(uuid,xid8,bigint) TO hms_desk;

-- sync.pulled_as(uuid,xid8,bigint)

CREATE OR REPLACE FUNCTION sync.pulled_as(p_site uuid, p_txid xid8, p_seq bigint)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    UPDATE sync.sites SET pulled_txid = p_txid, pulled_seq = p_seq, pulled_at = now() WHERE site_id = p_site;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'desk % is not enrolled on this server', p_site USING ERRCODE = 'HM001';
    END IF;
END
$function$;

-- sync.push(uuid,jsonb)

CREATE OR REPLACE FUNCTION sync.push(p_site uuid, p_ops jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN sync.push_as(p_site, p_ops);
END
$function$;
GRANT EXECUTE ON FUNCTION sync.push(uuid,jsonb) TO hms_desk;

-- sync.push_as(uuid,jsonb)

CREATE OR REPLACE FUNCTION sync.push_as(p_site uuid, p_ops jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET enable_seqscan TO 'off'
 SET jit TO 'off'
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
$function$;

-- sync.push_audit(uuid,integer,jsonb)

CREATE OR REPLACE FUNCTION sync.push_audit(p_site uuid, p_generation integer, p_rows jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN sync.push_audit_gen_as(p_site, p_generation, p_rows);
END
$function$;
GRANT EXECUTE ON FUNCTION sync.push_audit(uuid,integer,jsonb) TO hms_desk;

-- sync.push_audit(uuid,jsonb)

CREATE OR REPLACE FUNCTION sync.push_audit(p_site uuid, p_rows jsonb)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN sync.push_audit_as(p_site, p_rows);
END
$function$;
GRANT EXECUTE ON FUNCTION sync.push_audit(uuid,jsonb) TO hms_desk;

-- sync.push_audit_as(uuid,jsonb)

CREATE OR REPLACE FUNCTION sync.push_audit_as(p_site uuid, p_rows jsonb)
 RETURNS bigint
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT (sync.push_audit_gen_as(p_site, 0, p_rows)->>'last')::bigint
$function$;

-- sync.push_audit_gen_as(uuid,integer,jsonb)

CREATE OR REPLACE FUNCTION sync.push_audit_gen_as(p_site uuid, p_generation integer, p_rows jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

-- sync.release_billing(uuid,text)

CREATE OR REPLACE FUNCTION sync.release_billing(p_site uuid, p_claim text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    DELETE FROM sync.billing_claims c WHERE c.claim_id = p_claim AND c.site_id = p_site;
    RETURN FOUND;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.release_billing(uuid,text) TO hms_desk;

-- sync.release_send_lease(uuid)

CREATE OR REPLACE FUNCTION sync.release_send_lease(p_site uuid)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    DELETE FROM sync.send_lease l WHERE l.id = 1 AND l.site_id = p_site;
    RETURN FOUND;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.release_send_lease(uuid) TO hms_desk;

-- sync.report_version(uuid,text)

CREATE OR REPLACE FUNCTION sync.report_version(p_site uuid, p_app_version text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    IF p_app_version IS NULL OR length(p_app_version) > 100 THEN
        RAISE EXCEPTION 'a version is at most 100 characters' USING ERRCODE = '22023';
    END IF;
    UPDATE sync.sites SET app_version = p_app_version, version_at = now()
        WHERE site_id = p_site AND app_version IS DISTINCT FROM p_app_version;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.report_version(uuid,text) TO hms_desk;

-- sync.session_site()

CREATE OR REPLACE FUNCTION sync.session_site()
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    v_site    uuid;
    v_revoked timestamptz;
BEGIN
    SELECT l.site_id, l.revoked_at INTO v_site, v_revoked FROM sync.desk_logins l WHERE l.login = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the login % is not a desk of this server: the server''s administrator gives each desk its own login (hms server add-desk)',
            session_user USING ERRCODE = 'HM002';
    END IF;
    IF v_revoked IS NOT NULL THEN
        RAISE EXCEPTION 'the login % was revoked on %', session_user, v_revoked USING ERRCODE = 'HM003';
    END IF;
    RETURN v_site;
END
$function$;

-- sync.site_state(uuid)

CREATE OR REPLACE FUNCTION sync.site_state(p_site uuid, OUT last_op_seq bigint, OUT log_txid xid8, OUT log_seq bigint)
 RETURNS record
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    IF sync.session_site() IS NOT NULL THEN
        PERFORM sync.check_site(p_site);
    END IF;
    SELECT s.last_op_seq, s.log_txid, s.log_seq INTO last_op_seq, log_txid, log_seq FROM sync.site_state_as(p_site) s;
    IF sync.session_site() IS NULL THEN
        last_op_seq := NULL;
    END IF;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.site_state(uuid) TO hms_desk;

-- sync.site_state_as(uuid)

CREATE OR REPLACE FUNCTION sync.site_state_as(p_site uuid, OUT last_op_seq bigint, OUT log_txid xid8, OUT log_seq bigint)
 RETURNS record
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT (SELECT s.last_op_seq FROM sync.sites s WHERE s.site_id = p_site),
           coalesce((SELECT c.txid FROM sync.change_log c ORDER BY c.txid DESC, c.seq DESC LIMIT 1), '0'::xid8),
           coalesce((SELECT c.seq FROM sync.change_log c ORDER BY c.txid DESC, c.seq DESC LIMIT 1), 0)
$function$;

-- sync.sites_keep_applied_ops()

CREATE OR REPLACE FUNCTION sync.sites_keep_applied_ops()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.site_id IS DISTINCT FROM OLD.site_id)
       AND EXISTS (SELECT 1 FROM sync.applied_ops a WHERE a.site_id = OLD.site_id) THEN
        RAISE EXCEPTION 'desk % has operations stored on this server (sync.applied_ops)', OLD.site_id
            USING ERRCODE = '23503';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$function$;

-- sync.spend_billing(uuid,text)

CREATE OR REPLACE FUNCTION sync.spend_billing(p_site uuid, p_claim text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    UPDATE sync.billing_claims c SET spent_at = coalesce(c.spent_at, now()) WHERE c.claim_id = p_claim AND c.site_id = p_site;
    RETURN FOUND;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.spend_billing(uuid,text) TO hms_desk;

-- sync.take_appointment_slot(text,jsonb)

CREATE OR REPLACE FUNCTION sync.take_appointment_slot(p_row_id text, p_row jsonb)
 RETURNS boolean
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;

-- sync.take_send_lease(uuid,integer)

CREATE OR REPLACE FUNCTION sync.take_send_lease(p_site uuid, p_seconds integer, OUT site_id uuid, OUT expires_at timestamp with time zone)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.take_send_lease_as(p_site, p_seconds, false) l;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.take_send_lease(uuid,integer) TO hms_desk;

-- sync.take_send_lease(uuid,integer,boolean)

CREATE OR REPLACE FUNCTION sync.take_send_lease(p_site uuid, p_seconds integer, p_plans boolean, OUT site_id uuid, OUT expires_at timestamp with time zone)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.take_send_lease_as(p_site, p_seconds, p_plans) l;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.take_send_lease(uuid,integer,boolean) TO hms_desk;

-- sync.take_send_lease_as(uuid,integer,boolean)

CREATE OR REPLACE FUNCTION sync.take_send_lease_as(p_site uuid, p_seconds integer, p_plans boolean, OUT site_id uuid, OUT expires_at timestamp with time zone)
 RETURNS record
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    IF p_seconds IS NULL OR p_seconds < 1 OR p_seconds > 3600 THEN
        RAISE EXCEPTION 'a send lease lasts from 1 second to an hour' USING ERRCODE = '22023';
    END IF;
    IF p_plans THEN
        INSERT INTO sync.send_lease AS l (id, site_id, expires_at)
        VALUES (1, p_site, now() + make_interval(secs => p_seconds))
        ON CONFLICT (id) DO UPDATE SET
            site_id = excluded.site_id,
            expires_at = excluded.expires_at,
            taken_at = CASE WHEN l.site_id = excluded.site_id THEN l.taken_at ELSE now() END
        WHERE l.site_id = excluded.site_id OR l.expires_at <= now();
    END IF;
    SELECT l.site_id, l.expires_at INTO site_id, expires_at FROM sync.send_lease l
    WHERE l.id = 1 AND l.expires_at > now() AND (p_plans OR l.site_id <> p_site);
    IF NOT FOUND THEN
        site_id := '00000000-0000-0000-0000-000000000000';
        expires_at := now();
    END IF;
END
$function$;

-- sync.trust_extensions(uuid)

CREATE OR REPLACE FUNCTION sync.trust_extensions(p_site uuid)
 RETURNS TABLE(row_id text, data jsonb)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN QUERY SELECT r.row_id, r.data FROM sync.rows r
        WHERE r.entity = 'trust_extensions' AND r.deleted_hlc IS NULL ORDER BY r.row_id;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.trust_extensions(uuid) TO hms_desk;

-- sync.trust_root(uuid)

CREATE OR REPLACE FUNCTION sync.trust_root(p_site uuid)
 RETURNS TABLE(root jsonb, fingerprint text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
BEGIN
    PERFORM sync.check_site(p_site);
    RETURN QUERY SELECT t.root, t.fingerprint FROM sync.trust_root t WHERE t.id = 1;
END
$function$;
GRANT EXECUTE ON FUNCTION sync.trust_root(uuid) TO hms_desk;
