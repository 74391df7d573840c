-- Drafts may also hold an invoice being drafted: the line being added or
-- changed and the invoice discount typed but not applied, kept when the
-- session ended (see app.DraftInvoice). SQLite cannot change a CHECK in
-- place, so the table is built again; nothing refers to it.
CREATE TABLE drafts_0062 (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('note', 'registration', 'invoice')),
    patient_id TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    fields     TEXT NOT NULL, -- JSON object: the form's texts by field name
    created_at TEXT NOT NULL
) STRICT;

INSERT INTO drafts_0062 (id, user_id, kind, patient_id, title, fields, created_at)
    SELECT id, user_id, kind, patient_id, title, fields, created_at FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_0062 RENAME TO drafts;
CREATE INDEX drafts_user ON drafts (user_id, created_at);
