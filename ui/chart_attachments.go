package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"hms/app"
)

// attachmentTypes are the report types in the order the select offers them.
var attachmentTypes = []app.AttachmentType{app.AttachmentLab, app.AttachmentImaging, app.AttachmentDischarge, app.AttachmentOther}

func attachmentTypeLabel(t app.AttachmentType) string {
	switch t {
	case app.AttachmentLab:
		return T("Lab")
	case app.AttachmentImaging:
		return T("Imaging")
	case app.AttachmentDischarge:
		return T("Discharge summary")
	case app.AttachmentOther:
		return T("Other")
	}
	return string(t)
}

// attachmentsTab lists the files attached to the record (screens call them
// reports), newest first, in a widget.List over the attachments it holds;
// images open inline, any other file in the system's viewer.
type attachmentsTab struct {
	b           *chartBase
	attachments []*app.Attachment

	attach *widget.Button // those who attach files
	list   *widget.List
	empty  *widget.Label

	form   *attachmentForm // the open attach form
	image  *canvas.Image   // the image on view
	viewer dialog.Dialog

	content fyne.CanvasObject
}

func newAttachmentsTab(b *chartBase) *attachmentsTab {
	t := &attachmentsTab{b: b}
	t.list = widget.NewList(func() int { return len(t.attachments) }, t.newRow, t.updateRow)
	t.empty = mutedLabel(T("No reports attached."))
	t.empty.Hide()
	var top fyne.CanvasObject
	if b.can(app.PermWriteNursing) || b.can(app.PermWriteClinical) {
		t.attach = widget.NewButtonWithIcon(T("Attach…"), theme.UploadIcon(), func() { t.form = showAttachmentForm(t) })
		t.attach.Importance = widget.HighImportance
		top = container.NewHBox(t.attach)
	}
	t.content = container.NewBorder(top, nil, nil, nil, container.NewStack(t.list, container.NewVBox(t.empty)))
	return t
}

func (t *attachmentsTab) view() fyne.CanvasObject { return t.content }

func (t *attachmentsTab) load() {
	b := t.b
	callThen(b.u, func(ctx context.Context) ([]*app.Attachment, error) {
		return b.u.svc.Attachments.FindAttachments(ctx, b.id)
	}, func(rs []*app.Attachment) {
		t.show(rs)
	})
}

func (t *attachmentsTab) show(rs []*app.Attachment) {
	t.attachments = rs
	t.empty.Hidden = len(rs) > 0
	t.empty.Refresh()
	t.list.UnselectAll()
	t.list.Refresh()
}

// attachmentRow is one row of the list: the title, what and when, and the
// button that opens it.
type attachmentRow struct {
	widget.BaseWidget
	title, info *widget.Label
	open        *widget.Button
	content     fyne.CanvasObject
}

func (t *attachmentsTab) newRow() fyne.CanvasObject {
	r := &attachmentRow{
		title: sectionTitle(T("Title")),
		info:  widget.NewLabel(T("Type · date · file (size) · uploaded by")),
		open:  widget.NewButtonWithIcon(T("Open"), theme.FileIcon(), nil),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.info.Truncation = fyne.TextTruncateEllipsis
	r.info.Importance = widget.LowImportance
	r.content = container.NewBorder(nil, nil, nil, container.NewCenter(r.open), container.NewVBox(r.title, r.info))
	r.ExtendBaseWidget(r)
	return r
}

func (r *attachmentRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

func (t *attachmentsTab) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	r, ok := o.(*attachmentRow)
	if !ok || id < 0 || id >= len(t.attachments) {
		return
	}
	a := t.attachments[id]
	r.title.SetText(a.Title)
	r.info.SetText(attachmentTypeLabel(a.Type) + " · " + a.Date + " · " + a.FileName + " (" + sizeText(a.Size) + ") · " + a.UploadedBy)
	r.open.OnTapped = func() { t.onOpen(a) }
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return Tf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return Tf("%d kB", n>>10)
	}
	return Tf("%d bytes", n)
}

// openedAttachment is a report fetched for viewing: an image to show, or the
// temporary file it was written to for the system's viewer.
type openedAttachment struct {
	attachment *app.Attachment
	content    []byte
	file       string
}

func isInlineImage(mediaType string) bool {
	return mediaType == "image/png" || mediaType == "image/jpeg"
}

func (t *attachmentsTab) onOpen(r *app.Attachment) {
	u := t.b.u
	background(u, func(ctx context.Context) (openedAttachment, error) {
		rep, content, err := u.svc.Attachments.OpenAttachment(ctx, r.ID)
		if err != nil {
			return openedAttachment{}, err
		}
		o := openedAttachment{attachment: rep, content: content}
		if !isInlineImage(rep.MediaType) {
			o.content = nil
			o.file, err = u.viewFiles.write(viewerName(rep), content)
		}
		return o, err
	}, func(o openedAttachment, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		if o.file != "" {
			openURI(u, storage.NewFileURI(o.file))
			return
		}
		t.showImage(o.attachment, o.content)
	})
}

// viewerName is the file name a report is opened under: its own base name,
// with the extension of its media type.
func viewerName(r *app.Attachment) string {
	base := filepath.Base(r.FileName)
	ext := filepath.Ext(base)
	switch r.MediaType {
	case "application/pdf":
		ext = ".pdf"
	case "text/plain":
		ext = ".txt"
	}
	name := base[:len(base)-len(filepath.Ext(base))]
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "report"
	}
	return name + ext
}

func (t *attachmentsTab) showImage(r *app.Attachment, content []byte) {
	img := canvas.NewImageFromReader(bytes.NewReader(content), r.FileName)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(640, 480))
	t.image = img
	t.viewer = newInfoDialog(r.Title+" — "+r.Date, T("Close"), img, t.b.u.win)
	t.viewer.SetOnClosed(func() { t.image, t.viewer = nil, nil })
	t.viewer.Show()
}

// attachmentForm attaches a file to the record.
type attachmentForm struct {
	t *attachmentsTab

	title    *escEntry
	kind     *escSelect
	date     *escEntry
	choose   *escButton
	file     *widget.Label
	fileName string
	content  []byte
	save     *escButton
	cancel   *escButton
	errs     fieldErrors
	dialog   dialog.Dialog
}

func showAttachmentForm(t *attachmentsTab) *attachmentForm {
	b := t.b
	f := &attachmentForm{t: t, errs: fieldErrors{}}
	f.title = entry(T("e.g. Full blood count"))
	opts := make([]string, len(attachmentTypes))
	for i, rt := range attachmentTypes {
		opts[i] = attachmentTypeLabel(rt)
	}
	f.kind = newSelect(opts, nil)
	f.kind.PlaceHolder = T("Choose the type")
	f.date = entry(T("YYYY-MM-DD"))
	f.date.SetText(b.today().Format(app.DateLayout))
	f.choose = newIconButton(T("Choose file…"), theme.FolderOpenIcon(), f.onChoose)
	f.file = mutedLabel(T("PDF, image or text; at most 25 MB."))
	f.save = newButton(T("Attach"), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = newButton(T("Cancel"), func() { f.dialog.Hide() })
	general := newErrorLabel()
	f.errs[""] = general
	content := container.NewVBox(widget.NewForm(
		widget.NewFormItem(T("Title"), f.errs.add("title", f.title)),
		widget.NewFormItem(T("Type"), f.errs.add("type", f.kind)),
		widget.NewFormItem(T("Date"), f.errs.add("report_date", f.date)),
		widget.NewFormItem(T("File"), f.errs.add("file", container.NewBorder(nil, nil, f.choose, nil, f.file))),
	), general, buttonsRow(f.cancel, f.save))
	f.errs.alias("date", "report_date")
	f.errs.alias("content", "file")
	f.errs.alias("file_name", "file")
	f.dialog = showFormDialog(b.u, T("Attach report"), 560, content)
	return f
}

func (f *attachmentForm) onChoose() {
	dialog.ShowFileOpen(f.onFile, f.t.b.u.win)
}

// onFile reads the file chosen in the open dialog, refusing one over the
// size limit before reading it all.
func (f *attachmentForm) onFile(r fyne.URIReadCloser, err error) {
	u := f.t.b.u
	if err != nil {
		showError(err, u.win)
		return
	}
	if r == nil {
		return // cancelled
	}
	f.errs.unset("file")
	name := r.URI().Name()
	f.save.Disable()
	background(u, func(context.Context) ([]byte, error) {
		defer r.Close()
		b, err := io.ReadAll(io.LimitReader(r, app.MaxAttachmentBytes+1))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if len(b) > app.MaxAttachmentBytes {
			return nil, app.FieldErrorf("file", T("The file is larger than %d MB."), app.MaxAttachmentBytes>>20)
		}
		return b, nil
	}, func(b []byte, err error) {
		f.save.Enable()
		if err != nil {
			f.content, f.fileName = nil, ""
			f.file.SetText("")
			f.errs.show(err, u.win)
			return
		}
		f.content, f.fileName = b, name
		f.file.SetText(name + " (" + sizeText(int64(len(b))) + ")")
		if strings.TrimSpace(f.title.Text) == "" {
			f.title.SetText(strings.TrimSuffix(name, filepath.Ext(name)))
		}
	})
}

func (f *attachmentForm) onSave() {
	f.errs.clear()
	b := f.t.b
	r := app.AttachmentCreate{PatientID: b.id, Title: strings.TrimSpace(f.title.Text),
		Date: strings.TrimSpace(f.date.Text), FileName: f.fileName, Content: f.content}
	if i := f.kind.SelectedIndex(); i >= 0 {
		r.Type = attachmentTypes[i]
	}
	switch {
	case r.Title == "":
		f.errs.set("title", T("Enter the title."))
		return
	case r.Type == "":
		f.errs.set("type", T("Choose the type."))
		return
	case r.FileName == "":
		f.errs.set("file", T("Choose the file."))
		return
	}
	if _, err := parseDay(r.Date); err != nil || r.Date == "" {
		f.errs.set("report_date", T("Write the date as YYYY-MM-DD."))
		return
	}
	f.save.Disable()
	background(b.u, func(ctx context.Context) (*app.Attachment, error) {
		return b.u.svc.Attachments.AttachFile(ctx, r)
	}, func(_ *app.Attachment, err error) {
		f.save.Enable()
		if err != nil {
			f.errs.show(err, b.u.win)
			return
		}
		f.dialog.Hide()
		f.t.form = nil
		f.t.load()
	})
}
