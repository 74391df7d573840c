package sync

// SetAfterBillingClaim makes e call f between an overpayment's claim on the
// server and the writing of its settlement, where a sync round of the
// desk can close the conflict the claim names.
func SetAfterBillingClaim(e *Engine, f func()) { e.afterClaim = f }
