-- A merged record points at the same kept record on every desk (0013 let
-- the decision applied last win, so the order in which a desk took the
-- decisions chose it).
--
-- Two desks apart can each merge one record, into two different records
-- of the same patient (three records of one person, the three pairs
-- flagged: one desk merges the third into the second, another the third
-- into the first). Both decisions sync; each desk applied them in its own
-- order, and 0013's triggers pointed the record at the kept one of the
-- decision it applied last: the desks disagreed. Now patients.merged_into
-- is derived from all the flags decided as merged that name the record
-- and keep another: the one registered first (the least id: record ids
-- are UUIDv7, which order by time; a merge always keeps the earlier
-- record of its pair), whatever the order the decisions came in.
DROP TRIGGER patient_duplicates_merged_insert;
DROP TRIGGER patient_duplicates_merged_update;

CREATE TRIGGER patient_duplicates_merged_insert AFTER INSERT ON patient_duplicates
WHEN new.resolution = 'merged' AND new.kept_id <> ''
BEGIN
    UPDATE patients SET merged_into = coalesce((
        SELECT min(d.kept_id) FROM patient_duplicates d
        WHERE d.resolution = 'merged' AND d.kept_id <> '' AND d.kept_id <> patients.id
            AND (d.patient_id = patients.id OR d.other_id = patients.id)), '')
    WHERE id IN (new.patient_id, new.other_id);
END;
CREATE TRIGGER patient_duplicates_merged_update AFTER UPDATE OF resolution, kept_id ON patient_duplicates
BEGIN
    UPDATE patients SET merged_into = coalesce((
        SELECT min(d.kept_id) FROM patient_duplicates d
        WHERE d.resolution = 'merged' AND d.kept_id <> '' AND d.kept_id <> patients.id
            AND (d.patient_id = patients.id OR d.other_id = patients.id)), '')
    WHERE id IN (old.patient_id, old.other_id, new.patient_id, new.other_id);
END;

-- Desks that took two such decisions already point the record as the
-- rule says.
UPDATE patients SET merged_into = coalesce((
    SELECT min(d.kept_id) FROM patient_duplicates d
    WHERE d.resolution = 'merged' AND d.kept_id <> '' AND d.kept_id <> patients.id
        AND (d.patient_id = patients.id OR d.other_id = patients.id)), '')
WHERE id IN (SELECT patient_id FROM patient_duplicates WHERE resolution = 'merged'
             UNION SELECT other_id FROM patient_duplicates WHERE resolution = 'merged');
