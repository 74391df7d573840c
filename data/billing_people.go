package data

// Billing records keep who issued or took them by username or user id; the
// screens and documents name the person instead ("Maria Lopez", not
// "billing"). Payments store the cashier's full name when taken; records
// written before that, and invoices, whose issued_by is the username, are
// named through the users table when read, the stored value kept when the
// user is not known on this desk. The writer's name comes from
// tx.callerName.

// cashierNameSQL is a payment p's cashier as a person's name.
const cashierNameSQL = `coalesce((SELECT NULLIF(u.full_name, '') FROM users u WHERE u.id = p.cashier_id), p.cashier_name)`

// issuedByNameSQL is who issued invoice i, as a person's name.
const issuedByNameSQL = `coalesce((SELECT NULLIF(u.full_name, '') FROM users u WHERE u.username = i.issued_by), i.issued_by)`
