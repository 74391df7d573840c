package sync_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	stdsync "sync"

	"github.com/jackc/pgx/v5"

	"hms/app"
)

// The simulation's settling of overpaid invoices (issue #21): a billing
// clerk on a desk settles an open billing conflict, by a refund of the
// excess or by allocating it to another open invoice of the same patient;
// now and then a clerk on another desk settles the same one at the same
// time, and the server lets only the first (data/sync/billing.go). After
// healing, every overpayment left open is settled, the desks heal again,
// and check() finds no invoice overpaid, every settled conflict closed on
// every desk, one settlement of each (one reversal of each payment), and
// the money adding up the same on every desk and on the server.

// simSettlement is an overpayment a desk settled: the billing conflict
// it closed, the invoice, the payment it reversed.
type simSettlement struct {
	conflict, invoice, number, payment string
	desk                               string
	action                             app.OverpaymentAction
}

// openOverpayments lists the billing conflicts open on d, as billing
// staff see them.
func (s *sim) openOverpayments(d *simDesk) []*app.Conflict {
	cs, err := d.svc().Sync.ListConflicts(as(callerOf(s.users[app.RoleBilling])), false)
	if err != nil {
		s.t.Errorf("seed %d: billing conflicts on %s: %v", s.seed, d.name, err)
		return nil
	}
	var out []*app.Conflict
	for _, c := range cs {
		if c.Overpaid != nil {
			out = append(out, c)
		}
	}
	return out
}

// settleStep is a clerk on d settling one of the overpaid invoices d
// lists, after a sync (the clerk waits for the desk to be up to date); a
// desk that is apart cannot reach the server, which settling needs.
func (s *sim) settleStep(d *simDesk) {
	if d.offline > 0 {
		return
	}
	s.sync(d)
	open := s.openOverpayments(d)
	if len(open) == 0 {
		return
	}
	s.settle(d, open[s.rng.IntN(len(open))])
}

// settlement is what a clerk on d decides for conflict c as d shows it:
// now and then a refund, or the excess allocated to another invoice of
// the patient that owes at least as much, when d has one.
func (s *sim) settlement(d *simDesk, c *app.Conflict) app.OverpaymentSettlement {
	in := app.OverpaymentSettlement{Action: app.OverpaymentRefund, Reason: fmt.Sprintf("paid twice (%s)", d.name)}
	if s.rng.IntN(2) == 0 {
		return in
	}
	excess := c.Overpaid.Excess()
	for _, mine := range s.openOverpayments(d) {
		if mine.ID == c.ID {
			excess = mine.Overpaid.Excess()
		}
	}
	var target string
	err := d.raw.QueryRow(`SELECT i.id FROM invoices i WHERE i.patient_id = ? AND i.id <> ?
			AND i.status IN ('issued', 'partially_paid')
			AND (SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)
				- (SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id
					AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id)) >= ?
		ORDER BY i.id LIMIT 1`, c.Overpaid.PatientID, c.Overpaid.InvoiceID, int64(excess)).Scan(&target)
	if err != nil && d.offline == 0 {
		// None: the patient is billed for a visit today, which takes it.
		target = s.issueFor(d, c.Overpaid.PatientID, excess+app.Money(500*s.rng.IntN(4)))
	}
	if target == "" {
		return in // none: a refund
	}
	in.Action, in.InvoiceID = app.OverpaymentAllocate, target
	in.Reason = fmt.Sprintf("paid twice, kept for the next invoice (%s)", d.name)
	return in
}

// issueFor issues on d an invoice of one line of amount for patient, or
// returns "" when the services refuse (an archived record).
func (s *sim) issueFor(d *simDesk, patient string, amount app.Money) string {
	bill := d.svc().Billing
	ctx := as(callerOf(s.users[app.RoleBilling]))
	inv, err := bill.CreateDraftInvoice(ctx, app.DraftInvoice{PatientID: patient})
	if err != nil {
		s.refused("draft", err)
		return ""
	}
	s.invoices[inv.ID] = &simInvoice{desk: slices.Index(s.desks, d), status: "draft"}
	s.invoiceOrder = append(s.invoiceOrder, inv.ID)
	got, err := bill.AddLine(ctx, inv.ID, app.LineInput{Description: "Follow-up visit", Kind: app.PriceOther, Quantity: 1, UnitPrice: amount})
	if err != nil {
		s.refused("add line", err)
		return ""
	}
	s.invoices[inv.ID].lines = []string{got.Lines[0].ID}
	done, err := bill.IssueInvoice(ctx, inv.ID)
	if err != nil {
		s.refused("issue", err)
		return ""
	}
	si := s.invoices[inv.ID]
	si.status, si.issued, si.issuedTotal = "issued", true, done.Totals.Total
	s.counts["invoice issued to take an excess"]++
	return inv.ID
}

// settle settles conflict c on d; a third of the time a clerk on another
// desk settles it at the same moment (as that desk lists it, or, when it
// does not list it, as a refund). At most one of them settles it; the
// other is refused, clearly.
func (s *sim) settle(d *simDesk, c *app.Conflict) {
	clerk := as(callerOf(s.users[app.RoleBilling]))
	desks := []*simDesk{d}
	if len(s.desks) > 1 && s.rng.IntN(3) == 0 {
		other := s.desks[(slices.Index(s.desks, d)+1+s.rng.IntN(len(s.desks)-1))%len(s.desks)]
		if other.offline == 0 {
			desks = append(desks, other)
		}
	}
	ins := make([]app.OverpaymentSettlement, len(desks))
	for i, desk := range desks {
		ins[i] = s.settlement(desk, c)
	}
	type result struct {
		c   *app.Conflict
		err error
	}
	res := make([]result, len(desks))
	if len(desks) == 1 {
		got, err := d.svc().Sync.SettleOverpayment(clerk, c.ID, ins[0])
		res[0] = result{got, err}
	} else {
		// Both at once: each desk's own services, each its own claim.
		svcs := []app.Services{desks[0].svc(), desks[1].svc()}
		var wg stdsync.WaitGroup
		start := make(chan struct{})
		for i := range desks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := svcs[i].Sync.SettleOverpayment(clerk, c.ID, ins[i])
				res[i] = result{got, err}
			}()
		}
		close(start)
		wg.Wait()
		s.counts["overpayment settled on two desks at once"]++
	}
	won := 0
	for i, r := range res {
		desk := desks[i]
		if r.err != nil {
			code := app.ErrorCode(r.err)
			// Refused clearly: settled or being settled on another desk,
			// not listed on this one (ENOTFOUND), or, while syncs run
			// meanwhile, no longer fitting (the invoice to allocate to was
			// paid meanwhile).
			if code != app.ECONFLICT && code != app.ENOTFOUND && !(s.concurrent && code == app.EINVALID) {
				s.t.Errorf("seed %d: %s settling overpaid invoice %s (%s): %v", s.seed, desk.name, c.Overpaid.InvoiceNumber,
					ins[i].Action, r.err)
			}
			s.counts["settle overpayment refused"]++
			s.note("%s's settlement (%s) of %s refused: %s", desk.name, ins[i].Action, c.ID, app.ErrorMessage(r.err))
			continue
		}
		won++
		s.settled(desk, r.c, ins[i].Action)
	}
	if won > 1 {
		s.t.Errorf("seed %d: overpaid invoice %s settled on %d desks at once", s.seed, c.Overpaid.InvoiceNumber, won)
	}
}

// settled records in the oracle what a settlement on d wrote: the
// overpaying payment reversed, and the payment that replaces it with what
// stays paid (allocated to the other invoice, too).
func (s *sim) settled(d *simDesk, c *app.Conflict, action app.OverpaymentAction) {
	o := c.Overpaid
	var rev, receipt string
	if err := d.raw.QueryRow(`SELECT r.id, p.receipt_number FROM payments r JOIN payments p ON p.id = r.reversal_of
		WHERE r.reversal_of = ?`, o.PaymentID).Scan(&rev, &receipt); err != nil {
		s.t.Errorf("seed %d: %s settled %s: the reversal of %s: %v", s.seed, d.name, c.ID, o.PaymentID, err)
		return
	}
	if p := s.payments[o.PaymentID]; p == nil {
		s.t.Errorf("seed %d: %s settled %s by reversing %s, a payment the services never took", s.seed, d.name, c.ID, o.PaymentID)
	} else {
		if p.refunded {
			// Refunded on another desk apart: the two reversals meet.
			s.counts["settled by reversing a payment refunded on another desk"]++
		}
		p.refunded = true
	}
	s.refunds = append(s.refunds, rev)
	rows, err := d.raw.Query(`SELECT p.id, a.invoice_id, a.amount FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
		WHERE p.reference = ? AND p.reversal_of IS NULL`, "replaces "+receipt)
	if err != nil {
		s.t.Fatal(err)
	}
	var repl string
	allocs := map[string]app.Money{}
	for rows.Next() {
		var inv string
		var amount app.Money
		if err := rows.Scan(&repl, &inv, &amount); err != nil {
			rows.Close()
			s.t.Fatal(err)
		}
		allocs[inv] += amount
	}
	rows.Close()
	if repl != "" {
		s.payments[repl] = &simPayment{allocs: allocs}
		s.paymentOrder = append(s.paymentOrder, repl)
	}
	s.settlements = append(s.settlements, simSettlement{conflict: c.ID, invoice: o.InvoiceID, number: o.InvoiceNumber,
		payment: o.PaymentID, desk: d.name, action: action})
	s.counts["overpayment "+string(action)]++
	s.note("%s settled %s (invoice %s, paid %d of %d): %s, reversal %s, replaced by %q %v", d.name, c.ID, o.InvoiceNumber,
		o.Paid, o.Total, action, rev, repl, allocs)
}

// settleAll, once the desks are healed, settles every overpaid invoice
// left open, trying the desks in a random order (each sometimes with
// another at once), and heals again, until no desk lists one. Every desk
// is tried: an overpayment overpaid again under a name whose claim a
// desk kept (a hand refund of its other payment, docs/SYNC-DESIGN.md) is
// settled on that desk only; the others are refused.
func (s *sim) settleAll() {
	for round := 0; ; round++ {
		var open []*app.Conflict
		var on *simDesk
		for _, off := range s.rng.Perm(len(s.desks)) {
			if o := s.openOverpayments(s.desks[off]); len(o) > 0 {
				if on == nil {
					open, on = o, s.desks[off]
				}
				if round < 5 {
					for _, c := range o {
						s.settle(s.desks[off], c)
					}
				}
			}
		}
		if len(open) == 0 {
			return
		}
		if round == 5 {
			s.t.Errorf("seed %d: %d overpaid invoices still open on %s after settling them %d times", s.seed, len(open), on.name, round)
			return
		}
		s.heal()
	}
}

// checkSettlements checks the invariants of settled overpayments.
func (s *sim) checkSettlements() {
	t := s.t
	// No invoice is overpaid, on any desk.
	for _, d := range s.desks {
		rows, err := d.raw.Query(`SELECT coalesce(i.number, i.id), ` + simPaidSQL + `, ` + simTotalSQL + ` FROM invoices i
			WHERE i.status NOT IN ('draft', 'void') AND ` + simPaidSQL + ` > ` + simTotalSQL)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var number string
			var paid, total int64
			if err := rows.Scan(&number, &paid, &total); err != nil {
				rows.Close()
				t.Fatal(err)
			}
			t.Errorf("seed %d: %s: invoice %s is overpaid after healing: paid %d of %d", s.seed, d.name, number, paid, total)
		}
		rows.Close()
	}
	// A settled conflict is closed on every desk that has it, and settled
	// (refunded or allocated) on one desk only; each settlement of an
	// invoice wrote one reversal, on every desk alike. One exception: a
	// server restored from an older dump lost the claim and the refund of
	// a settlement whose desk has not pushed them again yet (it is apart);
	// another desk can then settle the same overpayment, which nothing on
	// the server can refuse. Its payment is then reversed twice, and every
	// desk must list it as refunded twice (seed 740).
	flagged := s.refundedTwiceEverywhere()
	perInvoice := map[string]int{}
	for _, st := range s.settlements {
		perInvoice[st.number]++
		settledOn := 0
		for _, d := range s.desks {
			var open bool
			var resolution string
			err := d.raw.QueryRow(`SELECT resolved_at IS NULL, resolution FROM billing_conflicts WHERE id = ?`, st.conflict).Scan(&open, &resolution)
			if err != nil {
				continue // never overpaid here: it had every payment at once
			}
			if open {
				t.Errorf("seed %d: %s: the overpayment %s that %s settled is still open", s.seed, d.name, st.conflict, st.desk)
			}
			if resolution == string(app.ResolutionRefunded) || resolution == string(app.ResolutionAllocated) {
				settledOn++
			}
		}
		if settledOn > 1 && flagged[st.payment] && s.counts["server restored from the dump"] > 0 {
			s.note("the overpayment %s was settled on %d desks across a server restore; every desk lists payment %s as refunded twice",
				st.conflict, settledOn, st.payment)
		} else if settledOn != 1 {
			t.Errorf("seed %d: the overpayment %s is settled (refunded or allocated) on %d desks", s.seed, st.conflict, settledOn)
		}
	}
	for _, d := range s.desks {
		for number, want := range perInvoice {
			var n int
			if err := d.raw.QueryRow(`SELECT count(*) FROM payments WHERE reversal_of IS NOT NULL AND reason LIKE ?`,
				"Overpaid invoice "+number+": %").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("seed %d: %s: %d reversals settle overpaid invoice %s, the services settled it %d times", s.seed, d.name, n, number, want)
			}
		}
	}
	// Money adds up, per patient: payments − refunds = allocations +
	// unallocated credit, with no payment reversed twice and none
	// allocated beyond its amount; the same on every desk and the server.
	// A payment reversed on two desks apart (a hand refund while apart,
	// and a refund or settlement elsewhere: the money went out twice)
	// keeps both reversals, and every desk lists it as refunded twice
	// (desk migration 0234): that is the one double reversal allowed,
	// its second reversal counted as paid back beyond the payment.
	server := s.moneyOnServer(flagged)
	for _, d := range s.desks {
		got := s.moneyOnDesk(d, flagged)
		if got != server {
			t.Errorf("seed %d: the money per patient differs:\n  %s: %s\n  server: %s", s.seed, d.name, got, server)
		}
	}
}

const (
	simTotalSQL = `(SELECT coalesce(sum(l.total), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)`
	simPaidSQL  = `(SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.invoice_id = i.id
		AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = a.payment_id))`
)

// simMoney is one patient's money: paid in, paid back (reversals),
// allocated (of payments not reversed), unallocated credit (the rest of
// payments not reversed), and the payments reversed more than once or
// allocated beyond their amount.
type simMoney struct {
	in, out, allocated, credit int64
	extra                      int64 // paid back beyond a payment reversed twice, listed as refunded twice
	twice, over                int
}

func (s *sim) moneyText(m map[string]*simMoney) string {
	var parts []string
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}) {
		v := m[p]
		if v.in-v.out+v.extra != v.allocated+v.credit || v.twice != 0 || v.over != 0 {
			s.t.Errorf("seed %d: patient %s's money does not add up: paid %d − refunded %d ≠ allocated %d + credit %d (reversed twice %d, over-allocated %d)",
				s.seed, p, v.in, v.out, v.allocated, v.credit, v.twice, v.over)
		}
		parts = append(parts, fmt.Sprintf("%s:%d-%d=%d+%d", p, v.in, v.out, v.allocated, v.credit))
	}
	return strings.Join(parts, " ")
}

// simMoneyRows are the columns moneyOnDesk and moneyOnServer read: one
// row a payment, its patient, amount, whether it reverses one, how many
// reversals it has, and what is allocated of it.
func (s *sim) money(flagged map[string]bool, rows func(yield func(id, patient string, amount int64, reversal bool, reversals int, allocated int64))) map[string]*simMoney {
	m := map[string]*simMoney{}
	rows(func(id, patient string, amount int64, reversal bool, reversals int, allocated int64) {
		v := m[patient]
		if v == nil {
			v = &simMoney{}
			m[patient] = v
		}
		switch {
		case reversal:
			v.out += amount
		default:
			v.in += amount
			if reversals > 1 && flagged[id] {
				v.extra += amount * int64(reversals-1) // each refund reverses its payment whole (desk 0235)
			} else if reversals > 1 {
				v.twice++
			}
			if reversals == 0 {
				v.allocated += allocated
				v.credit += amount - allocated
				if allocated > amount {
					v.over++
				}
			}
		}
	})
	return m
}

func (s *sim) moneyOnDesk(d *simDesk, flagged map[string]bool) string {
	return s.moneyText(s.money(flagged, func(yield func(string, string, int64, bool, int, int64)) {
		rows, err := d.raw.Query(`SELECT p.id, p.patient_id, p.amount, p.reversal_of IS NOT NULL,
				(SELECT count(*) FROM payments r WHERE r.reversal_of = p.id),
				(SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a WHERE a.payment_id = p.id)
			FROM payments p WHERE p.deleted_at IS NULL`)
		if err != nil {
			s.t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, patient string
			var amount, allocated int64
			var reversal bool
			var reversals int
			if err := rows.Scan(&id, &patient, &amount, &reversal, &reversals, &allocated); err != nil {
				s.t.Fatal(err)
			}
			yield(id, patient, amount, reversal, reversals, allocated)
		}
	}))
}

func (s *sim) moneyOnServer(flagged map[string]bool) string {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close(ctx)
	return s.moneyText(s.money(flagged, func(yield func(string, string, int64, bool, int, int64)) {
		rows, err := conn.Query(ctx, `WITH p AS (SELECT row_id AS id, data->>'patient_id' AS patient, (data->>'amount')::bigint AS amount,
					nullif(data->>'reversal_of', '') AS reversal_of
				FROM sync.rows WHERE entity = 'payments' AND deleted_hlc IS NULL),
			a AS (SELECT data->>'payment_id' AS payment, (data->>'amount')::bigint AS amount
				FROM sync.rows WHERE entity = 'payment_allocations' AND deleted_hlc IS NULL)
			SELECT p.id, p.patient, p.amount, p.reversal_of IS NOT NULL,
				(SELECT count(*) FROM p r WHERE r.reversal_of = p.id)::int,
				(SELECT coalesce(sum(a.amount), 0) FROM a WHERE a.payment = p.id)::bigint
			FROM p`)
		if err != nil {
			s.t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, patient string
			var amount, allocated int64
			var reversal bool
			var reversals int
			if err := rows.Scan(&id, &patient, &amount, &reversal, &reversals, &allocated); err != nil {
				s.t.Fatal(err)
			}
			yield(id, patient, amount, reversal, reversals, allocated)
		}
		if err := rows.Err(); err != nil {
			s.t.Fatal(err)
		}
	}))
}

// refundedTwiceEverywhere is the payments every desk lists as refunded
// twice (data.RuleRefundedTwice, open or marked done).
func (s *sim) refundedTwiceEverywhere() map[string]bool {
	count := map[string]int{}
	for _, d := range s.desks {
		rows, err := d.raw.Query(`SELECT row_id FROM conflicts WHERE id = 'refunded-twice/' || row_id AND entity = 'payments'`)
		if err != nil {
			s.t.Fatal(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				s.t.Fatal(err)
			}
			count[id]++
		}
		rows.Close()
	}
	out := map[string]bool{}
	for id, n := range count {
		if n == len(s.desks) {
			out[id] = true
		}
	}
	return out
}
