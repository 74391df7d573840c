package app

import (
	"context"
	"time"
)

// MaxClockOffset is how far a desk's clock may be from the server's before
// it is warned to set it right (SYNC.md).
const MaxClockOffset = 60 * time.Second

// SyncService is a desk's side of syncing with the clinic's shared server
// (SYNC.md): enrolling the desk, pushing its queued changes, and where it
// stands.
type SyncService interface {
	// EnrollDesk connects to the server at serverURL (postgres://user@host/
	// database; a password in it is used now and never stored), checks that
	// the two can work together, measures the clock offset and registers
	// the desk, which gets its code for number series (D1, D2, …). Enrolling
	// again on the same server is safe and keeps the code. Admins only.
	EnrollDesk(ctx context.Context, serverURL string) (*SyncStatus, error)
	// SyncNow pushes every queued change to the server and reports what the
	// server decided. A failure leaves the changes queued.
	SyncNow(ctx context.Context) (*SyncReport, error)
	// SyncStatus says where the desk stands.
	SyncStatus(ctx context.Context) (*SyncStatus, error)
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
	// LastError is why the last failed push of a waiting change failed.
	LastError string
	// Conflicts counts changes that lost or were refused, waiting for a
	// person to review them.
	Conflicts int
	// ClockOffset is the server's time minus this desk's, as last measured.
	ClockOffset time.Duration
}

// SyncReport is what one SyncNow did.
type SyncReport struct {
	// Pushed counts the operations sent; of them, Applied were taken as
	// they were, Conflicts lost some fields to newer changes, Rejected were
	// refused for good, and Quarantined carry a clock reading too far ahead
	// of the server's time and stay queued.
	Pushed, Applied, Conflicts, Rejected, Quarantined int
	// ClockOffset is the server's time minus this desk's, measured now.
	ClockOffset time.Duration
}

// ServerInit is what creating or migrating the server's schema did.
type ServerInit struct {
	// From is the schema version the server had (0: none) and To the one it
	// has now; equal when it was up to date.
	From, To int
	Epoch    string
}
