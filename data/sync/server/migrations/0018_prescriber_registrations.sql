-- Doctors' registration numbers (prescriber_registrations): rows written
-- once; the newest of a doctor's is in force.
INSERT INTO sync.entities (entity, mode) VALUES ('prescriber_registrations', 'append')
ON CONFLICT (entity) DO NOTHING;
