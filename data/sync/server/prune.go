package server

import (
	"context"
	"fmt"
	"time"
)

// Retention of what the server prunes (sync.prune).
const (
	// TombstoneAge is how long a deleted row's tombstone is kept once
	// every desk has pulled its delete. A desk restored from a backup
	// older than that would keep the row: desks keep their own changes
	// 180 days, and a restore from an older backup is out of the question
	// anyway.
	TombstoneAge = 180 * 24 * time.Hour
	// OpsAge is how long the result of an operation is kept for a desk
	// that pushes it again: well beyond the 180 days a desk keeps them.
	OpsAge = 365 * 24 * time.Hour
)

// PruneResult says what Prune removed, and which desk holds back the rest.
type PruneResult struct {
	// Superseded counts change log entries of rows with a newer entry,
	// Tombstones deleted rows forgotten, Ops old operation results.
	Superseded, Tombstones, Ops int64
	// HeldBy is the desk that has pulled least, below which everything
	// prunable went; HeldSince when it last pulled (zero: never said).
	HeldBy    string
	HeldSince time.Time
	// AutovacuumOff is as in InitResult: the statistics Prune updated
	// go stale again unless something else keeps them.
	AutovacuumOff []string
}

// Prune removes what no desk needs any more from the server at rawURL
// (SYNC.md: purge only once every desk has pulled past it): tombstones
// older than tombstoneAge, operation results older than opsAge (hms
// passes TombstoneAge and OpsAge), then updates the planner's statistics
// of the sync tables (ANALYZE). It needs the database's owner, as Init
// does. Desks push and pull meanwhile.
func Prune(ctx context.Context, rawURL string, tombstoneAge, opsAge time.Duration) (PruneResult, error) {
	conn, err := connect(ctx, rawURL)
	if err != nil {
		return PruneResult{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var r PruneResult
	var by *string
	var since *time.Time
	if err := conn.QueryRow(ctx, `SELECT superseded, tombstones, ops, held_by, held_since
		FROM sync.prune(make_interval(secs => $1), make_interval(secs => $2))`,
		tombstoneAge.Seconds(), opsAge.Seconds()).Scan(&r.Superseded, &r.Tombstones, &r.Ops, &by, &since); err != nil {
		return r, fmt.Errorf("server %s: prune: %w", redactLoose(rawURL), classify(err))
	}
	// What it removed, and what the desks added since the last time: the
	// planner's statistics of the sync tables are made again.
	if err := analyze(ctx, conn); err != nil {
		return r, fmt.Errorf("server %s: prune: %w", redactLoose(rawURL), err)
	}
	if r.AutovacuumOff, err = autovacuumOff(ctx, conn); err != nil {
		return r, fmt.Errorf("server %s: prune: %w", redactLoose(rawURL), err)
	}
	if by != nil {
		r.HeldBy = *by
	}
	if since != nil {
		r.HeldSince = *since
	}
	return r, nil
}
