-- The clinic's own products and brands in the drug catalogue. The shipped
-- catalogue is data in the program (app/drugs); these rows extend it, on
-- every desk of the clinic. A row is written once and never changed:
-- catalogue data is safety-critical, and its history stays readable.
CREATE TABLE local_drugs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('substance', 'brand')),
    name            TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 200),
    -- a brand's substances, joined with " + "
    substances      TEXT NOT NULL DEFAULT '' CHECK (length(substances) <= 1000),
    -- a substance's class IDs, joined with " "
    classes         TEXT NOT NULL DEFAULT '' CHECK (length(classes) <= 1000),
    -- forms and strengths, joined with "; "
    forms           TEXT NOT NULL DEFAULT '' CHECK (length(forms) <= 1000),
    created_by      TEXT NOT NULL DEFAULT '',
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT,
    CHECK ((kind = 'substance') = (classes <> '')),
    CHECK ((kind = 'brand') = (substances <> ''))
) STRICT;

CREATE INDEX local_drugs_created ON local_drugs (created_at, id);

CREATE TRIGGER local_drugs_no_delete BEFORE DELETE ON local_drugs
BEGIN
    SELECT RAISE(ABORT, 'a local drug is never deleted');
END;

CREATE TRIGGER local_drugs_no_update BEFORE UPDATE ON local_drugs
BEGIN
    SELECT RAISE(ABORT, 'a local drug is never changed');
END;

CREATE TRIGGER local_drugs_outbox_insert AFTER INSERT ON local_drugs
WHEN (SELECT tx_hlc FROM sync_meta) IS NOT NULL
BEGIN
    INSERT INTO outbox (entity, row_id, kind, payload, hlc)
    SELECT 'local_drugs', new.id, 'insert', json_object(
        'id', new.id, 'kind', new.kind, 'name', new.name, 'substances', new.substances,
        'classes', new.classes, 'forms', new.forms, 'created_by', new.created_by,
        'created_by_name', new.created_by_name, 'created_at', new.created_at,
        'updated_at', new.updated_at, 'deleted_at', new.deleted_at), tx_hlc
    FROM sync_meta;
END;
