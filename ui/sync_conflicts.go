package ui

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// conflictsScreen lists the changes that lost to others or that the server
// refused (app.Conflict), for a person to decide: keep what won, or take
// what lost. Staff who arrange appointments see them; administrators
// decide.
type conflictsScreen struct {
	u *UI
	// canResolve shows the buttons that decide.
	canResolve bool
	// canSettle shows the buttons that settle an overpaid invoice (staff
	// who manage billing); billingOnly lists the billing conflicts alone
	// (Billing → Overpaid).
	canSettle, billingOnly bool
	prompt                 *promptForm // the open "Refund the excess" prompt

	showAll *escCheck
	reload  *widget.Button
	count   *widget.Label
	list    *wrappedList
	empty   *widget.Label
	confirm dialog.Dialog // the open "Take what lost" confirmation

	items   []*app.Conflict
	content fyne.CanvasObject
}

func newConflictsScreen(u *UI, canResolve bool) *conflictsScreen {
	s := &conflictsScreen{u: u, canResolve: canResolve, canSettle: app.Can(u.session.User.Role, app.PermManageBilling)}
	s.buildUI()
	return s
}

func (s *conflictsScreen) buildUI() {
	s.showAll = newCheck(T("Show resolved ones too"), func(bool) { s.load() })
	s.reload = widget.NewButtonWithIcon(T("Refresh"), theme.ViewRefreshIcon(), s.load)
	s.count = widget.NewLabel("")
	s.empty = mutedLabel(T("No conflicts wait for review: every change of every desk was taken as it was."))
	s.empty.Hide()
	s.list = newWrappedList(func() int { return len(s.items) }, s.newRow, s.updateRow)
	help := mutedLabel(T("When two desks changed the same thing while apart, the newer change won and the other was kept here. " +
		"Keep what won, or take what lost: it then becomes a new change that wins on every desk. " +
		"A patient registered on two desks while apart shows here too: keep both records, or merge them."))
	if !s.canResolve {
		help.SetText(T("When two desks changed the same thing while apart, the newer change won and the other was kept here. " +
			"A booking that lost needs a new time: book it again. An administrator decides the rest."))
	}
	title := T("Sync conflicts")
	if s.billingOnly {
		title = T("Billing conflicts")
		s.empty.SetText(T("No billing conflict waits: no invoice is overpaid, and no change of an invoice or its lines lost on another desk."))
		help.SetText(T("An invoice paid on two desks while they were apart is paid more than its total. Refund the excess " +
			"to the patient, or allocate it to another unpaid invoice of theirs. One desk settles it for the whole clinic: " +
			"the first to ask the sync server. A change of an invoice or its lines that lost to another desk's, or to the " +
			"invoice's issue, shows here too: keep what won, or take what lost while the invoice is a draft. " +
			"So does a payment refunded on two desks while they were apart, or an overpaid invoice refunded on both so that it owes again: " +
			"put it right with the patient, then mark it done."))
	}
	top := container.NewVBox(
		container.NewHBox(sectionTitle(title), s.count, layout.NewSpacer(), s.showAll, s.reload),
		help,
		s.empty,
	)
	s.content = container.NewBorder(top, nil, nil, nil, s.list)
}

// conflictRow is one row of the list: what, the two values, the rule, and
// the buttons that decide.
type conflictRow struct {
	widget.BaseWidget
	title, values, meta *widget.Label
	keep, take          *widget.Button
	content             fyne.CanvasObject
}

func (s *conflictsScreen) newRow() fyne.CanvasObject {
	r := &conflictRow{
		title:  widget.NewLabelWithStyle("Patient P-D1-000001 Someone", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), //i18n:ok a list row's template, replaced before shown
		values: widget.NewLabel("lost / won"),                                                                              //i18n:ok a list row's template, replaced before shown
		meta:   widget.NewLabel("rule"),
		keep:   widget.NewButton(T("Keep what won"), nil),
		take:   widget.NewButton(T("Take what lost"), nil),
	}
	// The text wraps, the row growing (a wrappedList): the values that
	// lost and won, and an overpaid invoice's receipts, are read whole.
	for _, l := range []*widget.Label{r.title, r.values, r.meta} {
		l.Wrapping = fyne.TextWrapWord
	}
	r.meta.Importance = widget.LowImportance
	buttons := container.NewVBox(layout.NewSpacer(), container.NewHBox(r.keep, r.take), layout.NewSpacer())
	r.content = container.NewBorder(nil, nil, nil, buttons, container.NewVBox(r.title, r.values, r.meta))
	r.ExtendBaseWidget(r)
	return r
}

func (r *conflictRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

func (s *conflictsScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*conflictRow)
	if !ok || id < 0 || id >= len(s.items) {
		return
	}
	c := s.items[id]
	// The buttons a row shows depend on its conflict: lay the row out
	// again, so that its text takes the width they leave, the width
	// wrappedList measured its height at (laid out as it was, a wrapped
	// line more ran over the next label).
	defer r.content.Refresh()
	if c.DuplicateOf != "" {
		s.updateDuplicateRow(r, c)
		return
	}
	if c.Overpaid != nil {
		s.updateOverpaidRow(r, c)
		return
	}
	if c.Entity == "payments" {
		s.updateRefundedTwiceRow(r, c)
		return
	}
	if c.Refunds != nil && c.Entity == "invoices" {
		s.updateRefundedBeyondRow(r, c)
		return
	}
	r.keep.SetText(T("Keep what won"))
	r.take.SetText(T("Take what lost"))
	loc := s.u.location()
	title := Tx(c.What)
	if c.Field != "" {
		title += " — " + T(fieldLabel(c.Field))
	}
	r.title.SetText(title)
	now := s.u.now().In(loc)
	when := func(t time.Time) string {
		if t.IsZero() {
			return T("time unknown")
		}
		return clockTime(t, now)
	}
	lost := conflictValue(c.LostValue)
	if c.Field == "" {
		lost = wholeChange(c.LostValue)
	}
	won := T("nothing won")
	switch {
	case strings.HasPrefix(c.Rule, "refused"):
		won = T("refused by the server")
	case c.WonValue != "null" || !c.WonAt.IsZero():
		won = Tf("won: %s (%s, %s)", conflictValue(c.WonValue), s.deskName(c.WonDesk), when(c.WonAt))
	}
	r.values.SetText(Tf("Lost: %s (%s, %s) · %s", lost, s.deskName(c.LostDesk), when(c.LostAt), won))
	meta := Tf("Rule: %s · found %s", ruleShown(c), when(c.DetectedAt))
	if !c.ResolvedAt.IsZero() {
		meta = Tf("Resolved %s by %s: %s · ", when(c.ResolvedAt), c.ResolvedBy, resolutionLabel(c.Resolution)) + meta
	}
	r.meta.SetText(meta)
	r.keep.OnTapped = func() { s.onKeep(c) }
	r.take.OnTapped = func() { s.onTake(c) }
	open := s.canResolve && c.ResolvedAt.IsZero()
	for _, b := range []*widget.Button{r.keep, r.take} {
		if open {
			b.Show()
		} else {
			b.Hide()
		}
	}
	// Only a field can be taken back; a whole change is made again. A
	// line of an issued invoice never changes: it is credited and invoiced
	// again instead.
	if c.Field == "" || strings.HasPrefix(c.Rule, "billing: an issued invoice keeps") {
		r.take.Disable()
	} else {
		r.take.Enable()
	}
}

// updateDuplicateRow shows a possible duplicate: two records that look
// like one patient, registered on two desks while apart. Keep both (two
// people), or merge the later into the first.
func (s *conflictsScreen) updateDuplicateRow(r *conflictRow, c *app.Conflict) {
	now := s.u.now().In(s.u.location())
	r.title.SetText(Tx(c.What))
	r.values.SetText(Tf("Registered first (%s): %s · later (%s): %s",
		clockTime(c.WonAt, now), plainValue(c.WonValue), clockTime(c.LostAt, now), plainValue(c.LostValue)))
	meta := Tf("Possible duplicate: %s · found %s", ruleShown(c), clockTime(c.DetectedAt, now))
	if !c.ResolvedAt.IsZero() {
		meta = Tf("Decided %s by %s: %s · ", clockTime(c.ResolvedAt, now), c.ResolvedBy, duplicateResolutionLabel(c.Resolution)) + meta
	}
	r.meta.SetText(meta)
	r.keep.SetText(T("Two people: keep both"))
	r.take.SetText(T("Same patient: merge"))
	r.keep.OnTapped = func() { s.resolve(c, app.ResolutionKeep) }
	r.take.OnTapped = func() { s.onMerge(c) }
	r.take.Enable()
	for _, b := range []*widget.Button{r.keep, r.take} {
		if s.canResolve && c.ResolvedAt.IsZero() {
			b.Show()
		} else {
			b.Hide()
		}
	}
}

// updateRefundedTwiceRow shows a payment refunded on two desks that were
// apart (data.RuleRefundedTwice): both refunds were paid out and both stay
// on record. Billing puts it right (the patient returns one refund, taken
// as a payment, or why not is noted) and marks it done.
func (s *conflictsScreen) updateRefundedTwiceRow(r *conflictRow, c *app.Conflict) {
	now := s.u.now().In(s.u.location())
	r.title.SetText(Tf("%s — refunded twice", Tx(c.What)))
	// Where each reversal's money went: back to the patient, or (a
	// settlement) the excess to another invoice.
	var paid, moved []app.RefundMade
	for _, m := range c.Refunds {
		if m.MovedTo == "" {
			paid = append(paid, m)
		} else {
			moved = append(moved, m)
		}
	}
	var values, todo string
	switch {
	case len(moved) >= 2:
		values = Tf("On two desks that were apart, %s and %s both moved this payment's excess to another invoice (%s, %s): the patient was credited twice.",
			moved[0].Receipt, moved[1].Receipt, moved[0].MovedTo, moved[1].MovedTo)
		todo = Tf("What to do: take one of the two credits back (invoices %s and %s), or note why not; then mark it done · found %s",
			moved[0].MovedTo, moved[1].MovedTo, clockTime(c.DetectedAt, now))
	case len(moved) == 1 && len(paid) >= 1:
		values = Tf("On two desks that were apart, refund %s paid this payment back to the patient and %s moved its excess to invoice %s: the patient was paid back and credited on that invoice as well.",
			paid[0].Receipt, moved[0].Receipt, moved[0].MovedTo)
		todo = Tf("What to do: ask the patient to return the refund and take it as a payment, or take the credit on invoice %s back; or note why not; then mark it done · found %s",
			moved[0].MovedTo, clockTime(c.DetectedAt, now))
	default:
		values = Tf("Refunds %s and %s of this payment were both paid out, on two desks that were apart: the patient was paid back twice.",
			plainValue(c.WonValue), plainValue(c.LostValue))
		todo = Tf("What to do: ask the patient to return one refund and take it as a payment, or note why not; then mark it done · found %s",
			clockTime(c.DetectedAt, now))
	}
	r.values.SetText(values)
	s.refundsRowEnd(r, c, todo)
}

// updateRefundedBeyondRow shows an overpaid invoice whose payments were
// refunded on two desks that were apart (data.RuleRefundedBeyond): each
// took the excess back, so together they paid back more than the excess
// and the invoice owes again. Billing takes what it owes from the patient
// (or notes why not) and marks it done.
func (s *conflictsScreen) updateRefundedBeyondRow(r *conflictRow, c *app.Conflict) {
	now := s.u.now().In(s.u.location())
	r.title.SetText(Tf("%s — refunded on two desks", Tx(c.What)))
	var refunds []string
	for _, m := range c.Refunds {
		if m.MovedTo != "" {
			refunds = append(refunds, Tf("%s (to invoice %s)", m.Receipt, m.MovedTo))
		} else {
			refunds = append(refunds, m.Receipt)
		}
	}
	r.values.SetText(Tf("This invoice was paid twice, and refunds %s were made on two desks that were apart, each taking the excess back: together they paid back more than the excess, and the invoice owes again.",
		strings.Join(refunds, ", ")))
	s.refundsRowEnd(r, c, Tf("What to do: ask the patient to pay what the invoice owes and take it as a payment, or note why not (a credit note, say); then mark it done · found %s",
		clockTime(c.DetectedAt, now)))
}

// refundsRowEnd shows a refunds review item's what to do, who marked it
// done, and the one button that does.
func (s *conflictsScreen) refundsRowEnd(r *conflictRow, c *app.Conflict, todo string) {
	if !c.ResolvedAt.IsZero() {
		todo = Tf("Marked done %s by %s · ", clockTime(c.ResolvedAt, s.u.now().In(s.u.location())), c.ResolvedBy) + todo
	}
	r.meta.SetText(todo)
	r.keep.SetText(T("Mark done"))
	r.keep.OnTapped = func() { s.resolve(c, app.ResolutionKeep) }
	r.take.Hide()
	if s.canResolve && c.ResolvedAt.IsZero() {
		r.keep.Show()
	} else {
		r.keep.Hide()
	}
}

// plainValue is a JSON text value as it reads, without quotes.
func plainValue(v string) string {
	var s string
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return conflictValue(v)
	}
	return s
}

// duplicateResolutionLabel says what was decided about a possible duplicate.
func duplicateResolutionLabel(r app.Resolution) string {
	switch r {
	case app.ResolutionKeep:
		return T("two people, both records kept")
	case app.ResolutionMerged:
		return T("one patient, records merged")
	}
	return string(r)
}

// onMerge asks first: the later record is archived as merged into the
// first, on every desk.
func (s *conflictsScreen) onMerge(c *app.Conflict) {
	later, _, _ := strings.Cut(plainValue(c.LostValue), ",")
	first, _, _ := strings.Cut(plainValue(c.WonValue), ",")
	msg := widget.NewLabel(Tf("Merge %s into %s?\n\n%s keeps its number and takes any phone, e-mail or address "+
		"it lacks, and every allergy recorded under %s, which is archived as merged into it, on every desk. Visits, "+
		"notes and bills stay under the record they were written under; the two records link to each other.",
		later, first, first, later))
	msg.Wrapping = fyne.TextWrapWord
	d := newConfirmDialog(T("Merge two records of one patient"), T("Merge"), T("Cancel"), msg, func(ok bool) {
		s.confirm = nil
		if ok {
			s.resolve(c, app.ResolutionMerged)
		}
	}, s.u.win)
	d.Resize(fyne.NewSize(520, 0))
	s.confirm = d
	d.Show()
}

// deskName names the desk a site id belongs to.
func (s *conflictsScreen) deskName(site string) string {
	if site == "" {
		return T("no desk")
	}
	if st := s.u.syncState; st != nil && st.SiteID == site {
		return T("this desk")
	}
	if len(site) > 8 {
		site = site[len(site)-8:]
	}
	return Tf("desk …%s", site)
}

// conflictValue shows a JSON value for a person: text without quotes,
// "(empty)", "(nothing)".
func conflictValue(v string) string {
	var x any
	if err := json.Unmarshal([]byte(v), &x); err != nil {
		return clipText(v, 60)
	}
	switch t := x.(type) {
	case nil:
		return T("(nothing)")
	case string:
		if t == "" {
			return T("(empty)")
		}
		return "“" + clipText(t, 60) + "”"
	}
	return clipText(v, 60)
}

// wholeChange says what a whole change that lost was, from its JSON
// ({"kind": "insert", "payload": …}).
func wholeChange(v string) string {
	var op struct{ Kind string }
	if err := json.Unmarshal([]byte(v), &op); err == nil {
		switch op.Kind {
		case "insert":
			return T("creating it")
		case "update":
			return T("a change to it")
		case "delete":
			return T("deleting it")
		}
	}
	return conflictValue(v)
}

// clipText shortens s to n runes.
func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func resolutionLabel(r app.Resolution) string {
	switch r {
	case app.ResolutionKeep:
		return T("kept what won")
	case app.ResolutionTake:
		return T("took what lost")
	case app.ResolutionMerged:
		return T("merged")
	}
	return string(r)
}

// load lists the conflicts again.
func (s *conflictsScreen) load() {
	all := s.showAll.Checked
	background(s.u, func(ctx context.Context) ([]*app.Conflict, error) {
		return s.u.svc.Sync.ListConflicts(ctx, all)
	}, func(list []*app.Conflict, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.show(list)
	})
}

func (s *conflictsScreen) show(list []*app.Conflict) {
	if s.billingOnly {
		var billing []*app.Conflict
		for _, c := range list {
			if c.Overpaid != nil || c.Entity == "invoices" || c.Entity == "invoice_lines" || c.Entity == "payments" {
				billing = append(billing, c)
			}
		}
		list = billing
	}
	s.items = list
	open := 0
	for _, c := range list {
		if c.ResolvedAt.IsZero() {
			open++
		}
	}
	s.count.SetText(Tf("%d open", open))
	if len(list) == 0 {
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	s.list.UnselectAll()
	s.list.refit()
}

func (s *conflictsScreen) onKeep(c *app.Conflict) { s.resolve(c, app.ResolutionKeep) }

// onTake asks first: what lost becomes a change that wins on every desk.
func (s *conflictsScreen) onTake(c *app.Conflict) {
	msg := Tf("Set the %s of %s back to %s? This desk writes it as a new change, which then wins on every desk.",
		strings.ToLower(T(fieldLabel(c.Field))), Tx(c.What), conflictValue(c.LostValue))
	d := newYesNo(T("Take what lost"), msg, func(ok bool) {
		s.confirm = nil
		if ok {
			s.resolve(c, app.ResolutionTake)
		}
	}, s.u.win)
	d.SetConfirmText(T("Take what lost"))
	d.SetDismissText(T("Cancel"))
	s.confirm = d
	d.Show()
}

// resolve records the decision r about c, then lists the conflicts again
// and updates the status bar.
func (s *conflictsScreen) resolve(c *app.Conflict, r app.Resolution) {
	background(s.u, func(ctx context.Context) (*app.SyncStatus, error) {
		if _, err := s.u.svc.Sync.ResolveConflict(ctx, c.ID, r); err != nil {
			return nil, err
		}
		st, err := s.u.svc.Sync.SyncStatus(ctx)
		if err != nil {
			return nil, nil // decided all the same; the status comes with the next round
		}
		return st, nil
	}, func(st *app.SyncStatus, err error) {
		if err != nil {
			showError(err, s.u.win)
			s.load() // it may have been resolved elsewhere meanwhile
			return
		}
		if st != nil {
			s.u.showSyncStatus(st)
		}
		s.load()
	})
}

// ruleShown is what decided a conflict, in the screens' language; a
// conflict without the rule's text (from an older service) shows the rule
// as kept, in English.
func ruleShown(c *app.Conflict) string {
	if c.RuleText.IsZero() {
		return strings.TrimPrefix(c.Rule, "possible duplicate: ")
	}
	return Tx(c.RuleText)
}
