package sync_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// simHold is a transaction the simulation holds open on its server now and
// then (HMS_SIM_HOLD=n, n choosing the schedule): a pull reads the log only
// below the oldest transaction running on the cluster, so while it is open
// the desks' pulls stop short of what was pushed since, as they do under
// load when other work holds a transaction open (the simulation's
// timing-dependent failures came from there). The schedule has a random
// source of its own: the seed's steps stay the same.
type simHold struct {
	rng  *rand.Rand
	tx   pgx.Tx
	conn *pgx.Conn
	left int // steps until it commits
}

// newSimHold is nil (no holds) unless HMS_SIM_HOLD is set.
func newSimHold(seed uint64) *simHold {
	n, err := strconv.ParseUint(os.Getenv("HMS_SIM_HOLD"), 10, 64)
	if err != nil || n == 0 {
		return nil
	}
	return &simHold{rng: rand.New(rand.NewPCG(seed, n))}
}

// step starts or ends a hold before the simulation's step.
func (h *simHold) step(s *sim, step int) {
	if h == nil {
		return
	}
	if h.tx != nil {
		if h.left--; h.left <= 0 {
			h.release(s)
		}
		return
	}
	if h.rng.IntN(4) != 0 {
		return
	}
	ctx := context.Background()
	// (Not the seed's own database, which a dump copies as a template:
	// the horizon is the whole cluster's.)
	conn, err := pgx.Connect(ctx, testServerURL())
	if err != nil {
		s.t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
		s.t.Fatal(err)
	}
	h.conn, h.tx, h.left = conn, tx, 1+h.rng.IntN(12)
	s.note("the server holds a transaction open for %d steps", h.left)
}

// release commits the hold, if one is open.
func (h *simHold) release(s *sim) {
	if h == nil || h.tx == nil {
		return
	}
	ctx := context.Background()
	if err := h.tx.Commit(ctx); err != nil {
		s.t.Fatal(err)
	}
	h.conn.Close(ctx)
	h.tx, h.conn = nil, nil
	s.note("the server's open transaction ends")
}
