-- The price-list item each doctor's consultations are billed with
-- (doctor_consultation_items): rows written once; the newest of a doctor's
-- is in force.
INSERT INTO sync.entities (entity, mode) VALUES ('doctor_consultation_items', 'append')
ON CONFLICT (entity) DO NOTHING;
