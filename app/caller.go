package app

import "context"

// Caller is who is calling a service: the logged-in user, or the command
// line acting for whoever may open the database file.
type Caller struct {
	UserID    string
	Username  string
	Role      Role
	PatientID string // set for the patient role: the patient record that is theirs
	// SessionGen is the account's session generation at the login: each
	// service call compares it with the account's row (CheckSession).
	SessionGen int64
	// Signer is the caller's signing key, unsealed at the login with the
	// password; nil for an account without one, and for the command line
	// until an administrator authenticates to it.
	Signer *SigningKey
}

type callerKey struct{}

// NewContextWithCaller returns a context that carries the caller.
func NewContextWithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFromContext returns the caller of ctx and whether there is one.
func CallerFromContext(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok && c.Role != ""
}

// SystemCaller is the caller the command line uses: it may do what an admin
// may, and the audit log names it after the operating-system user.
func SystemCaller(osUser string) Caller {
	return Caller{UserID: "", Username: "cli:" + osUser, Role: RoleAdmin}
}
