package sync

import (
	"context"
	"log/slog"
	"time"

	"hms/app"
	"hms/data"
)

// DefaultSendLease is how long the send lease lasts from each renewal:
// three times the desk's minute between sending rounds, so one slow round
// does not lose it, and a desk that stops sends no more than three
// minutes late.
const DefaultSendLease = 3 * time.Minute

// sendLeaseMargin is how long before the server's end of the lease the
// desk stops sending, for the time the reply took and clocks that drift
// (a quarter of a shorter lease).
const sendLeaseMargin = 10 * time.Second

// Messages returns m (the desk's message service) with DeliverDue sending
// only while this desk holds the clinic's send lease (server migration
// 0063), so that each message to a patient goes once, from whichever desk
// is online. A desk that is not enrolled sends itself.
func (e *Engine) Messages(m app.MessageService) app.MessageService {
	return &messages{MessageService: m, e: e}
}

// messages is the desk's message service whose sending is leased.
type messages struct {
	app.MessageService
	e *Engine
}

// DeliverDue implements app.MessageService. An enrolled desk takes or
// renews the lease; when another desk holds it, this desk sends nothing.
// Holding it, the desk first syncs, so that it has every desk's queued
// messages and every try recorded since (a round that ends before it has
// pulled every change the server holds sends nothing: it may lack the
// record that the last holder sent a message), sends what is due until a margin
// before the lease ends, and syncs again, so that the others see what it
// sent and do not send it again. The messages of plans it wrote out in
// the round go after one more sync, once the server has confirmed its
// copy of them (desk migration 0190). An enrolled desk that cannot reach the
// server sends nothing: another desk may hold the lease.
func (m *messages) DeliverDue(ctx context.Context, t app.MessageTransport) (app.DeliveryReport, error) {
	caller, _ := app.CallerFromContext(ctx)
	if app.CanDeliverMessages(caller) != nil {
		return m.MessageService.DeliverDue(ctx, t) // refused and audited there; nothing taken
	}
	e := m.e
	s, err := e.syncMeta(ctx)
	if err != nil {
		return app.DeliveryReport{}, err
	}
	if !s.epoch.Valid || !s.url.Valid {
		return m.MessageService.DeliverDue(ctx, t)
	}
	until, held, err := e.takeSendLease(ctx, s)
	if err != nil || !held {
		return app.DeliveryReport{}, err
	}
	// Only with the whole log: a round that ended short of changes the
	// server holds may lack the record that the last holder sent a
	// message, and would send it again. It sends with a later round.
	if rep, err := e.SyncNow(ctx); err != nil {
		return app.DeliveryReport{}, serverErrorf(err, noMessageUntilNews)
	} else if rep.Behind {
		slog.Warn("sync: no message sent this round: the server still holds back changes older than the round (a transaction on the server is open)")
		return app.DeliveryReport{Waiting: true}, nil
	}
	rep, err := m.MessageService.DeliverDue(data.WithSendLease(ctx, until), t)
	// The plans this round wrote out are sent once the server has
	// confirmed the desk's copy of their messages: a push, whose results
	// say so, then the rest; a message the server had a copy of already
	// (another desk wrote the plan out first) waits for a sync that
	// brings that copy.
	if n, cerr := e.db.MessagesUnconfirmed(ctx); err == nil && cerr == nil && n > 0 {
		if _, serr := e.PushOnce(ctx); serr != nil {
			return rep, serverErrorf(serr, noMessageUntilNews)
		}
		if n, cerr = e.db.MessagesUnconfirmed(ctx); cerr == nil && n > 0 {
			if _, serr := e.SyncNow(ctx); serr != nil {
				return rep, serverErrorf(serr, noMessageUntilNews)
			}
		}
		more, derr := m.MessageService.DeliverDue(data.WithSendLease(ctx, until), t)
		rep.Sent, rep.Failed, rep.Retrying, rep.Dropped = rep.Sent+more.Sent, rep.Failed+more.Failed,
			rep.Retrying+more.Retrying, rep.Dropped+more.Dropped
		err = derr
	} else if err == nil {
		err = cerr
	}
	if rep.Sent+rep.Failed+rep.Retrying+rep.Dropped > 0 {
		if _, serr := e.SyncNow(ctx); serr != nil && err == nil {
			err = serr
		}
	}
	return rep, err
}

// takeSendLease takes or renews the send lease for this desk; held says
// whether it holds it, until when by the desk's clock.
func (e *Engine) takeSendLease(ctx context.Context, s syncState) (until time.Time, held bool, err error) {
	conn, _, err := e.dialServer(ctx, s)
	if err != nil {
		return until, false, serverErrorf(err, noMessageSent)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	asked := e.db.Now()
	l, err := conn.TakeSendLease(ctx, e.siteID, e.sendLease)
	if err != nil {
		return until, false, serverErrorf(err, noMessageSent)
	}
	if l.Site != e.siteID {
		return until, false, nil
	}
	// The lease's time counts from when the desk asked, the margin off.
	left := min(l.Left, e.sendLease)
	return asked.Add(left - min(sendLeaseMargin, left/4)), true, nil
}

// ReleaseSendLease gives up the clinic's send lease if this desk holds it,
// so that another desk sends at once instead of when it runs out (a desk
// closing). A desk that is not enrolled has none.
func (e *Engine) ReleaseSendLease(ctx context.Context) error {
	s, err := e.syncMeta(ctx)
	if err != nil || !s.epoch.Valid || !s.url.Valid {
		return err
	}
	conn, _, err := e.dialServer(ctx, s)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.ReleaseSendLease(ctx, e.siteID)
	return err
}

// ReleaseSendLease gives up the send lease if this desk holds it (a desk
// closing), so that another desk sends at once.
func (m *messages) ReleaseSendLease(ctx context.Context) error { return m.e.ReleaseSendLease(ctx) }
