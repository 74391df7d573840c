-- The invoice lists' order (issue #18, "orders are the ones the screens
-- state"). The invoice list says newest first and its Date column shows an
-- invoice's issue date, a draft's start; it was ordered by when the
-- invoice was started (invoices_created, and invoices_patient for one
-- patient's list and statement), so a visit's draft started yesterday and
-- issued today came below invoices started and issued today before it.
-- The lists are now ordered, and paged, by the date they show
-- (data/billing_read.go, invoiceDated): these two indexes replace the two
-- that only those lists read in that order (invoices_patient also finds a
-- patient's invoices, which the new one does as well). An issue moves the
-- invoice's entries in them, from its start to its issue.
DROP INDEX invoices_created;
DROP INDEX invoices_patient;
CREATE INDEX invoices_dated ON invoices (coalesce(issued_at, created_at), id);
CREATE INDEX invoices_patient ON invoices (patient_id, coalesce(issued_at, created_at), id);
