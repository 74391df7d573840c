-- Unsaved text kept for its writer when a session ends with a form open
-- (a logout from the lock screen, or the lock running into the clinic's
-- auto-logout time). The desk's own: drafts never sync, and only their
-- writer reads them (app.CanDiscardDraft, DraftService).
CREATE TABLE drafts (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL CHECK (kind IN ('note', 'registration')),
    patient_id TEXT NOT NULL DEFAULT '',
    title      TEXT NOT NULL,
    fields     TEXT NOT NULL, -- JSON object: the form's texts by field name
    created_at TEXT NOT NULL
) STRICT;

CREATE INDEX drafts_user ON drafts (user_id, created_at);
