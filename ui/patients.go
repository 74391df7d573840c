package ui

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"net/url"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/i18n"
)

const (
	// searchDebounce is how long the small pickers (a booking's patient,
	// an invoice line's price item) wait after a keystroke, so that their
	// choices do not change under the pointer at every letter of a word
	// typed fast; short enough that the results show within 100 ms of the
	// last keystroke (the query takes under a millisecond). The Patients
	// area has none: every keystroke searches at once and only the newest
	// answer is shown.
	searchDebounce = 60 * time.Millisecond
	// patientPageSize is how many patients one page of results holds.
	patientPageSize = 50
	// pageAhead is how close to the end of the list a shown row must be
	// for the next page to be fetched.
	pageAhead = 10
)

// patientsScreen is the Patients area: one search box whose results update
// as one types, newest activity first, paged from the service as the list
// scrolls; a patient's chart opens in its place.
type patientsScreen struct {
	u *UI

	patients []*app.Patient
	next     string // cursor of the next page; "" when the last is shown
	loading  bool   // a page of the current search is being fetched
	searched bool   // a search has run since the area opened
	// openExact is the text submitted with Enter, whose search opens the
	// chart of the patient with that record number; "" otherwise.
	openExact string
	// seq numbers searches; a result of an older one than the newest is
	// dropped, so a slow answer to "gr" cannot replace the one to "grace".
	seq int
	// typedAt is when the newest search's text changed, and timing says
	// to log the time from then to its first result row bound in the list
	// (HMS_DEBUG_SEARCH, measuring typing latency in the real window).
	typedAt time.Time
	timing  bool
	timeSeq int // the search whose first bound row is still to be logged

	query        *escEntry
	showArchived *escCheck      // admins only
	mine         *escCheck      // doctors only: their assigned patients
	register     *widget.Button // roles that may register
	importCSV    *widget.Button
	exportCSV    *widget.Button // roles that may export
	list         *widget.List
	status       *widget.Label // counts, under the list
	hint         *widget.Label // what to do, over the empty list

	form     *patientForm  // the open register dialog
	importer *importWizard // the open import wizard
	chart    *chartScreen  // the open chart; nil while the list is shown

	search  fyne.CanvasObject // the search view
	content *fyne.Container   // the search view or a chart
}

func newPatientsScreen(u *UI) *patientsScreen {
	s := &patientsScreen{u: u, timing: os.Getenv("HMS_DEBUG_SEARCH") != ""}
	s.buildUI()
	return s
}

func (s *patientsScreen) role() app.Role { return s.u.session.User.Role }

func (s *patientsScreen) buildUI() {
	s.query = entry(T("Name, record number or phone"))
	s.query.OnChanged = func(string) { s.runSearch() }
	s.query.OnSubmitted = func(text string) {
		// A barcode scanner types the record number and Enter: a record
		// number that matches one patient opens their chart.
		s.openExact = strings.TrimSpace(text)
		s.searchNow()
	}
	role := s.role()
	var filters []fyne.CanvasObject
	if app.Can(role, app.PermArchivePatient) {
		s.showArchived = newCheck(T("Show archived"), func(bool) { s.searchNow() })
		filters = append(filters, s.showArchived)
	}
	if role == app.RoleDoctor {
		s.mine = newCheck(T("My patients"), func(bool) { s.searchNow() })
		filters = append(filters, s.mine)
	}
	var actions []fyne.CanvasObject
	if app.Can(role, app.PermRegisterPatient) {
		s.register = widget.NewButtonWithIcon(T("Register patient"), theme.ContentAddIcon(), s.onRegister)
		s.register.Importance = widget.HighImportance
		s.importCSV = widget.NewButtonWithIcon(T("Import CSV…"), theme.UploadIcon(), s.onImport)
		actions = append(actions, s.register, s.importCSV)
	}
	if app.Can(role, app.PermExportPatients) {
		s.exportCSV = widget.NewButtonWithIcon(T("Export CSV…"), theme.DownloadIcon(), s.onExport)
		actions = append(actions, s.exportCSV)
	}

	s.list = widget.NewList(
		func() int { return len(s.patients) },
		func() fyne.CanvasObject { return newFittedRow(patientColumns) },
		s.updateRow,
	)
	s.list.OnSelected = func(id widget.ListItemID) {
		s.list.UnselectAll()
		if id >= 0 && id < len(s.patients) {
			s.openChart(s.patients[id].ID)
		}
	}
	s.status = widget.NewLabel("")
	s.status.Importance = widget.LowImportance
	s.hint = widget.NewLabel(T("Type a name, record number or phone number,\nor press Enter to list the patients seen most recently."))
	s.hint.Alignment = fyne.TextAlignCenter
	s.hint.Importance = widget.LowImportance

	top := container.NewVBox(
		container.NewHBox(widget.NewLabelWithStyle(T("Patients"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			layout.NewSpacer(), container.NewHBox(actions...)),
		container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), container.NewHBox(filters...), s.query),
		columnHeader(patientColumns),
		widget.NewSeparator(),
	)
	s.search = container.NewBorder(top, s.status, nil, nil, container.NewStack(s.list, container.NewCenter(s.hint)))
	s.content = container.NewStack(s.search)
}

// patientColumns are the columns of a result row.
var patientColumns = []listColumn{
	{i18n.N("Name"), 300, false}, {i18n.N("Record number"), 150, false}, {i18n.N("Date of birth"), 190, false}, {i18n.N("Sex"), 90, false}, {i18n.N("Phone"), 170, false},
}

func (s *patientsScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(s.patients) {
		return
	}
	if s.timing && s.timeSeq == s.seq && s.timeSeq != 0 {
		s.timeSeq = 0
		now := time.Now()
		log.Printf("search timing: %q typed at %d, first row bound at %d: %.1f ms, %d rows",
			strings.TrimSpace(s.query.Text), s.typedAt.UnixMicro(), now.UnixMicro(),
			float64(now.Sub(s.typedAt).Microseconds())/1000, len(s.patients))
	}
	p := s.patients[id]
	name := p.FullName()
	imp := widget.MediumImportance
	if p.Archived() {
		name += T(" — archived")
		imp = widget.LowImportance
	}
	setFittedRow(o.(*fyne.Container), patientColumns, imp, name, p.MRN, p.BirthDate, sexLabel(p.Sex), p.Phone)
	if id >= len(s.patients)-pageAhead {
		s.loadMore()
	}
}

// searchNow runs the search again (Enter, a filter changed).
func (s *patientsScreen) searchNow() { s.runSearch() }

// runSearch fetches the first page of the current query as a new search.
// It runs on every keystroke: the newest search's answer is the only one
// shown (seq), whatever order the answers arrive in.
func (s *patientsScreen) runSearch() {
	s.seq++
	seq := s.seq
	if s.timing {
		s.typedAt = time.Now()
	}
	q := strings.TrimSpace(s.query.Text)
	s.loading = true
	s.searched = true
	if s.mine != nil && s.mine.Checked {
		background(s.u, func(ctx context.Context) ([]*app.Patient, error) {
			return s.u.svc.Clinical.MyPatients(ctx)
		}, func(ps []*app.Patient, err error) {
			if seq != s.seq {
				return
			}
			s.loading = false
			if err != nil {
				showError(err, s.u.win)
				return
			}
			s.show(filterPatients(ps, q), "", q)
			s.openScanned(q)
		})
		return
	}
	f := app.PatientFilter{Query: q, Limit: patientPageSize,
		IncludeArchived: s.showArchived != nil && s.showArchived.Checked}
	background(s.u, func(ctx context.Context) (*app.PatientPage, error) {
		return s.u.svc.Patients.FindPatients(ctx, f)
	}, func(page *app.PatientPage, err error) {
		if seq != s.seq {
			return
		}
		s.loading = false
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.show(page.Patients, page.Next, q)
		s.openScanned(q)
	})
}

// openScanned opens the chart of the patient whose record number is q,
// when q was submitted with Enter (a scanned wristband or sticker).
func (s *patientsScreen) openScanned(q string) {
	exact := s.openExact
	s.openExact = ""
	if exact == "" || exact != q {
		return
	}
	var found *app.Patient
	for _, p := range s.patients {
		if strings.EqualFold(p.MRN, q) {
			if found != nil {
				return
			}
			found = p
		}
	}
	if found != nil {
		s.openChart(found.ID)
	}
}

// show replaces the results with a first page.
func (s *patientsScreen) show(ps []*app.Patient, next, q string) {
	s.patients, s.next = ps, next
	if s.timing {
		s.timeSeq = s.seq
	}
	s.list.Refresh()
	s.list.ScrollToTop()
	s.updateStatus(q)
}

func (s *patientsScreen) updateStatus(q string) {
	if len(s.patients) == 0 {
		s.status.SetText("")
		if q != "" {
			s.hint.SetText(Tf("No patient matches “%s”.", q))
		} else {
			s.hint.SetText(T("No patients yet."))
		}
		s.hint.Show()
		return
	}
	s.hint.Hide()
	switch {
	case s.next != "":
		s.status.SetText(Tf("%d patients shown; scroll for more.", len(s.patients)))
	case len(s.patients) == 1:
		s.status.SetText(T("1 patient."))
	default:
		s.status.SetText(Tf("%d patients.", len(s.patients)))
	}
}

// loadMore fetches the next page of the current search, once.
func (s *patientsScreen) loadMore() {
	if s.next == "" || s.loading {
		return
	}
	seq := s.seq
	q := strings.TrimSpace(s.query.Text)
	f := app.PatientFilter{Query: q, Cursor: s.next, Limit: patientPageSize,
		IncludeArchived: s.showArchived != nil && s.showArchived.Checked}
	s.loading = true
	background(s.u, func(ctx context.Context) (*app.PatientPage, error) {
		return s.u.svc.Patients.FindPatients(ctx, f)
	}, func(page *app.PatientPage, err error) {
		if seq != s.seq {
			return
		}
		s.loading = false
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.patients = append(s.patients, page.Patients...)
		s.next = page.Next
		s.list.Refresh()
		s.updateStatus(q)
	})
}

// filterPatients keeps the patients whose name, record number or phone
// matches q the way the search box does (each word a prefix of a name,
// accents ignored).
func filterPatients(ps []*app.Patient, q string) []*app.Patient {
	words := strings.Fields(app.FoldForSearch(q))
	if len(words) == 0 {
		return ps
	}
	var out []*app.Patient
	for _, p := range ps {
		names := strings.Fields(app.FoldForSearch(p.FullName()))
		digits := app.PhoneDigits(q)
		ok := true
		for _, w := range words {
			hit := strings.Contains(strings.ToLower(p.MRN), w) ||
				(len(digits) >= 3 && strings.Contains(app.PhoneDigits(p.Phone), digits))
			for _, n := range names {
				hit = hit || strings.HasPrefix(n, w)
			}
			ok = ok && hit
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}

// openChart shows a patient's chart in place of the results.
func (s *patientsScreen) openChart(id string) {
	s.u.touch()
	s.chart = newChartScreen(s.u, id, s.closeChart, s.onPatientChanged)
	s.content.Objects = []fyne.CanvasObject{s.chart.content}
	s.content.Refresh()
	s.chart.load()
}

// closeChart goes back to the results, as they were.
func (s *patientsScreen) closeChart() {
	s.u.touch()
	s.chart = nil
	s.content.Objects = []fyne.CanvasObject{s.search}
	s.content.Refresh()
}

// onPatientChanged refreshes the results after a record changed (edited,
// archived, purged), when a search is on view.
func (s *patientsScreen) onPatientChanged() {
	if s.searched {
		s.searchNow()
	}
}

func (s *patientsScreen) onRegister() {
	s.form = showPatientForm(s.u, nil, func(p *app.Patient) {
		s.form = nil
		if p != nil {
			s.openChart(p.ID)
		}
	})
}

func (s *patientsScreen) onExport() {
	saveDialog(s.u.win, "patients-"+s.u.now().In(s.u.location()).Format(app.DateLayout)+".csv", []string{".csv"}, s.onExportFile)
}

// onExportFile writes every patient to the file chosen in the save dialog.
func (s *patientsScreen) onExportFile(w fyne.URIWriteCloser, err error) {
	if err != nil {
		showError(err, s.u.win)
		return
	}
	if w == nil {
		return // cancelled
	}
	if s.exportCSV != nil {
		s.exportCSV.Disable()
	}
	name := w.URI().Name()
	background(s.u, func(ctx context.Context) (int, error) {
		n, err := s.u.svc.Patients.ExportPatients(ctx, w)
		if cerr := w.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close export file: %w", cerr)
		}
		return n, err
	}, func(n int, err error) {
		if s.exportCSV != nil {
			s.exportCSV.Enable()
		}
		if err != nil {
			showError(err, s.u.win)
			return
		}
		showMessage(T("Export done"), Tf("Exported %d patients to %s.", n, name), s.u.win)
	})
}

func (s *patientsScreen) onImport() {
	d := dialog.NewFileOpen(s.onImportFile, s.u.win)
	d.SetFilter(importFilter{storage.NewExtensionFileFilter([]string{".csv", ".txt"})})
	d.Show()
}

// importFilter offers in the open dialog only the regular files its
// extensions match. The dialog opens the file chosen before HMS sees it,
// and opening a FIFO (a named pipe) waits for a writer: one is never
// offered. onImportFile checks the file it gets again.
type importFilter struct{ ext storage.FileFilter }

func (f importFilter) Matches(u fyne.URI) bool {
	if !f.ext.Matches(u) {
		return false
	}
	if u.Scheme() != "file" {
		return true
	}
	st, err := os.Stat(u.Path())
	return err == nil && st.Mode().IsRegular()
}

// regularReader refuses a reader the open dialog gave for something other
// than a regular file (a folder, a FIFO, a device), with the message the
// command line gives, before anything is read from it. A reader that
// cannot say (not a local file) passes.
func regularReader(r fyne.URIReadCloser) error {
	st, ok := r.(interface{ Stat() (fs.FileInfo, error) })
	if !ok {
		return nil
	}
	fi, err := st.Stat()
	if err != nil {
		return app.Errorf(app.EINVALID, "Cannot read %s: %v.", r.URI().Name(), err)
	}
	return app.NotRegularFile(r.URI().Name(), fi.Mode())
}

// onImportFile reads the CSV file chosen in the open dialog and shows the
// import wizard on it.
func (s *patientsScreen) onImportFile(r fyne.URIReadCloser, err error) {
	if err != nil {
		showError(err, s.u.win)
		return
	}
	if r == nil {
		return // cancelled
	}
	if err := regularReader(r); err != nil {
		r.Close()
		showError(err, s.u.win)
		return
	}
	name := r.URI().Name()
	background(s.u, func(context.Context) (*app.CSVTable, error) {
		defer r.Close()
		return app.ReadCSV(r)
	}, func(t *app.CSVTable, err error) {
		if err != nil {
			showError(err, s.u.win)
			return
		}
		s.importer = showImportWizard(s.u, name, t, func() {
			s.importer = nil
			s.onPatientChanged()
		})
	})
}

// fileURL turns a storage URI into a URL for OpenURL.
func fileURL(u fyne.URI) (*url.URL, error) {
	return url.Parse(u.String())
}
