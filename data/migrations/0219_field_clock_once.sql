-- Each field clock written once (issue #18, docs/ARCHITECTURE.md, "The cost
-- of a payment"). A local write's field clocks took their lineage (seen)
-- from the base of the outbox row the same trigger had just written, but
-- through triggers on field_clock: every field clock inserted or updated
-- fired field_clock_seen_insert or field_clock_seen_update, which called
-- back into Go for the transaction's clock reading (hms_tx_hlc()) and then
-- ran an UPDATE of the row just written, looking the outbox's last row up
-- again and reading its base with json_type and json_extract, even when it
-- had no base (an issue writes six field clocks, a payment one). The
-- triggers that write field clocks now compute seen in the same INSERT,
-- with the same expression over the same outbox row (read once with its
-- payload, base and clock reading, which is hms_tx_hlc()'s), and the two
-- triggers on field_clock are gone. The only other writers of field_clock
-- are the pull and the clock incidents, which run with hms_tx_hlc() NULL
-- and so never fired them. Outbox payloads and field clocks (hlc, site_id,
-- seen) come out as before (TestFieldClockOncePerField).
DROP TRIGGER field_clock_seen_insert;
DROP TRIGGER field_clock_seen_update;

DROP TRIGGER doctor_profiles_outbox_update;
CREATE TRIGGER doctor_profiles_outbox_update AFTER UPDATE OF
    user_id, specialization, room, fee, visit_minutes, created_at, updated_at, deleted_at
ON doctor_profiles
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.user_id IS NOT new.user_id OR old.specialization IS NOT new.specialization OR
        old.room IS NOT new.room OR old.fee IS NOT new.fee OR old.visit_minutes IS NOT new.visit_minutes OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'doctor_profiles', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'user_id' AS field, new.user_id AS value WHERE old.user_id IS NOT new.user_id
        UNION ALL SELECT 'specialization', new.specialization WHERE old.specialization IS NOT new.specialization
        UNION ALL SELECT 'room', new.room WHERE old.room IS NOT new.room
        UNION ALL SELECT 'fee', new.fee WHERE old.fee IS NOT new.fee
        UNION ALL SELECT 'visit_minutes', new.visit_minutes WHERE old.visit_minutes IS NOT new.visit_minutes
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'doctor_profiles', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER invoice_lines_outbox_update;
CREATE TRIGGER invoice_lines_outbox_update AFTER UPDATE OF
    invoice_id, position, price_item_id, code, description, kind, quantity, unit_price,
    discount_rate, discount_amount, tax_rate, gross, discount, net, tax, total, created_at,
    updated_at, invoice_discount
ON invoice_lines
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.invoice_id IS NOT new.invoice_id OR old.position IS NOT new.position OR
        old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR
        old.description IS NOT new.description OR old.kind IS NOT new.kind OR
        old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
        old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
        old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
        old.net IS NOT new.net OR old.tax IS NOT new.tax OR old.total IS NOT new.total OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.invoice_discount IS NOT new.invoice_discount)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoice_lines', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'invoice_id' AS field, new.invoice_id AS value WHERE old.invoice_id IS NOT new.invoice_id
        UNION ALL SELECT 'position', new.position WHERE old.position IS NOT new.position
        UNION ALL SELECT 'description', new.description WHERE old.description IS NOT new.description
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT key, value FROM json_each(json_object('price_item_id', new.price_item_id, 'code', new.code,
            'kind', new.kind, 'quantity', new.quantity, 'unit_price', new.unit_price, 'discount_rate', new.discount_rate,
            'discount_amount', new.discount_amount, 'tax_rate', new.tax_rate, 'gross', new.gross, 'discount', new.discount,
            'invoice_discount', new.invoice_discount, 'net', new.net, 'tax', new.tax, 'total', new.total))
        WHERE old.price_item_id IS NOT new.price_item_id OR old.code IS NOT new.code OR old.kind IS NOT new.kind OR
            old.quantity IS NOT new.quantity OR old.unit_price IS NOT new.unit_price OR
            old.discount_rate IS NOT new.discount_rate OR old.discount_amount IS NOT new.discount_amount OR
            old.tax_rate IS NOT new.tax_rate OR old.gross IS NOT new.gross OR old.discount IS NOT new.discount OR
            old.invoice_discount IS NOT new.invoice_discount OR old.net IS NOT new.net OR old.tax IS NOT new.tax OR
            old.total IS NOT new.total);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'invoice_lines', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER invoices_outbox_update;
CREATE TRIGGER invoices_outbox_update AFTER UPDATE OF
    number, patient_id, patient_name, patient_mrn, appointment_id, status, currency, notes,
    issued_at, issued_by, created_by, created_at, updated_at, deleted_at, discount_rate, discount_amount, issued_lines, issued_with
ON invoices
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.number IS NOT new.number OR old.patient_id IS NOT new.patient_id OR
        old.patient_name IS NOT new.patient_name OR old.patient_mrn IS NOT new.patient_mrn OR
        old.appointment_id IS NOT new.appointment_id OR old.status IS NOT new.status OR
        old.currency IS NOT new.currency OR old.notes IS NOT new.notes OR old.issued_at IS NOT new.issued_at OR
        old.issued_by IS NOT new.issued_by OR old.created_by IS NOT new.created_by OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.discount_rate IS NOT new.discount_rate OR
        old.discount_amount IS NOT new.discount_amount OR old.issued_lines IS NOT new.issued_lines OR
        old.issued_with IS NOT new.issued_with)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'invoices', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'number' AS field, new.number AS value WHERE old.number IS NOT new.number
        UNION ALL SELECT 'patient_id', new.patient_id WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'patient_name', new.patient_name WHERE old.patient_name IS NOT new.patient_name
        UNION ALL SELECT 'patient_mrn', new.patient_mrn WHERE old.patient_mrn IS NOT new.patient_mrn
        UNION ALL SELECT 'appointment_id', new.appointment_id WHERE old.appointment_id IS NOT new.appointment_id
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'currency', new.currency WHERE old.currency IS NOT new.currency
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'issued_at', new.issued_at WHERE old.issued_at IS NOT new.issued_at
        UNION ALL SELECT 'issued_by', new.issued_by WHERE old.issued_by IS NOT new.issued_by
        UNION ALL SELECT 'created_by', new.created_by WHERE old.created_by IS NOT new.created_by
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'discount_rate', new.discount_rate WHERE old.discount_rate IS NOT new.discount_rate
        UNION ALL SELECT 'discount_amount', new.discount_amount WHERE old.discount_amount IS NOT new.discount_amount
        UNION ALL SELECT 'issued_lines', new.issued_lines WHERE old.issued_lines IS NOT new.issued_lines
        UNION ALL SELECT 'issued_with', new.issued_with WHERE old.issued_with IS NOT new.issued_with);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'invoices', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER patient_duplicates_outbox_update;
CREATE TRIGGER patient_duplicates_outbox_update AFTER UPDATE OF
    patient_id, other_id, reason, detected_at, resolution, kept_id, resolved_at, resolved_by, updated_at
ON patient_duplicates
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.patient_id IS NOT new.patient_id OR old.other_id IS NOT new.other_id OR
        old.reason IS NOT new.reason OR old.detected_at IS NOT new.detected_at OR
        old.resolution IS NOT new.resolution OR old.kept_id IS NOT new.kept_id OR
        old.resolved_at IS NOT new.resolved_at OR old.resolved_by IS NOT new.resolved_by OR
        old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patient_duplicates', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'patient_id' AS field, new.patient_id AS value WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'other_id', new.other_id WHERE old.other_id IS NOT new.other_id
        UNION ALL SELECT 'reason', new.reason WHERE old.reason IS NOT new.reason
        UNION ALL SELECT 'detected_at', new.detected_at WHERE old.detected_at IS NOT new.detected_at
        UNION ALL SELECT 'resolution', new.resolution WHERE old.resolution IS NOT new.resolution
        UNION ALL SELECT 'kept_id', new.kept_id WHERE old.kept_id IS NOT new.kept_id
        UNION ALL SELECT 'resolved_at', new.resolved_at WHERE old.resolved_at IS NOT new.resolved_at
        UNION ALL SELECT 'resolved_by', new.resolved_by WHERE old.resolved_by IS NOT new.resolved_by
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'patient_duplicates', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER patients_outbox_update;
CREATE TRIGGER patients_outbox_update AFTER UPDATE OF
    mrn, given_name, family_name, sex, birth_date, phone, email, address, created_at, updated_at,
    deleted_at, national_id, emergency_contact, emergency_phone, blood_group, notes, archive_reason, language
ON patients
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.mrn IS NOT new.mrn OR old.given_name IS NOT new.given_name OR
        old.family_name IS NOT new.family_name OR old.sex IS NOT new.sex OR
        old.birth_date IS NOT new.birth_date OR old.phone IS NOT new.phone OR old.email IS NOT new.email OR
        old.address IS NOT new.address OR old.created_at IS NOT new.created_at OR
        old.updated_at IS NOT new.updated_at OR old.deleted_at IS NOT new.deleted_at OR
        old.national_id IS NOT new.national_id OR old.emergency_contact IS NOT new.emergency_contact OR
        old.emergency_phone IS NOT new.emergency_phone OR old.blood_group IS NOT new.blood_group OR
        old.notes IS NOT new.notes OR old.archive_reason IS NOT new.archive_reason OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'patients', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'mrn' AS field, new.mrn AS value WHERE old.mrn IS NOT new.mrn
        UNION ALL SELECT 'given_name', new.given_name WHERE old.given_name IS NOT new.given_name
        UNION ALL SELECT 'family_name', new.family_name WHERE old.family_name IS NOT new.family_name
        UNION ALL SELECT 'sex', new.sex WHERE old.sex IS NOT new.sex
        UNION ALL SELECT 'birth_date', new.birth_date WHERE old.birth_date IS NOT new.birth_date
        UNION ALL SELECT 'phone', new.phone WHERE old.phone IS NOT new.phone
        UNION ALL SELECT 'email', new.email WHERE old.email IS NOT new.email
        UNION ALL SELECT 'address', new.address WHERE old.address IS NOT new.address
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'national_id', new.national_id WHERE old.national_id IS NOT new.national_id
        UNION ALL SELECT 'emergency_contact', new.emergency_contact WHERE old.emergency_contact IS NOT new.emergency_contact
        UNION ALL SELECT 'emergency_phone', new.emergency_phone WHERE old.emergency_phone IS NOT new.emergency_phone
        UNION ALL SELECT 'blood_group', new.blood_group WHERE old.blood_group IS NOT new.blood_group
        UNION ALL SELECT 'notes', new.notes WHERE old.notes IS NOT new.notes
        UNION ALL SELECT 'archive_reason', new.archive_reason WHERE old.archive_reason IS NOT new.archive_reason
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'patients', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER power_sigs_outbox_insert;
CREATE TRIGGER power_sigs_outbox_insert AFTER INSERT ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'insert', json_object(
        'id', new.id, 'entity', new.entity, 'row_id', new.row_id, 'field', new.field, 'sig', new.sig,
        'updated_at', new.updated_at), hms_tx_hlc()
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'power_sigs', new.id, 'sig', hms_tx_hlc(), site_id, '[]' FROM sync_meta WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER power_sigs_outbox_update;
CREATE TRIGGER power_sigs_outbox_update AFTER UPDATE OF entity, row_id, field, sig, updated_at ON power_sigs
WHEN hms_tx_hlc() IS NOT NULL AND (old.entity IS NOT new.entity OR old.row_id IS NOT new.row_id OR
        old.field IS NOT new.field OR old.sig IS NOT new.sig OR old.updated_at IS NOT new.updated_at)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'power_sigs', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'entity' AS field, new.entity AS value WHERE old.entity IS NOT new.entity
        UNION ALL SELECT 'row_id', new.row_id WHERE old.row_id IS NOT new.row_id
        UNION ALL SELECT 'field', new.field WHERE old.field IS NOT new.field
        UNION ALL SELECT 'sig', new.sig WHERE old.sig IS NOT new.sig
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'power_sigs', new.id, f.key, o.hlc, m.site_id, '[]'
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER settings_outbox_insert;
CREATE TRIGGER settings_outbox_insert AFTER INSERT ON settings
WHEN hms_tx_hlc() IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'insert', json_object(
        'key', new.key, 'value', new.value, 'updated_at', new.updated_at, 'power_sig', new.power_sig), hms_tx_hlc()
    FROM sync_meta;
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'settings', new.key, f.field, hms_tx_hlc(), site_id, '[]' FROM sync_meta, (SELECT 'value' AS field UNION ALL SELECT 'power_sig') f
    WHERE true
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER settings_outbox_update;
CREATE TRIGGER settings_outbox_update AFTER UPDATE OF
    value, updated_at, power_sig
ON settings
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.value IS NOT new.value OR old.updated_at IS NOT new.updated_at OR old.power_sig IS NOT new.power_sig)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'settings', new.key, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'value' AS field, new.value AS value WHERE old.value IS NOT new.value
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'settings', new.key, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

DROP TRIGGER users_outbox_update;
CREATE TRIGGER users_outbox_update AFTER UPDATE OF
    username, full_name, email, phone, role, status, password_hash, must_change_password, patient_id,
    created_at, updated_at, deleted_at, sign_key, sealed_sign_key, power_sig, language
ON users
WHEN hms_tx_hlc() IS NOT NULL AND (
        old.username IS NOT new.username OR old.full_name IS NOT new.full_name OR old.email IS NOT new.email OR
        old.phone IS NOT new.phone OR old.role IS NOT new.role OR old.status IS NOT new.status OR
        old.password_hash IS NOT new.password_hash OR
        old.must_change_password IS NOT new.must_change_password OR old.patient_id IS NOT new.patient_id OR
        old.created_at IS NOT new.created_at OR old.updated_at IS NOT new.updated_at OR
        old.deleted_at IS NOT new.deleted_at OR old.sign_key IS NOT new.sign_key OR
        old.sealed_sign_key IS NOT new.sealed_sign_key OR old.power_sig IS NOT new.power_sig OR
        old.language IS NOT new.language)
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'users', new.id, 'update', json_group_object(field, value), hms_tx_hlc()
    FROM (SELECT 'username' AS field, new.username AS value WHERE old.username IS NOT new.username
        UNION ALL SELECT 'full_name', new.full_name WHERE old.full_name IS NOT new.full_name
        UNION ALL SELECT 'email', new.email WHERE old.email IS NOT new.email
        UNION ALL SELECT 'phone', new.phone WHERE old.phone IS NOT new.phone
        UNION ALL SELECT 'role', new.role WHERE old.role IS NOT new.role
        UNION ALL SELECT 'status', new.status WHERE old.status IS NOT new.status
        UNION ALL SELECT 'password_hash', new.password_hash WHERE old.password_hash IS NOT new.password_hash
        UNION ALL SELECT 'must_change_password', new.must_change_password WHERE old.must_change_password IS NOT new.must_change_password
        UNION ALL SELECT 'patient_id', new.patient_id WHERE old.patient_id IS NOT new.patient_id
        UNION ALL SELECT 'created_at', new.created_at WHERE old.created_at IS NOT new.created_at
        UNION ALL SELECT 'updated_at', new.updated_at WHERE old.updated_at IS NOT new.updated_at
        UNION ALL SELECT 'deleted_at', new.deleted_at WHERE old.deleted_at IS NOT new.deleted_at
        UNION ALL SELECT 'sign_key', new.sign_key WHERE old.sign_key IS NOT new.sign_key
        UNION ALL SELECT 'sealed_sign_key', new.sealed_sign_key WHERE old.sealed_sign_key IS NOT new.sealed_sign_key
        UNION ALL SELECT 'power_sig', new.power_sig WHERE old.power_sig IS NOT new.power_sig
        UNION ALL SELECT 'language', new.language WHERE old.language IS NOT new.language);
    INSERT INTO field_clock (entity, row_id, field, hlc, site_id, seen)
    SELECT 'users', new.id, f.key, o.hlc, m.site_id, coalesce(CASE WHEN json_valid(o.base) THEN CASE WHEN json_type(o.base, '$."' || f.key || '"') = 'array'
            THEN json_extract(o.base, '$."' || f.key || '"') END END, '[]')
    FROM (SELECT payload, base, hlc FROM outbox ORDER BY seq DESC LIMIT 1) o, json_each(o.payload) f, sync_meta m
    WHERE f.key NOT IN ('created_at', 'updated_at')
    ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, site_id = excluded.site_id, seen = excluded.seen;
END;

