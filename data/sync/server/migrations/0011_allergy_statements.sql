-- Clinicians' "no known drug allergies" statements (allergy_statements):
-- rows written once.
INSERT INTO sync.entities (entity, mode) VALUES ('allergy_statements', 'append')
ON CONFLICT (entity) DO NOTHING;
