-- Diagnoses recorded in patients' charts (diagnoses): written once, then
-- only marked removed with a reason, like allergies.
INSERT INTO sync.entities (entity, mode) VALUES ('diagnoses', 'editable')
ON CONFLICT (entity) DO NOTHING;
