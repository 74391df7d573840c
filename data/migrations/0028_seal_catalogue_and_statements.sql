-- The clinic's drug products and the no-known-allergies statements are
-- audited records like the others (docs/AUDIT.md, Row seals): every write
-- seals the rows it left behind. Both tables are append-only, so only
-- inserts happen; the update and delete triggers are there so that the
-- rule "every synced table carries its three seal triggers" holds for all.
CREATE TRIGGER seal_local_drugs_ins AFTER INSERT ON local_drugs BEGIN SELECT hms_seal('local_drugs', NEW.id); END;
CREATE TRIGGER seal_local_drugs_upd AFTER UPDATE ON local_drugs BEGIN SELECT hms_seal('local_drugs', OLD.id), hms_seal('local_drugs', NEW.id); END;
CREATE TRIGGER seal_local_drugs_del AFTER DELETE ON local_drugs BEGIN SELECT hms_seal('local_drugs', OLD.id); END;
CREATE TRIGGER seal_allergy_statements_ins AFTER INSERT ON allergy_statements BEGIN SELECT hms_seal('allergy_statements', NEW.id); END;
CREATE TRIGGER seal_allergy_statements_upd AFTER UPDATE ON allergy_statements BEGIN SELECT hms_seal('allergy_statements', OLD.id), hms_seal('allergy_statements', NEW.id); END;
CREATE TRIGGER seal_allergy_statements_del AFTER DELETE ON allergy_statements BEGIN SELECT hms_seal('allergy_statements', OLD.id); END;
