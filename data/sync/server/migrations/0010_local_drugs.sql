-- The clinic's own products and brands of the drug catalogue
-- (local_drugs): rows written once, like the price list.
INSERT INTO sync.entities (entity, mode) VALUES ('local_drugs', 'append')
ON CONFLICT (entity) DO NOTHING;
