package app

import (
	"context"
	"time"
)

// Outcome of an audited action.
type Outcome string

// Audit outcomes.
const (
	OutcomeOK     Outcome = "ok"     // done
	OutcomeDenied Outcome = "denied" // refused for lack of permission
	OutcomeFailed Outcome = "failed" // refused for another reason (wrong password, locked account)
)

// AuditEntry is one row of the audit log: who did what to which record of
// which patient, when, and how it ended.
type AuditEntry struct {
	Seq       int64
	At        time.Time
	UserID    string
	Username  string
	Role      Role
	Action    string // e.g. user.login, user.create, patient.view
	Entity    string // table of the record, e.g. users
	EntityID  string
	PatientID string
	Outcome   Outcome
	Detail    string

	// Record names the record for people (an invoice's number, a
	// patient's record number and name, an account's username) and
	// PatientName the patient ("P-D1-000042 Eleni Papadopoulou"), as they
	// read when the list was made; empty when the record is not found.
	Record      string
	PatientName string
}

// AuditFilter selects audit entries. Zero fields match everything.
type AuditFilter struct {
	Username  string
	Action    string // prefix, e.g. "user."
	PatientID string
	Outcome   Outcome
	From, To  time.Time // To is exclusive
	BeforeSeq int64     // keyset paging: entries with Seq below this (0: from the newest)
	Limit     int       // default 100, at most 1000
}

// VerifyReport is the result of checking the database: SQLite's own
// integrity check, foreign keys, and the audit hash chain.
type VerifyReport struct {
	IntegrityOK  bool
	Integrity    []string // problems integrity_check reported, and the search's result rows (patient_list) that are not their patients'
	ForeignKeyOK bool
	ForeignKeys  []string // violations foreign_key_check reported
	AuditOK      bool
	AuditRows    int64
	AuditProblem string // the first break in the chain, if any
	// Documents is how many attached reports were checked against their
	// hashes and the audit log; DocumentProblems lists those that failed.
	Documents        int64
	DocumentProblems []string
	// SchemaProblems lists tables, indexes and triggers (the audit log's
	// append-only guards among them) missing, altered or added against
	// what the migrations create.
	SchemaProblems []string
	// Records is how many audited records were checked against their
	// latest audited write; RecordProblems names each one that differs
	// (table and row).
	Records        int64
	RecordProblems []string
}

// OK reports whether every check passed.
func (r *VerifyReport) OK() bool {
	return r.IntegrityOK && r.ForeignKeyOK && r.AuditOK && len(r.DocumentProblems) == 0 &&
		len(r.SchemaProblems) == 0 && len(r.RecordProblems) == 0
}

// AuditService reads the audit log and verifies the database.
type AuditService interface {
	// FindAuditEntries lists entries, newest first (admin).
	FindAuditEntries(ctx context.Context, f AuditFilter) ([]*AuditEntry, error)
	// Verify checks the database and the audit chain (admin).
	Verify(ctx context.Context) (*VerifyReport, error)
	// Backup writes a consistent copy of the database to path, while the
	// database stays in use (admin).
	Backup(ctx context.Context, path string) error
}
