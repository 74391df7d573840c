-- Letters (desk migration 0083): sick notes and referral letters as they
-- were issued, written once.
INSERT INTO sync.entities (entity, mode) VALUES ('letters', 'append')
ON CONFLICT (entity) DO NOTHING;
