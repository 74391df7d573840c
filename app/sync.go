package app

import (
	"context"
	"time"

	"hms/app/i18n"
)

// MaxClockOffset is how far a desk's clock may be from the server's before
// it is warned to set it right (SYNC.md).
const MaxClockOffset = 60 * time.Second

// SyncService is a desk's side of syncing with the clinic's shared server
// (SYNC.md): enrolling the desk, pushing its queued changes, and where it
// stands.
type SyncService interface {
	// EnrollDesk connects to the server at serverURL (postgres://user@host/
	// database; a password in it is kept sealed with a key derived from the
	// desk's audit key, never in clear, and the address without it), checks that
	// the two can work together, measures the clock offset and registers
	// the desk, which gets its code for number series (D1, D2, …). Enrolling
	// again on the same server is safe and keeps the code. Admins only; or
	// anyone on a new desk with no clinic yet, which joins its clinic's
	// server and downloads the clinic, accounts included.
	EnrollDesk(ctx context.Context, serverURL string) (*SyncStatus, error)
	// TestServer connects to the server at serverURL and says whether this
	// desk could enroll with it, changing nothing. Who may enroll.
	TestServer(ctx context.Context, serverURL string) (*ServerCheck, error)
	// SyncNow pushes every queued change to the server, then pulls and
	// applies every change the other desks made, and reports what it did.
	// A failure leaves the changes queued.
	SyncNow(ctx context.Context) (*SyncReport, error)
	// SyncStatus says where the desk stands.
	SyncStatus(ctx context.Context) (*SyncStatus, error)
	// DeskVersions lists the clinic's desks with the version of HMS each
	// last reported to the server (administrators): desks of one clinic
	// may run different versions while an update goes round.
	DeskVersions(ctx context.Context) ([]DeskVersion, error)
	// RunSync keeps an enrolled desk in sync until ctx ends: it syncs at
	// once, after each local change, when the server says another desk
	// changed something, and on a timer (sooner after a failure), and
	// calls report with where the desk stands after each round. It
	// returns when ctx ends; on a desk not enrolled it waits for
	// enrollment.
	RunSync(ctx context.Context, report func(*SyncStatus))
	// ListConflicts returns the changes that lost or were refused, newest
	// first: the open ones, or with all, the resolved ones too. Staff who
	// manage settings or appointments.
	ListConflicts(ctx context.Context, all bool) ([]*Conflict, error)
	// ResolveConflict records a person's decision on an open conflict:
	// keep what won, or take what lost (which becomes a new change that
	// wins everywhere). Staff who manage settings.
	ResolveConflict(ctx context.Context, id string, r Resolution) (*Conflict, error)
	// SettleOverpayment settles a billing conflict (Conflict.Overpaid):
	// it refunds what the invoice was paid beyond its total, or allocates
	// it to another issued invoice of the same patient, by a reversal of
	// the payment that overpaid it and a replacement payment of what
	// stays. The server decides once for the clinic which desk settles it
	// (the first to ask), so an enrolled desk needs the server for it.
	// Staff who manage billing.
	SettleOverpayment(ctx context.Context, id string, s OverpaymentSettlement) (*Conflict, error)
}

// OverpaymentAction is how an overpaid invoice is settled.
type OverpaymentAction string

// The ways to settle an overpaid invoice.
const (
	// OverpaymentRefund gives the patient back what was paid twice.
	OverpaymentRefund OverpaymentAction = "refund"
	// OverpaymentAllocate moves it to another invoice of the patient.
	OverpaymentAllocate OverpaymentAction = "allocate"
)

// OverpaymentSettlement is a person's decision on an overpaid invoice.
type OverpaymentSettlement struct {
	Action OverpaymentAction
	// InvoiceID is the invoice that takes the excess (allocate only).
	InvoiceID string
	// Reason is written on the refund's receipt (required).
	Reason string
}

// Overpayment is an invoice paid more than its total, which happens when
// two desks took its payment while they were apart: a billing conflict.
type Overpayment struct {
	InvoiceID, InvoiceNumber  string
	PatientID, PatientName    string
	PatientMRN, Currency      string
	Total, Paid               Money
	PaymentID, ReceiptNumber  string // the payment that overpaid it (the newest)
	Receipts                  []string
	SettledBy, SettlementNote string
}

// Excess is what the invoice was paid beyond its total.
func (o *Overpayment) Excess() Money { return o.Paid - o.Total }

// ServerCheck is what TestServer found.
type ServerCheck struct {
	Server        string // the address, without a password
	Epoch         string
	SchemaVersion int
	ClockOffset   time.Duration
	RoundTrip     time.Duration
	// TLS says whether the connection is encrypted.
	TLS bool
}

// Resolution is a person's decision about a conflict.
type Resolution string

// The resolutions.
const (
	// ResolutionKeep keeps what won; what lost stays on record.
	ResolutionKeep Resolution = "kept"
	// ResolutionTake writes what lost as a new change, which then wins.
	ResolutionTake Resolution = "taken"
	// ResolutionMerged: two records of one patient were merged.
	ResolutionMerged Resolution = "merged"
	// An overpaid invoice's excess was refunded, or allocated to another
	// invoice, on this desk; or it was settled elsewhere (the correcting
	// payments reached this desk, or the invoice is no longer overpaid).
	ResolutionRefunded  Resolution = "refunded"
	ResolutionAllocated Resolution = "allocated"
	ResolutionSettled   Resolution = "settled"
	// For a possible duplicate (Conflict.DuplicateOf), ResolutionKeep
	// keeps both records: they are two people.
)

// Conflict is a change that lost to another, or that the server refused,
// kept for a person to review (SYNC.md's conflict rules).
type Conflict struct {
	ID string
	// Entity is the table, RowID the record, Field the field ("" when a
	// whole change lost, e.g. a booking, or was refused).
	Entity, RowID, Field string
	// What names the record for a person ("Patient P-D1-000012 Ada Byron"),
	// English as its String says it, in the screen's language where shown.
	What i18n.Text
	// Rule says what decided, in English as the conflict keeps it;
	// RuleText is the same for a screen to translate.
	Rule     string
	RuleText i18n.Text
	// LostValue and WonValue are JSON; WonValue is "null" when nothing won
	// (a refusal).
	LostValue, WonValue string
	// LostDesk and WonDesk are the site ids of the desks that made them;
	// LostAt and WonAt when (by their clock readings).
	LostDesk, WonDesk string
	LostAt, WonAt     time.Time
	DetectedAt        time.Time
	// ResolvedAt is zero while the conflict is open.
	ResolvedAt time.Time
	ResolvedBy string
	Resolution Resolution
	// DuplicateOf is set when the conflict is two records that look like
	// one patient, registered on two desks while apart (same name and date
	// of birth): it is the record registered first, which a merge keeps.
	// RowID is the other; LostValue and WonValue describe the two records
	// (JSON text), LostAt and WonAt are when they were registered.
	DuplicateOf string
	// Overpaid is set when the conflict is an invoice paid more than its
	// total on desks apart: a billing conflict, for billing staff and
	// admins, settled by SettleOverpayment rather than ResolveConflict.
	Overpaid *Overpayment
	// Refunds is set for a billing review item of refunds made on desks
	// that were apart (a payment refunded twice; an overpaid invoice whose
	// payments were refunded on two desks, so that it owes again): each
	// refund as it was made, the first kept first.
	Refunds []RefundMade
}

// RefundMade is a refund (a reversal of a payment) as it was made: its
// receipt, and where the money went: back to the patient (MovedTo empty),
// or, settling an overpaid invoice, its excess to another invoice of the
// patient (MovedTo, that invoice's number).
type RefundMade struct {
	Receipt, MovedTo string
}

// SyncStatus is where a desk stands with the server.
type SyncStatus struct {
	// Enrolled is false until EnrollDesk succeeds; the other server fields
	// are empty until then.
	Enrolled bool
	SiteID   string
	// DeskCode names the desk in number series.
	DeskCode string
	// Server is the server's address, without a password.
	Server string
	Epoch  string
	// Pending counts changes waiting for the server; OldestPending is when
	// the oldest of them was made.
	Pending       int
	OldestPending time.Time
	// LastError is why the last failed push of a waiting change failed,
	// in English (the command line); LastErrorText is the same to show in
	// the screen's language.
	LastError     string
	LastErrorText i18n.Text
	// Conflicts counts changes that lost or were refused, and possible
	// duplicate patients, waiting for a person to review them.
	Conflicts int
	// ClockOffset is the server's time minus this desk's, as last measured.
	ClockOffset time.Duration
	// LastSyncedAt is when a sync last completed (zero: never).
	LastSyncedAt time.Time
	// FailingSince is when syncing began to fail, zero while it works; with
	// it, LastSyncError says why the last attempt failed (the desk is
	// offline, the password was refused, the server is newer, …).
	// LastSyncErrorText is LastSyncError to show in the screen's
	// language.
	FailingSince      time.Time
	LastSyncError     string
	LastSyncErrorText i18n.Text
	// TLSWarning says why the connection to the server is not verified
	// (its address names an sslmode weaker than verify-full); empty when
	// it is, or the desk is not enrolled.
	TLSWarning string
	// TrustRoot is the fingerprint of the clinic's trust root as this desk
	// knows it (docs/SYNC-DESIGN.md): whoever enrolls another desk may
	// pin it (hms sync enroll --trust). Empty until the desk has one.
	TrustRoot string
	// Unsigned counts the pulled changes refused for granting power
	// without a signature this desk trusts, waiting for an
	// administrator's review (they are among Conflicts): an alert.
	Unsigned int
}

// DeskVersion is one desk of the clinic and the HMS version it runs.
type DeskVersion struct {
	DeskCode string
	Version  string    // as the desk reported it; "" before it did
	Since    time.Time // when it first reported this version
	LastSeen time.Time // its last push, pull or enrollment
	Revoked  bool      // its server login was revoked
	This     bool      // the desk asking
}

// SyncReport is what one SyncNow did.
type SyncReport struct {
	// Pushed counts the operations sent; of them, Applied were taken as
	// they were, Conflicts lost some fields to newer changes, Rejected were
	// refused for good, and Quarantined carry a clock reading too far ahead
	// of the server's time and stay queued.
	Pushed, Applied, Conflicts, Rejected, Quarantined int
	// Pulled counts the changes of other desks taken in from the server,
	// and PullConflicts those of them that lost here or could not apply.
	Pulled, PullConflicts int
	// Repushed counts operations pushed again to a server that had lost
	// them (restored from an older dump, or replaced).
	Repushed int
	// AuditPushed counts audit log rows sent to the server.
	AuditPushed int
	// ClockOffset is the server's time minus this desk's, measured now.
	ClockOffset time.Duration
	// Behind: the round ended before it had pulled every change the
	// server had committed when it began (a pull hands out only what lies
	// below the oldest transaction open on the server's cluster, and the
	// round waits for those only so long); the next round brings them.
	Behind bool
}

// ServerInit is what creating or migrating the server's schema did.
type ServerInit struct {
	// From is the schema version the server had (0: none) and To the one it
	// has now; equal when it was up to date.
	From, To int
	Epoch    string
	// NewLogins are the logins made for desks enrolled before each desk
	// had its own: each enrolls again with its login (README).
	NewLogins []DeskLogin
	// Analyzed: the schema changed and the server's statistics were
	// updated (ANALYZE).
	Analyzed bool
	// AutovacuumOff names what keeps PostgreSQL's autovacuum from the
	// sync tables (the server's settings, or tables); empty when it is on.
	AutovacuumOff []string
}

// DeskLogin is a desk's own login on the sync server (hms server
// add-desk): the server takes the desk from it. Password is known only
// when the login was just made, and is shown once.
type DeskLogin struct {
	Name, Password string
	// DeskCode is the desk it is bound to; empty until a desk enrolls.
	DeskCode string
}

// ServerPrune says what pruning the sync server removed (hms server
// prune): change log entries of rows logged again since, deleted rows
// every desk has taken in, old results of operations; and the desk that
// has pulled least (HeldBy, last at HeldSince), below whose cursor all of
// that went.
type ServerPrune struct {
	Superseded, Tombstones, Ops int64
	HeldBy                      string
	HeldSince                   time.Time
	// AutovacuumOff is as in ServerInit. Pruning updates the statistics
	// (ANALYZE) every time.
	AutovacuumOff []string
}
