-- Where a desk joining a pruned server has got to in downloading what lies
-- below the prune's horizon (data/sync/pull.go, download): the table and
-- the row id of the last row it applied. Both empty when it is not
-- downloading; the pull cursor stays at the start until the download ends.
ALTER TABLE sync_meta ADD COLUMN download_entity TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_meta ADD COLUMN download_row TEXT NOT NULL DEFAULT '';
