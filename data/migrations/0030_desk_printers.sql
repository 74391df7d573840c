-- This desk's printer for each kind of document: its own setting, kept here
-- so the command line reads it too, and never synced (printers belong to
-- the computer, not the clinic). A kind without a row uses the system's
-- default printer, the kind's default layout, and asks before printing.
CREATE TABLE desk_printers (
    kind       TEXT PRIMARY KEY,
    printer    TEXT NOT NULL DEFAULT '',
    layout     TEXT NOT NULL DEFAULT '',
    auto_print INTEGER NOT NULL DEFAULT 0 CHECK (auto_print IN (0, 1)),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
) STRICT;
