-- This desk's automatic backups: the folder they go to (a USB drive or a
-- network share of this computer), when they run, how many stay, the
-- clinic's backup public key they are encrypted to, and how the last runs
-- went. Kept per desk and never synced: the folder belongs to the
-- computer. One row, made when an administrator first sets backups up.
CREATE TABLE desk_backup (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    folder          TEXT NOT NULL DEFAULT '',
    daily_at        TEXT NOT NULL DEFAULT '',
    on_close        INTEGER NOT NULL DEFAULT 0 CHECK (on_close IN (0, 1)),
    keep            INTEGER NOT NULL DEFAULT 14 CHECK (keep BETWEEN 1 AND 365),
    recipient       TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL DEFAULT '',
    updated_by      TEXT NOT NULL DEFAULT '',
    last_good_at    TEXT NOT NULL DEFAULT '',
    last_good_file  TEXT NOT NULL DEFAULT '',
    last_attempt_at TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    last_error_at   TEXT NOT NULL DEFAULT ''
) STRICT;
