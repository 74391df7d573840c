package data_test

import (
	"slices"
	"strings"
	"testing"

	"hms/app"
	"hms/data"
)

// TestBookingQueuesOnePlan: a booking queues its six messages (the
// confirmation and two reminders, by e-mail and SMS) as one row, its
// message plan, in the booking's transaction (migration 0156); the
// Messages log and the chart list them as waiting at once; the desk that
// sends writes them out as six messages rows under the same ids, the plan
// leaving the queue of plans; a second round writes nothing again.
func TestBookingQueuesOnePlan(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	count := func(q string) int {
		t.Helper()
		var n int
		if err := a.db.ReadDB().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	messagesBefore := count(`SELECT count(*) FROM messages`)
	a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	if n := count(`SELECT count(*) FROM messages`) - messagesBefore; n != 0 {
		t.Errorf("the booking wrote %d messages rows, want none (one plan)", n)
	}
	if n := count(`SELECT count(*) FROM message_plans`); n != 1 {
		t.Fatalf("the booking wrote %d message plans, want 1", n)
	}
	if n := count(`SELECT count(*) FROM outbox WHERE entity IN ('messages', 'message_plans')`); n != 1 {
		t.Errorf("the booking queued %d message operations to sync, want 1", n)
	}
	planned := patientMessages(t, a, svc, a.patient)
	log, err := svc.FindMessages(a.ctx(app.RoleReception), app.MessageFilter{Status: app.MessageWaiting})
	if err != nil {
		t.Fatal(err)
	}
	if len(planned) != 6 || len(log) != 6 {
		t.Fatalf("the chart lists %d messages and the log %d waiting, want 6 each", len(planned), len(log))
	}
	var ids []string
	for _, m := range planned {
		if m.Status != app.MessageWaiting || m.Body == "" || m.To == "" || m.PatientName == "" {
			t.Errorf("planned message %+v", m)
		}
		ids = append(ids, m.ID)
	}
	deliver(t, a, svc, tr)
	if n := count(`SELECT count(*) FROM messages`) - messagesBefore; n != 6 {
		t.Fatalf("the sending desk wrote %d messages, want 6", n)
	}
	if n := count(`SELECT count(*) FROM message_plan_due`); n != 0 {
		t.Errorf("%d plans still to write out", n)
	}
	written := patientMessages(t, a, svc, a.patient)
	var after []string
	for _, m := range written {
		after = append(after, m.ID)
		if !strings.HasPrefix(m.ID, written[0].ID[:strings.IndexByte(written[0].ID, '.')]+".") {
			t.Errorf("message %s is not named after its plan", m.ID)
		}
	}
	if !slices.Equal(ids, after) {
		t.Errorf("the log listed %v before they were written, %v after", ids, after)
	}
	if got := tr.kinds(); !slices.Equal(got, []string{"confirmation/email", "confirmation/sms"}) {
		t.Errorf("sent %v", got)
	}
	tr.reset()
	deliver(t, a, svc, tr)
	if n := count(`SELECT count(*) FROM messages`) - messagesBefore; n != 6 || len(tr.kinds()) != 0 {
		t.Errorf("a second round: %d messages, sent %v", n, tr.kinds())
	}
}

// TestPlanDroppedBeforeWrittenOut: an appointment cancelled before any
// desk wrote its plan out sends only the cancellation; the confirmation
// and reminders are written out by the cancellation and listed dropped,
// with the reason.
func TestPlanDroppedBeforeWrittenOut(t *testing.T) {
	a, svc, tr := messagesClinic(t)
	ap := a.book(t, app.RoleReception, app.AppointmentCreate{PatientID: a.patient, DoctorID: a.doctor,
		Start: a.at("2026-11-28", "09:30"), Reason: "Check-up"})
	if _, err := a.svc.Appointments.Cancel(a.ctx(app.RoleReception), ap.ID, "patient called"); err != nil {
		t.Fatal(err)
	}
	ms := patientMessages(t, a, svc, a.patient)
	if len(ms) != 8 || countStatus(ms, app.MessageConfirmation, app.MessageDropped) != 2 ||
		countStatus(ms, app.MessageReminder, app.MessageDropped) != 4 ||
		countStatus(ms, app.MessageCancellation, app.MessageWaiting) != 2 {
		t.Fatalf("after cancelling: %d messages %+v", len(ms), ms)
	}
	for _, m := range ms {
		if m.Status == app.MessageDropped && !strings.Contains(m.LastError, "cancelled") {
			t.Errorf("dropped with %q", m.LastError)
		}
	}
	deliver(t, a, svc, tr)
	if got := tr.kinds(); !slices.Equal(got, []string{"cancellation/email", "cancellation/sms"}) {
		t.Fatalf("sent %v", got)
	}
}

// TestQueueReadSortsNothing: the read each booking with messages makes
// (the patient, their last consent on each channel, the clinic's values)
// takes each consent from the index, with no temporary b-tree to sort.
func TestQueueReadSortsNothing(t *testing.T) {
	a, _, _ := messagesClinic(t)
	args := []any{}
	for _, ch := range app.MessageChannels {
		args = append(args, ch)
	}
	rows, err := a.db.ReadDB().Query(`EXPLAIN QUERY PLAN `+data.QueueReadSQL, append(args, a.doctor, a.patient)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	for _, d := range plan {
		if strings.Contains(d, "TEMP B-TREE") || strings.Contains(d, "SCAN") {
			t.Fatalf("the queue read sorts or scans: %q", plan)
		}
	}
}
