-- A faster download of a clinic (sync_pull.go).
--
-- Every statement that runs in a savepoint of its own (any insert that
-- fires a trigger does) makes the search index write what it holds in
-- memory to disk as a new segment, which it then merges with the others.
-- A pull that inserts a clinic's patients one by one thus wrote and merged
-- one segment per patient. While sync_meta.search_deferred is 1 (a pulled
-- batch applied in bulk, in one transaction) the insert trigger writes no
-- search rows; the pull adds those of the patients it inserted in one
-- statement before it touches them again and before the batch commits, so
-- outside that transaction nothing differs.
ALTER TABLE sync_meta ADD COLUMN search_deferred INTEGER NOT NULL DEFAULT 0 CHECK (search_deferred IN (0, 1));

DROP TRIGGER patients_search_insert;
CREATE TRIGGER patients_search_insert AFTER INSERT ON patients
WHEN (SELECT search_deferred FROM sync_meta) IS NOT 1
BEGIN
    INSERT INTO patient_name_fts (rowid, name) VALUES (new.activity_seq, new.search_name);
    INSERT INTO patient_number_fts (rowid, digits) VALUES (new.activity_seq, new.phone_digits || ' ' || substr(new.mrn, -6));
END;
