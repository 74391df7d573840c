-- A patient's history is listed newest first by when things happened
-- (patient_events.at: a reading's time taken, a note's time written), not
-- by when this desk stored them: a reading taken at 17:55 and typed in at
-- 18:50, or pulled from another desk, sorts below an 18:40 note.
CREATE INDEX patient_events_patient_at ON patient_events (patient_id, at, seq);
