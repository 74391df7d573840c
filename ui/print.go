package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	"hms/app/escpos"
)

// prefDocumentFolder is the Preferences key of the folder this desk saves
// documents (invoices, receipts, statements, reports) into.
const prefDocumentFolder = "documents.folder"

const (
	// maxCopies bounds the "-2", "-3"… names tried for one document.
	maxCopies = 1000
	// printTimeout bounds a print command; lp hands the job to the spooler
	// and returns at once, so a longer wait means something is stuck.
	printTimeout = 30 * time.Second
)

// documentOutput is how documents leave HMS: the folder chooser and the
// command runner, which tests replace, the system they run on, and the
// "Saved to" dialog shown last.
type documentOutput struct {
	goos string // runtime.GOOS: picks the print command
	// chooseFolder asks for the documents folder, starting at start ("" for
	// the home folder), and calls done on the UI goroutine with the folder
	// chosen, or "" when the user cancels.
	chooseFolder func(win fyne.Window, start string, done func(folder string, err error))
	// run runs a command and returns its combined output. It is called off
	// the UI goroutine.
	run func(name string, args ...string) ([]byte, error)
	// open hands a file's URL to the system's viewer; nil uses the Fyne
	// app's OpenURL. It fails when the system has no program to open it.
	open func(link *url.URL) error
	// sendRaw sends raw printer commands to a target (ESC/POS receipts).
	sendRaw func(ctx context.Context, target string, data []byte) error

	saved    *savedDialog  // the open "Saved to" dialog
	noViewer dialog.Dialog // the open "No viewer found" message
}

func newDocumentOutput() documentOutput {
	return documentOutput{goos: runtime.GOOS, chooseFolder: chooseFolderDialog, run: runCommand,
		sendRaw: escpos.NewSender().Send}
}

// deliverPDF delivers a document the user asked for: it is saved into the
// folder chosen once for documents (asking for it the first time, or when
// it is gone), never over an existing file, then offered to print, open or
// keep. Where this desk prints that kind of document without asking, it
// goes to the desk's printer for the kind at once, and the dialog says so.
func (u *UI) deliverPDF(filename string, body []byte) {
	name := documentName(filename)
	kind := documentKindOf(name)
	background(u, func(ctx context.Context) (*app.DeskPrinter, error) {
		return deskPrinter(ctx, u, kind), nil
	}, func(p *app.DeskPrinter, _ error) {
		if folder := u.documentFolder(); folder != "" {
			u.saveDocument(folder, name, body, p)
			return
		}
		u.askDocumentFolder(func(folder string) { u.saveDocument(folder, name, body, p) })
	})
}

// documentFolder is the folder chosen for documents; "" when none was chosen
// or it is no longer there (an unplugged drive, a removed share).
func (u *UI) documentFolder() string {
	dir := u.fyneApp.Preferences().String(prefDocumentFolder)
	if dir == "" {
		return ""
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}

// askDocumentFolder asks for the documents folder, remembers it for this
// desk and calls then with it. Nothing happens when the user cancels.
func (u *UI) askDocumentFolder(then func(folder string)) {
	prefs := u.fyneApp.Preferences()
	u.docs.chooseFolder(u.win, prefs.String(prefDocumentFolder), func(folder string, err error) {
		if err != nil {
			showMessage(T("Could not open the folder"), Tf("HMS could not open that folder: %s.", reason(err)), u.win)
			return
		}
		if folder == "" {
			return
		}
		prefs.SetString(prefDocumentFolder, folder)
		then(folder)
	})
}

// saveDocument writes body as name into folder off the UI goroutine, then
// shows where it went, or why it could not be saved; printed at once on
// printer p when the desk prints the kind without asking.
func (u *UI) saveDocument(folder, name string, body []byte, p *app.DeskPrinter) {
	background(u, func(context.Context) (string, error) {
		return saveNewFile(folder, name, body)
	}, func(path string, err error) {
		if err != nil {
			u.showSaveFailed(folder, name, body, err, p)
			return
		}
		d := u.showSaved(path, p)
		u.docs.saved = d
		if p.Auto {
			d.onPrint()
		}
	})
}

// showSaveFailed says why a document was not saved and offers another folder.
func (u *UI) showSaveFailed(folder, name string, body []byte, err error, p *app.DeskPrinter) {
	msg := Tf("HMS could not save %s in %s: %s.\n\nChoose another folder?", name, folder, reason(err))
	showYesNo(T("Could not save the document"), msg, func(ok bool) {
		if ok {
			u.askDocumentFolder(func(folder string) { u.saveDocument(folder, name, body, p) })
		}
	}, u.win)
}

// reason is an error as a person reads it: for a file, what went wrong
// without the path, which the message gives already.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// documentName makes a file name safe on every desktop: no folders, none of
// the characters Windows refuses, and a .pdf extension.
func documentName(filename string) string {
	name := strings.Map(func(r rune) rune {
		if r < ' ' || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, filename)
	name = strings.Trim(name, " .")
	if name == "" {
		name = "document"
	}
	if !strings.EqualFold(filepath.Ext(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

// saveNewFile writes body into folder under name, or name-2, name-3… when a
// file of that name exists: a saved document is never overwritten. It
// returns the path written.
func saveNewFile(folder, name string, body []byte) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for n := 1; n <= maxCopies; n++ {
		candidate := name
		if n > 1 {
			candidate = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		path := filepath.Join(folder, candidate)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(body)
		if err := errors.Join(werr, f.Close()); err != nil {
			os.Remove(path)
			return "", err
		}
		return path, nil
	}
	return "", fmt.Errorf("there are already %d documents named %s", maxCopies, name)
}

// printCommand is the command that sends the file at path to the
// system's default printer.
func printCommand(goos, path string) (name string, args []string) {
	return app.PrintCommand(goos, "", path)
}

// runCommand runs a command and returns its combined output.
func runCommand(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), printTimeout)
	defer cancel()
	return exec.CommandContext(ctx, name, args...).CombinedOutput()
}

// chooseFolderDialog is Fyne's folder dialog, opened at start when it exists.
func chooseFolderDialog(win fyne.Window, start string, done func(folder string, err error)) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			done("", err)
			return
		}
		done(dir.Path(), nil)
	}, win)
	d.SetTitleText(T("Choose the folder for saved documents"))
	d.SetConfirmText(T("Use this folder"))
	if start != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(start)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// savedDialog tells where a document was saved and offers to open it in the
// system's viewer, print it, or save the next ones elsewhere.
type savedDialog struct {
	u       *UI
	path    string
	printer *app.DeskPrinter // this desk's printer for the document's kind

	message *widget.Label
	status  *widget.Label // what printing or changing the folder did
	open    *escButton
	print   *escButton
	folder  *escButton
	setup   *escButton // this desk's printers
	close   *escButton
	dialog  dialog.Dialog
}

func (u *UI) showSaved(path string, p *app.DeskPrinter) *savedDialog {
	d := &savedDialog{u: u, path: path, printer: p}
	d.message = wrapLabel(Tf("Saved to %s", path))
	d.message.Selectable = true
	d.status = wrapLabel("")
	d.status.Hide()
	d.open = newIconButton(T("Open"), theme.FileIcon(), d.onOpen)
	d.print = newIconButton(T("Print"), theme.DocumentPrintIcon(), d.onPrint)
	d.print.Importance = widget.HighImportance
	if p.Printer != "" {
		d.print.SetText(Tf("Print on %s", p.Printer))
	}
	d.folder = newIconButton(T("Change folder…"), theme.FolderOpenIcon(), d.onChangeFolder)
	d.setup = newIconButton(T("Printers…"), theme.SettingsIcon(), func() { showPrinterSettings(u) })
	if u.svc.Printing == nil {
		d.setup.Hide()
	}
	d.close = newButton(T("Close"), func() { d.dialog.Hide() })
	content := container.NewVBox(d.message, d.status,
		container.NewHBox(d.folder, d.setup, layout.NewSpacer(), d.close, d.open, d.print))
	d.dialog = showFormDialog(u, T("Document saved"), 560, content)
	return d
}

// setStatus shows msg under the path, in red when it is a problem.
func (d *savedDialog) setStatus(msg string, problem bool) {
	d.status.Importance = widget.SuccessImportance
	if problem {
		d.status.Importance = widget.DangerImportance
	}
	d.status.SetText(msg)
	d.status.Show()
}

func (d *savedDialog) onOpen() {
	d.u.openDocument(storage.NewFileURI(d.path))
}

func (d *savedDialog) onPrint() {
	u := d.u
	name, args := printToCommand(u.docs.goos, d.printer.Printer, d.path)
	run := u.docs.run
	d.print.Disable()
	d.setStatus(T("Sending to the printer…"), false)
	background(u, func(context.Context) ([]byte, error) {
		return run(name, args...)
	}, func(out []byte, err error) {
		if err != nil {
			d.setStatus(printFailure(name, out, err), true)
			if !errors.Is(err, exec.ErrNotFound) { // trying again cannot find a printer command
				d.print.Enable()
			}
			return
		}
		d.print.Enable()
		if d.printer.Printer != "" {
			d.setStatus(Tf("Sent to %s.", d.printer.Printer), false)
			return
		}
		d.setStatus(T("Sent to the printer."), false)
	})
}

// openDocument opens the file at uri in the system's viewer. A file that
// cannot be opened (no viewer on this computer) is still saved, so the
// message says that and where it is rather than reporting a failure.
func (u *UI) openDocument(uri fyne.URI) {
	link, err := fileURL(uri)
	if err != nil {
		showError(fmt.Errorf("open %s: %w", uri, err), u.win)
		return
	}
	open := u.docs.open
	if open == nil {
		open = u.fyneApp.OpenURL
	}
	if err := open(link); err != nil {
		log.Printf("ui: open %s: %v", uri, err)
		u.docs.noViewer = showNoViewer(u, uri.Path())
	}
}

// showNoViewer says that no program could open the document and where it
// was saved, the path selectable to copy.
func showNoViewer(u *UI, path string) dialog.Dialog {
	msg := wrapLabel(T("No program to open PDF files was found on this computer, so HMS could not open the document. " +
		"It is saved at:"))
	where := wrapLabel(path)
	where.Selectable = true
	hint := wrapLabel(T("Install a PDF viewer, or open the file from another computer, to view or print it."))
	d := newInfoDialog(T("No viewer found"), T("Close"), container.NewVBox(msg, where, hint), u.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	return d
}

// printFailure says why a print command failed, in words for the desk.
func printFailure(name string, out []byte, err error) string {
	if errors.Is(err, exec.ErrNotFound) {
		return Tf("This computer has no printer command (%s), so HMS cannot print directly. "+
			"Open the document and print it from the viewer.", name)
	}
	detail := strings.TrimSpace(string(out))
	if detail == "" {
		detail = err.Error()
	}
	return Tf("The document was not printed: %s", detail)
}

func (d *savedDialog) onChangeFolder() {
	d.u.askDocumentFolder(func(folder string) {
		d.setStatus(Tf("The next documents will be saved to %s.", folder), false)
	})
}

// printDocument renders a document off the UI goroutine and hands it to
// deliverPDF as filename; button, when given, is disabled meanwhile.
func (u *UI) printDocument(button fyne.Disableable, filename string, render func(ctx context.Context) ([]byte, error)) {
	if button != nil {
		button.Disable()
	}
	background(u, render, func(body []byte, err error) {
		if button != nil {
			button.Enable()
		}
		if err != nil {
			showError(err, u.win)
			return
		}
		u.deliverPDF(filename, body)
	})
}

// printReceipt prints p's receipt (a copy when reprint) and hands it to
// deliver.
// On a desk whose receipts are ESC/POS it sends them to the desk's target
// instead, and says so.
func printReceipt(u *UI, deliver func(string, []byte), p *app.Payment, reprint bool) {
	var rawTo string
	send := u.docs.sendRaw
	background(u, func(ctx context.Context) ([]byte, error) {
		if dp := deskPrinter(ctx, u, app.DocReceipt); send != nil && (dp.Layout == app.LayoutESCPOS || dp.Layout == app.LayoutESCPOS58) {
			raw, err := u.svc.Billing.ReceiptESCPOS(ctx, p.ID, reprint)
			if err == nil {
				err = send(ctx, dp.Printer, raw)
			}
			if err != nil {
				return nil, app.Errorf(app.EINTERNAL, "%s", Tf("The receipt was not printed: %v.", err))
			}
			rawTo = dp.Printer
			if rawTo == "" {
				rawTo = T("the default printer")
			}
			return nil, nil
		}
		return u.svc.Billing.ReceiptPDF(ctx, p.ID, reprint)
	}, func(body []byte, err error) {
		if err != nil {
			showError(err, u.win)
			return
		}
		if rawTo != "" {
			showMessage(T("Receipt printed"), Tf("Receipt %s was sent to %s.", p.ReceiptNumber, rawTo), u.win)
			return
		}
		name := "receipt-" + p.ReceiptNumber
		if reprint {
			name += "-copy"
		}
		deliver(name+".pdf", body)
	})
}
