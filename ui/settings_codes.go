package ui

import (
	"context"
	"errors"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
	"hms/app/codes"
)

// codesImport is Settings' import of a diagnosis code list: the same as
// `hms codes import`, a CMS order file or a code,description CSV that
// replaces the desk's list of one code system, all or nothing; the
// problems are listed with their line numbers and nothing changes.
type codesImport struct {
	u *UI

	system  *escEntry
	choose  *widget.Button
	result  *widget.Label
	details *widget.Label // the problems, one a line
	errs    fieldErrors

	content fyne.CanvasObject
}

func newCodesImport(u *UI) *codesImport {
	c := &codesImport{u: u, errs: fieldErrors{}}
	c.system = entry(T("e.g. ICD-10-GM"))
	c.system.SetText(app.CodeSystemICD10CM)
	c.choose = widget.NewButtonWithIcon(T("Import a code list…"), theme.UploadIcon(), c.onChoose)
	c.result = widget.NewLabel("")
	c.result.Wrapping = fyne.TextWrapWord
	c.details = widget.NewLabel("")
	c.details.Wrapping = fyne.TextWrapWord
	c.details.Importance = widget.DangerImportance
	c.details.Hide()
	general := newErrorLabel()
	c.errs[""] = general
	form := widget.NewForm(widget.NewFormItem(T("Code system"), c.errs.add("system", c.system)))
	c.content = container.NewVBox(
		widget.NewLabelWithStyle(T("Diagnosis codes"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		mutedLabel(T("A CMS ICD-10-CM order file, or a CSV of code,description (ICD-10-GM, -AM or WHO editions), "+
			"replaces this desk's list of that code system. A file with any bad line is refused whole.")),
		container.New(widthLayout{640}, form),
		container.NewHBox(c.choose),
		general, c.result, c.details,
	)
	return c
}

func (c *codesImport) onChoose() {
	c.u.touch()
	c.errs.clear()
	if err := c.checkSystem(); err != nil {
		c.errs.show(err, c.u.win)
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError(err, c.u.win)
			return
		}
		if r == nil {
			return // cancelled
		}
		c.importFrom(r.URI().Name(), r)
	}, c.u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".txt", ".csv"}))
	d.Show()
}

func (c *codesImport) checkSystem() error {
	if s := strings.TrimSpace(c.system.Text); s == "" || len([]rune(s)) > 40 {
		return app.FieldErrorf("system", "%s", T("Name the code list in 1 to 40 characters, e.g. ICD-10-GM."))
	}
	return nil
}

// importFrom parses the file and imports it; r is closed.
func (c *codesImport) importFrom(name string, r io.ReadCloser) {
	c.errs.clear()
	if err := c.checkSystem(); err != nil {
		r.Close()
		c.errs.show(err, c.u.win)
		return
	}
	system := strings.TrimSpace(c.system.Text)
	c.choose.Disable()
	c.result.SetText(Tf("Reading %s…", name))
	c.details.Hide()
	type outcome struct {
		n   int
		bad []app.RowError
	}
	background(c.u, func(ctx context.Context) (outcome, error) {
		rows, bad, err := codes.Parse(r)
		r.Close()
		if errors.Is(err, codes.ErrEmpty) {
			return outcome{}, app.Errorf(app.EINVALID, "%s", Tf("%s has no codes.", name))
		}
		if err != nil || len(bad) > 0 {
			return outcome{bad: bad}, err
		}
		n, err := c.u.svc.Diagnoses.ImportCodes(ctx, system, rows)
		var ie *app.ImportError
		if errors.As(err, &ie) {
			return outcome{bad: ie.Rows}, nil
		}
		return outcome{n: n}, err
	}, func(o outcome, err error) {
		c.choose.Enable()
		c.result.SetText("")
		if err != nil {
			c.errs.show(err, c.u.win)
			return
		}
		if len(o.bad) > 0 {
			c.result.SetText(Tf("Nothing was imported: %d problems in %s; fix them and import again.", len(o.bad), name))
			lines := make([]string, 0, min(len(o.bad), 50))
			for i, b := range o.bad {
				if i == 50 {
					lines = append(lines, Tf("… and %d more.", len(o.bad)-50))
					break
				}
				lines = append(lines, rowErrorText(b))
			}
			c.details.SetText(strings.Join(lines, "\n"))
			c.details.Show()
			return
		}
		c.result.SetText(Tf("Imported %d codes as this desk's %s list from %s.", o.n, system, name))
	})
}
