package ui

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// plainFields are Fyne's field constructors and types: a field built with
// one of them keeps Escape to itself, and its dialog stays open.
var plainFields = map[string]bool{
	"NewEntry": true, "NewMultiLineEntry": true, "NewPasswordEntry": true, "NewSelectEntry": true,
	"NewSelect": true, "NewCheck": true, "NewEntryWithData": true, "NewCheckWithData": true,
	"Entry": true, "Select": true, "Check": true, "SelectEntry": true,
}

// plainDialogs are Fyne's dialog constructors that build buttons of their
// own, which keep Escape to themselves: escape.go's showMessage,
// showYesNo, newYesNo, newInfoDialog and newConfirmDialog build the same
// dialogs with escButtons.
var plainDialogs = map[string]bool{
	"NewInformation": true, "ShowInformation": true, "NewError": true, "ShowError": true,
	"NewConfirm": true, "ShowConfirm": true, "NewCustom": true, "ShowCustom": true,
	"NewCustomConfirm": true, "ShowCustomConfirm": true, "NewForm": true, "ShowForm": true,
}

// radioOutsideDialogs are the files whose radio groups are in no dialog,
// and why: Escape has no dialog to close there.
var radioOutsideDialogs = map[string]string{
	"dashboard.go": "the dashboard's period picker, on the page",
}

// TestFieldsAreBuiltByTheKeyAwareConstructors reads every form of the
// program: no field is built with Fyne's own constructors, which keep
// Escape and Enter to themselves, but with entry, multiLineEntry,
// passwordEntry, newSelect, newCheck or newSelectEntry; no radio group
// but on a page (Fyne's radio items cannot be extended: in a dialog a
// select takes its place, and the harness fails a dialog with one); and
// no dialog by Fyne's constructors that add buttons of their own. The
// buttons inside dialogs are built by newButton and newIconButton: the
// harness checks every dialog a test opens (checkDialogFields).
func TestFieldsAreBuiltByTheKeyAwareConstructors(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "escape.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			var sel *ast.SelectorExpr
			switch x := n.(type) {
			case *ast.CallExpr:
				sel, _ = x.Fun.(*ast.SelectorExpr)
			case *ast.CompositeLit:
				sel, _ = x.Type.(*ast.SelectorExpr)
			}
			if sel == nil {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			radio := strings.HasPrefix(sel.Sel.Name, "NewRadioGroup") || sel.Sel.Name == "RadioGroup"
			if id.Name == "widget" && (plainFields[sel.Sel.Name] || radio && radioOutsideDialogs[name] == "") {
				t.Errorf("%s: widget.%s builds a field on which Escape does not close its dialog; use the constructors of escape.go",
					fset.Position(n.Pos()), sel.Sel.Name)
			}
			if id.Name == "dialog" && plainDialogs[sel.Sel.Name] {
				t.Errorf("%s: dialog.%s builds buttons on which Escape does not close the dialog; use the dialogs of escape.go",
					fset.Position(n.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if checked < 50 {
		t.Fatalf("read %d files of the package, want all", checked)
	}
}

// dialogFields are the fields and buttons of the dialog top that take the
// focus: shown and enabled.
func dialogFields(top fyne.CanvasObject) []fyne.Focusable {
	var out []fyne.Focusable
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if d, ok := o.(fyne.Disableable); ok && d.Disabled() {
			return
		}
		switch w := o.(type) {
		case fyne.Focusable:
			out = append(out, w)
			if holdsRows(w) {
				// A list takes the focus, and so do the fields and
				// buttons of its rows.
				for _, ch := range test.WidgetRenderer(w.(fyne.Widget)).Objects() {
					visit(ch)
				}
			}
			return
		case *fyne.Container:
			for _, ch := range w.Objects {
				visit(ch)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(w).Objects() {
				visit(ch)
			}
		}
	}
	visit(top)
	return out
}

// holdsRows reports whether f is a list, table, grid or tree, whose rows
// have fields and buttons of their own.
func holdsRows(f fyne.Focusable) bool {
	switch f.(type) {
	case *widget.List, *wrappedList, *widget.Table, *widget.GridWrap, *widget.Tree:
		return true
	}
	return false
}

// plainFieldIn is the first field or button of Fyne's own in the dialog
// top, which keeps Escape to itself; nil when there is none.
func plainFieldIn(top fyne.CanvasObject) fyne.Focusable {
	for _, f := range dialogFields(top) {
		switch f.(type) {
		case *widget.Entry, *widget.Select, *widget.Check, *widget.SelectEntry, *widget.Button:
			return f
		}
		if fmt.Sprintf("%T", f) == "*widget.radioItem" {
			return f
		}
	}
	return nil
}

// checkDialogFields fails the test when the dialog on top of the window
// has a field on which Escape would not close it, in its rows too. The
// harness calls it whenever it drains, so every UI test checks the dialogs
// it goes through, and the rows a dialog's list shows once its data came;
// a dialog is reported once.
func (h *harness) checkDialogFields() {
	if h.u == nil || h.u.win == nil {
		return
	}
	top := h.u.win.Canvas().Overlays().Top()
	if top == nil || top == h.checkedTop {
		return
	}
	if isFileDialog(top) {
		h.checkedTop = top
		return // Fyne's own file dialog, whose fields the program does not build
	}
	if p, ok := top.(*widget.PopUp); ok {
		if _, ok := p.Content.(*widget.Calendar); ok {
			h.checkedTop = top
			return // the day picker's calendar: Fyne's own buttons, and a tap outside closes it
		}
	}
	if f := plainFieldIn(top); f != nil {
		h.checkedTop = top
		h.t.Errorf("a dialog has a %T on which Escape does not close it; dialog shows %q", f, h.texts())
	}
}

// isFileDialog reports whether o is Fyne's file dialog: its new-folder
// button (an icon only in Fyne 2.7), or one of its file items, which its
// folder view draws as soon as it has listed the folder.
func isFileDialog(o fyne.CanvasObject) bool {
	found := false
	newFolder := theme.FolderNewIcon().Name()
	walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && (b.Text == "New Folder" || b.Text == "Show Hidden Files" ||
			b.Icon != nil && b.Icon.Name() == newFolder) {
			found = true
		}
		if fmt.Sprintf("%T", o) == "*dialog.fileDialogItem" {
			found = true
		}
	})
	return found
}

// everyFieldEscapes opens a dialog with open, once per field of it, puts
// the focus on that field and presses Escape: the dialog must close each
// time, and nothing of what the dialog does may be done (done counts it).
func (h *harness) everyFieldEscapes(name string, open func()) {
	h.t.Helper()
	c := h.u.win.Canvas()
	for i := 0; ; i++ {
		before := len(c.Overlays().List())
		open()
		h.settle()
		if len(c.Overlays().List()) != before+1 {
			h.t.Fatalf("%s: did not open (%d overlays, had %d)", name, len(c.Overlays().List()), before)
		}
		fields := dialogFields(c.Overlays().Top())
		if i == 0 && len(fields) == 0 {
			h.t.Fatalf("%s: no fields", name)
		}
		if i >= len(fields) {
			escapeCanvas(c)
			h.settle()
			return
		}
		f := fields[i]
		c.Focus(f)
		if c.Focused() != f {
			h.t.Fatalf("%s: field %d (%T) does not take the focus", name, i, f)
		}
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		h.settle()
		if n := len(c.Overlays().List()); n != before {
			h.t.Errorf("%s: Escape in field %d (%T) left the dialog open", name, i, f)
			for len(c.Overlays().List()) > before && escapeCanvas(c) {
			}
			h.settle()
		}
	}
}

// enterDoesTheAction opens a dialog with open and presses Enter in each of
// its one-line entries that has nothing of its own to do on Enter: when the
// dialog has one action (one button drawn as the action), Enter does it,
// else Enter does nothing. The action is swapped for a counter, so the
// service is not called.
func (h *harness) enterDoesTheAction(name string, open func(), wantAction bool) {
	h.t.Helper()
	c := h.u.win.Canvas()
	open()
	h.settle()
	top := c.Overlays().Top()
	var actions []*widget.Button
	eachButton(top, func(b *widget.Button) {
		if b.Visible() && !b.Disabled() && b.OnTapped != nil && b.Importance == widget.HighImportance {
			actions = append(actions, b)
		}
	})
	if wantAction != (len(actions) == 1) {
		h.t.Fatalf("%s: %d actions, want one: %v", name, len(actions), wantAction)
	}
	tapped := 0
	if wantAction {
		orig := actions[0].OnTapped
		actions[0].OnTapped = func() { tapped++ }
		defer func() { actions[0].OnTapped = orig }()
	}
	entries := 0
	for _, f := range dialogFields(top) {
		e, ok := f.(*escEntry)
		if !ok || e.MultiLine || e.OnSubmitted != nil {
			continue
		}
		entries++
		was := tapped
		c.Focus(e)
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if wantAction && tapped != was+1 {
			h.t.Errorf("%s: Enter in entry %q did not do the action", name, e.PlaceHolder)
		}
	}
	if entries == 0 {
		h.t.Errorf("%s: no one-line entry to press Enter in", name)
	}
	if !wantAction && tapped != 0 {
		h.t.Errorf("%s: Enter did something", name)
	}
	escapeCanvas(c)
	h.settle()
}

// TestEveryDialogFieldClosesOnEscape opens the front desk's and the
// chart's dialogs and presses Escape in each of their fields in turn: the
// dialog closes each time and nothing is saved. Enter in a one-line entry
// with no Enter of its own does the dialog's one action (the walk-in's and
// the patient form's entries have their own: TestFormsKeyboard). (Every other UI test checks, through the
// harness, that the dialogs it opens have only fields that close them.)
func TestEveryDialogFieldClosesOnEscape(t *testing.T) {
	t.Run("FrontDesk", func(t *testing.T) {
		h := newClinicHarness(t)
		v := h.openBoard(app.RoleReception)
		h.waitFor("the board", func() bool { return v.board != nil })
		h.everyFieldEscapes("walk-in", v.onWalkIn)
		h.everyFieldEscapes("booking", v.onBook)
		h.everyFieldEscapes("cancel prompt", func() {
			showCancelPrompt(h.u, boardAppointments().Entries[0].Appointment, func() {})
		})
		h.everyFieldEscapes("change password", h.u.showChangePassword)
		h.enterDoesTheAction("change password", h.u.showChangePassword, true)
		h.openArea(app.AreaPatients)
		s := h.u.main.patients
		h.everyFieldEscapes("register patient", func() { test.Tap(s.register) })
		// The dialogs with a message: Escape on their focused button
		// answers no.
		var answers []bool
		h.everyFieldEscapes("question", func() {
			showYesNo("Discard the changes?", "The form has changes.", func(yes bool) { answers = append(answers, yes) }, h.u.win)
		})
		h.everyFieldEscapes("message", func() { showMessage("Saved", "The file was saved.", h.u.win) })
		h.everyFieldEscapes("confirm", func() {
			newConfirmDialog("Merge", "Merge", "Cancel", widget.NewLabel("Merge two records?"),
				func(yes bool) { answers = append(answers, yes) }, h.u.win).Show()
		})
		if len(answers) != 6 || slices.Contains(answers, true) { // each dialog opened thrice: once per button, once more
			t.Errorf("answers to Escape: %v", answers)
		}
		for _, m := range []string{"Cancel", "WalkIn", "Book", "CreatePatient", "FindDuplicates", "ChangePassword"} {
			if n := h.called(m); n != 0 {
				t.Errorf("Escape or Enter reached %s %d times", m, n)
			}
		}
	})
	t.Run("Chart", func(t *testing.T) {
		h := newClinicHarness(t)
		c := h.openChartOf(app.RoleDoctor)
		h.everyFieldEscapes("allergy", func() { test.Tap(c.summary.addAllergy) })
		h.enterDoesTheAction("allergy", func() { test.Tap(c.summary.addAllergy) }, true)
		// The note's form: the free-text-or-SOAP choice is a select.
		h.everyFieldEscapes("note", func() { test.Tap(c.notes.newNote) })
		if n := h.called("AddNote"); n != 0 {
			t.Errorf("Escape saved %d notes", n)
		}
		if n := h.called("AddAllergy"); n != 0 {
			t.Errorf("Escape or Enter added %d allergies", n)
		}
	})
}

// TestDialogCheckLooksInListRows shows a dialog whose list has a row with
// a button: a plain Fyne button there fails the harness's check, and a
// row built by newListRow passes it, its button closing the dialog on
// Escape.
func TestDialogCheckLooksInListRows(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("page"))
	w.Resize(fyne.NewSize(800, 600))
	c := w.Canvas()
	show := func(row func() fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewList(func() int { return 1 }, row, func(widget.ListItemID, fyne.CanvasObject) {})
		content := container.New(&allRowsLayout{length: func() int { return 1 }, row: row().MinSize().Height}, l)
		newInfoDialog("Possible duplicates", "Close", content, w).Show()
		return c.Overlays().Top()
	}

	top := show(func() fyne.CanvasObject {
		return container.NewBorder(nil, nil, nil, widget.NewButton("Open existing", nil), widget.NewLabel("Ann"))
	})
	f := plainFieldIn(top)
	if b, ok := f.(*widget.Button); !ok || b.Text != "Open existing" {
		t.Errorf("the check found %T %v in the list's row, want the plain button", f, f)
	}
	escapeCanvas(c)

	top = show(func() fyne.CanvasObject {
		r := newListRow(widget.NewLabel("Ann"), widget.NewButton("Open existing", nil))
		r.bind("p1", func() {})
		return r
	})
	if f := plainFieldIn(top); f != nil {
		t.Errorf("the check found %T in a row of newListRow", f)
	}
	var inRow *escButton
	for _, f := range dialogFields(top) {
		if b, ok := f.(*escButton); ok && b.Text == "Open existing" {
			inRow = b
		}
	}
	if inRow == nil {
		t.Fatalf("the row's button is not among the dialog's fields: %v", dialogFields(top))
	}
	c.Focus(inRow)
	inRow.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if n := len(c.Overlays().List()); n != 0 {
		t.Errorf("Escape on the row's button left %d dialogs open", n)
	}
}
