-- Where this desk looks for new releases of HMS (Settings → Updates): a web
-- address or a folder on the clinic's network. One row, the desk's own and
-- never synced: each desk updates itself.
CREATE TABLE update_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    location   TEXT NOT NULL CHECK (length(location) <= 1000),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT ''
) STRICT;
