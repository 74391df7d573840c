-- Billing: the price list, invoices and their lines, credit notes,
-- payments with their allocations to invoices, and printed receipts.
--
-- Money is INTEGER minor units of the clinic's currency, never REAL.
-- Issued invoices, their lines, credit notes, payments, allocations and
-- receipts are never updated or deleted (SYNC.md: immutable rows): the
-- triggers below refuse it. A void is a credit note, a refund a reversal
-- payment; both point to what they correct.
--
-- The balance of an invoice is never stored: it is the sum of its lines'
-- totals minus the allocations of payments that have no reversal, computed
-- by every query that shows it. invoices.status is derived from the lines,
-- allocations and credit note; the billing service alone writes it, inside
-- the transaction that changes what it derives from (issue, payment,
-- refund, void), and the invoices_frozen trigger lets an issued invoice
-- change nothing else.

-- Every version of every item. A price change adds a version with the same
-- code valid from a later time; retiring an item adds a version with
-- active = 0. Invoices copy what they use into their lines.
CREATE TABLE price_items (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 30 AND code = upper(code)),
    version        INTEGER NOT NULL CHECK (version >= 1),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    search_name    TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL CHECK (kind IN ('consultation', 'procedure', 'lab', 'medicine', 'other')),
    price          INTEGER NOT NULL CHECK (price >= 0),
    tax_rate       INTEGER NOT NULL CHECK (tax_rate BETWEEN 0 AND 10000),
    doctor_id      TEXT REFERENCES users (id),
    specialization TEXT NOT NULL DEFAULT '' CHECK (length(specialization) <= 100),
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    valid_from     TEXT NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER,
    UNIQUE (code, version)
) STRICT;
-- The version in force of a code: the newest valid_from not after a time.
CREATE INDEX price_items_code ON price_items (code, valid_from);
-- The consultation charge of a doctor or specialization.
CREATE INDEX price_items_doctor ON price_items (kind, doctor_id, valid_from);

CREATE TRIGGER price_items_no_update BEFORE UPDATE ON price_items
BEGIN
    SELECT RAISE(ABORT, 'a price list version is never changed: add a new version');
END;
CREATE TRIGGER price_items_no_delete BEFORE DELETE ON price_items
BEGIN
    SELECT RAISE(ABORT, 'a price list version is never deleted: retire the item');
END;

CREATE TABLE invoices (
    id             TEXT PRIMARY KEY,
    number         TEXT UNIQUE,
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    patient_name   TEXT NOT NULL,
    patient_mrn    TEXT NOT NULL,
    appointment_id TEXT REFERENCES appointments (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void')),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    notes          TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),
    issued_at      TEXT,
    issued_by      TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER,
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK ((status = 'draft') = (issued_at IS NULL))
) STRICT;
-- A patient's invoices, newest first (statement, the patient's own list).
CREATE INDEX invoices_patient ON invoices (patient_id, created_at, id);
-- Lists by status; the outstanding invoices oldest first.
CREATE INDEX invoices_status ON invoices (status, issued_at, id);
CREATE INDEX invoices_outstanding ON invoices (issued_at, id) WHERE status IN ('issued', 'partially_paid');
CREATE INDEX invoices_issued ON invoices (issued_at, id) WHERE issued_at IS NOT NULL;
CREATE INDEX invoices_created ON invoices (created_at, id);
CREATE INDEX invoices_appointment ON invoices (appointment_id) WHERE appointment_id IS NOT NULL;

-- Once issued, an invoice changes nothing but its derived status, which
-- moves between issued, partially_paid and paid with its payments, and to
-- void (for good) only when its credit note exists.
CREATE TRIGGER invoices_frozen BEFORE UPDATE ON invoices
WHEN old.status <> 'draft' AND (
       new.id IS NOT old.id OR new.number IS NOT old.number OR new.patient_id IS NOT old.patient_id
    OR new.patient_name IS NOT old.patient_name OR new.patient_mrn IS NOT old.patient_mrn
    OR new.appointment_id IS NOT old.appointment_id OR new.currency IS NOT old.currency
    OR new.notes IS NOT old.notes OR new.issued_at IS NOT old.issued_at OR new.issued_by IS NOT old.issued_by
    OR new.created_by IS NOT old.created_by OR new.created_at IS NOT old.created_at
    OR new.deleted_at IS NOT old.deleted_at
    OR old.status = 'void'
    OR new.status = 'draft'
    OR (new.status = 'void' AND NOT EXISTS (SELECT 1 FROM credit_notes c WHERE c.invoice_id = old.id)))
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never changed: void it with a credit note');
END;
CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices
WHEN old.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'an issued invoice is never deleted: void it with a credit note');
END;

-- Lines with their amounts as app.ComputeLine works them out; the CHECKs
-- hold the arithmetic that does not depend on rounding.
CREATE TABLE invoice_lines (
    id              TEXT PRIMARY KEY,
    invoice_id      TEXT NOT NULL REFERENCES invoices (id),
    position        INTEGER NOT NULL CHECK (position >= 1),
    price_item_id   TEXT REFERENCES price_items (id),
    code            TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL CHECK (length(trim(description)) > 0 AND length(description) <= 200),
    kind            TEXT NOT NULL CHECK (kind IN ('consultation', 'procedure', 'lab', 'medicine', 'other')),
    quantity        INTEGER NOT NULL CHECK (quantity > 0 AND quantity <= 100000),
    unit_price      INTEGER NOT NULL CHECK (unit_price >= 0),
    discount_rate   INTEGER NOT NULL DEFAULT 0 CHECK (discount_rate BETWEEN 0 AND 10000),
    discount_amount INTEGER NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
    tax_rate        INTEGER NOT NULL CHECK (tax_rate BETWEEN 0 AND 10000),
    gross           INTEGER NOT NULL,
    discount        INTEGER NOT NULL,
    net             INTEGER NOT NULL,
    tax             INTEGER NOT NULL CHECK (tax >= 0),
    total           INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (gross = quantity * unit_price),
    CHECK (discount BETWEEN 0 AND gross),
    CHECK (net = gross - discount),
    CHECK (total = net + tax),
    CHECK (discount_rate = 0 OR discount_amount = 0),
    UNIQUE (invoice_id, position)
) STRICT;

CREATE TRIGGER invoice_lines_insert_draft BEFORE INSERT ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = new.invoice_id) IS NOT 'draft'
BEGIN
    SELECT RAISE(ABORT, 'lines are added to draft invoices only');
END;
CREATE TRIGGER invoice_lines_update_draft BEFORE UPDATE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft'
    OR new.invoice_id IS NOT old.invoice_id
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never changed');
END;
CREATE TRIGGER invoice_lines_delete_draft BEFORE DELETE ON invoice_lines
WHEN (SELECT status FROM invoices WHERE id = old.invoice_id) IS NOT 'draft'
BEGIN
    SELECT RAISE(ABORT, 'the lines of an issued invoice are never deleted');
END;

-- A void: one credit note per invoice, numbered CN-<desk>-<year>-NNNNNN,
-- for the invoice's whole total.
CREATE TABLE credit_notes (
    id         TEXT PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    invoice_id TEXT NOT NULL UNIQUE REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    reason     TEXT NOT NULL CHECK (length(trim(reason)) > 0 AND length(reason) <= 500),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    server_seq INTEGER
) STRICT;
CREATE TRIGGER credit_notes_no_update BEFORE UPDATE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note is never changed');
END;
CREATE TRIGGER credit_notes_no_delete BEFORE DELETE ON credit_notes
BEGIN
    SELECT RAISE(ABORT, 'a credit note is never deleted');
END;

-- Payments and refunds. A refund is a row with reversal_of set, the same
-- amount and method, its own receipt number and a reason; the payment it
-- reverses no longer counts towards any balance.
CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    receipt_number TEXT NOT NULL UNIQUE,
    patient_id     TEXT NOT NULL REFERENCES patients (id),
    patient_name   TEXT NOT NULL,
    patient_mrn    TEXT NOT NULL,
    method         TEXT NOT NULL CHECK (method IN ('cash', 'card', 'bank_transfer', 'insurance', 'other')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    tendered       INTEGER NOT NULL DEFAULT 0 CHECK (tendered >= 0),
    change_given   INTEGER NOT NULL DEFAULT 0 CHECK (change_given >= 0),
    reference      TEXT NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    cashier_id     TEXT NOT NULL DEFAULT '',
    cashier_name   TEXT NOT NULL DEFAULT '',
    taken_at       TEXT NOT NULL,
    reversal_of    TEXT UNIQUE REFERENCES payments (id),
    reason         TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT,
    server_seq     INTEGER,
    CHECK (reversal_of IS NULL OR length(trim(reason)) > 0),
    CHECK (method = 'cash' OR (tendered = 0 AND change_given = 0)),
    CHECK (method <> 'cash' OR reversal_of IS NOT NULL OR (tendered >= amount AND change_given = tendered - amount))
) STRICT;
-- Cash-up: a cashier's payments of a day; the day's payments; a patient's.
CREATE INDEX payments_cashier ON payments (cashier_id, taken_at, id);
CREATE INDEX payments_taken ON payments (taken_at, id);
CREATE INDEX payments_patient ON payments (patient_id, taken_at, id);

CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment is never changed: refund it with a reversal');
END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN
    SELECT RAISE(ABORT, 'a payment is never deleted: refund it with a reversal');
END;

-- What a payment pays: one row per invoice.
CREATE TABLE payment_allocations (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    invoice_id TEXT NOT NULL REFERENCES invoices (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (payment_id, invoice_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX payment_allocations_invoice ON payment_allocations (invoice_id, payment_id);

CREATE TRIGGER payment_allocations_issued BEFORE INSERT ON payment_allocations
WHEN (SELECT status FROM invoices WHERE id = new.invoice_id) NOT IN ('issued', 'partially_paid')
BEGIN
    SELECT RAISE(ABORT, 'only issued, unpaid invoices take payments');
END;
CREATE TRIGGER payment_allocations_no_update BEFORE UPDATE ON payment_allocations
BEGIN
    SELECT RAISE(ABORT, 'a payment''s allocation is never changed');
END;
CREATE TRIGGER payment_allocations_no_delete BEFORE DELETE ON payment_allocations
BEGIN
    SELECT RAISE(ABORT, 'a payment''s allocation is never deleted');
END;

-- A receipt as first printed: the data it showed (JSON of app.Receipt) and
-- the PDF's bytes. A reprint renders the same data with a COPY mark.
CREATE TABLE receipts (
    payment_id TEXT PRIMARY KEY REFERENCES payments (id),
    data       TEXT NOT NULL,
    pdf        BLOB NOT NULL,
    printed_by TEXT NOT NULL DEFAULT '',
    printed_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER receipts_no_update BEFORE UPDATE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'a printed receipt is never changed');
END;
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
BEGIN
    SELECT RAISE(ABORT, 'a printed receipt is never deleted');
END;
