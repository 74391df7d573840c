package data_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"hms/app"
)

// reportPDF is a small, valid PDF.
var reportPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" +
	"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// reportText is a lab result as plain UTF-8 text.
var reportText = []byte("Full blood count, 2026-11-20\nHaemoglobin\t13.5 g/dL\tΑιμοσφαιρίνη\nWBC\t6.1 ×10⁹/L\n")

func reportImage(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// attachmentFor is a valid attachment of content to the first patient.
func attachmentFor(c *clinic, name string, content []byte) app.AttachmentCreate {
	return app.AttachmentCreate{PatientID: c.users[app.RolePatient].PatientID, Title: "Full blood count",
		Type: app.AttachmentLab, Date: "2026-11-20", FileName: name, Content: content}
}

func mustAttachFile(t *testing.T, c *clinic, role app.Role, r app.AttachmentCreate) *app.Attachment {
	t.Helper()
	rep, err := c.svc.Attachments.AttachFile(c.ctx(role), r)
	if err != nil {
		t.Fatalf("attach %s: %v", r.FileName, err)
	}
	return rep
}

func TestAttachFile(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		c := mustSetupCopy(t)
		jpg, pngb := reportImage(t, "jpeg"), reportImage(t, "png")
		cases := []struct {
			name  string
			body  []byte
			media string
		}{
			{"cbc.pdf", reportPDF, "application/pdf"},
			{"Chest X-ray.PNG", pngb, "image/png"},
			{"knee.jpeg", jpg, "image/jpeg"},
			{"knee 2.jpg", jpg, "image/jpeg"},
			{"results.txt", reportText, "text/plain"},
		}
		for _, k := range cases {
			events := reportEvents(t, c)
			r := mustAttachFile(t, c, app.RoleNurse, attachmentFor(c, k.name, k.body))
			sum := sha256.Sum256(k.body)
			if r.MediaType != k.media || r.Size != int64(len(k.body)) || r.SHA256 != hex.EncodeToString(sum[:]) ||
				r.FileName != k.name || r.UploadedBy != "Staff nurse" || r.ID == "" || r.CreatedAt.IsZero() {
				t.Errorf("%s: %+v", k.name, r)
			}
			got, content, err := c.svc.Attachments.OpenAttachment(c.ctx(app.RoleDoctor), r.ID)
			if err != nil || !bytes.Equal(content, k.body) || !got.CreatedAt.Equal(r.CreatedAt) {
				t.Fatalf("%s: open %v, %+v", k.name, err, got)
			}
			if got.CreatedAt = r.CreatedAt; *got != *r {
				t.Errorf("%s: open %v, %+v", k.name, err, got)
			}
			if reportEvents(t, c) != events+1 {
				t.Errorf("%s: no timeline entry", k.name)
			}
			if a := lastAttachmentAudit(t, c, "report.attach"); a.EntityID != r.ID || a.PatientID != r.PatientID ||
				!strings.Contains(a.Detail, r.SHA256) || a.Username != "nurse1" {
				t.Errorf("%s: audit %+v", k.name, a)
			}
		}
		var summary, ref, by string
		rawDB(t, c.db).QueryRow(`SELECT summary, ref_id, by_user FROM patient_events WHERE kind = 'report' ORDER BY seq DESC LIMIT 1`).
			Scan(&summary, &ref, &by)
		if summary != "Report: Full blood count" || ref == "" || by != "nurse1" {
			t.Errorf("timeline entry %q %q %q", summary, ref, by)
		}
		r := mustAttachFile(t, c, app.RoleDoctor, app.AttachmentCreate{PatientID: c.patient2.PatientID, Title: "  Discharge \n summary ",
			Type: app.AttachmentDischarge, Date: "2026-11-25", FileName: " discharge.pdf ", Content: reportPDF})
		if r.Title != "Discharge summary" || r.FileName != "discharge.pdf" || r.UploadedBy != "Staff doctor" {
			t.Errorf("not normalized: %+v", r)
		}
	})

	bad := map[string]struct {
		edit        func(r *app.AttachmentCreate)
		code, field string
		msg         string
	}{
		"ErrTitleRequired":    {func(r *app.AttachmentCreate) { r.Title = "  " }, app.EINVALID, "title", "Enter a title."},
		"ErrTitleTooLong":     {func(r *app.AttachmentCreate) { r.Title = strings.Repeat("é", 201) }, app.EINVALID, "title", "too long"},
		"ErrTitleControl":     {func(r *app.AttachmentCreate) { r.Title = "CBC\x00" }, app.EINVALID, "title", "control"},
		"ErrTypeRequired":     {func(r *app.AttachmentCreate) { r.Type = "" }, app.EINVALID, "type", "Choose"},
		"ErrTypeUnknown":      {func(r *app.AttachmentCreate) { r.Type = "xray" }, app.EINVALID, "type", "Unknown"},
		"ErrDateRequired":     {func(r *app.AttachmentCreate) { r.Date = "" }, app.EINVALID, "report_date", "Enter"},
		"ErrDateMalformed":    {func(r *app.AttachmentCreate) { r.Date = "20/11/2026" }, app.EINVALID, "report_date", "not a date"},
		"ErrDateImpossible":   {func(r *app.AttachmentCreate) { r.Date = "2026-02-30" }, app.EINVALID, "report_date", "not a date"},
		"ErrDateFuture":       {func(r *app.AttachmentCreate) { r.Date = "2026-11-27" }, app.EINVALID, "report_date", "future"},
		"ErrDateAncient":      {func(r *app.AttachmentCreate) { r.Date = "0201-01-01" }, app.EINVALID, "report_date", "1900"},
		"ErrFileNameRequired": {func(r *app.AttachmentCreate) { r.FileName = " " }, app.EINVALID, "file_name", "name"},
		"ErrFileNamePath":     {func(r *app.AttachmentCreate) { r.FileName = `C:\Users\x\cbc.pdf` }, app.EINVALID, "file_name", "without its folder"},
		"ErrFileNameSlash":    {func(r *app.AttachmentCreate) { r.FileName = "../../etc/cbc.pdf" }, app.EINVALID, "file_name", "without its folder"},
		"ErrFileNameStream":   {func(r *app.AttachmentCreate) { r.FileName = "cbc.pdf:evil.exe" }, app.EINVALID, "file_name", "may not contain"},
		"ErrFileNameTooLong":  {func(r *app.AttachmentCreate) { r.FileName = strings.Repeat("a", 252) + ".pdf" }, app.EINVALID, "file_name", "too long"},
		"ErrEmpty":            {func(r *app.AttachmentCreate) { r.Content = nil }, app.EINVALID, "file", "empty"},
		"ErrTooLarge": {func(r *app.AttachmentCreate) {
			r.Content = append([]byte("%PDF-1.4\n"), make([]byte, 30_000_000)...)
		}, app.EINVALID, "file", "The file is too large (at most 25 MB)."},
		"ErrWindowsExecutableNamedPDF": {func(r *app.AttachmentCreate) {
			r.Content = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
		}, app.EINVALID, "file", "The file is not a PDF, image or text file."},
		"ErrELFNamedPDF": {func(r *app.AttachmentCreate) {
			r.Content = append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 200)...)
		}, app.EINVALID, "file", "The file is not a PDF, image or text file."},
		"ErrZipNamedPDF": {func(r *app.AttachmentCreate) { r.Content = []byte("PK\x03\x04\x14\x00\x00\x00") }, app.EINVALID, "file", "not a PDF"},
		"ErrHTMLNamedTxt": {func(r *app.AttachmentCreate) {
			r.FileName, r.Content = "cbc.txt", []byte("<html><script>alert(1)</script></html>")
		}, app.EINVALID, "file", "not a PDF"},
		"ErrLatin1Text": {func(r *app.AttachmentCreate) {
			r.FileName, r.Content = "cbc.txt", []byte("H\xe9moglobine 13,5\n")
		}, app.EINVALID, "file", "not a PDF"},
		"ErrNULInText": {func(r *app.AttachmentCreate) {
			r.FileName, r.Content = "cbc.txt", append(bytes.Repeat([]byte("text "), 200), 0)
		}, app.EINVALID, "file", "not a PDF"},
		"ErrPNGNamedPDF": {func(r *app.AttachmentCreate) { r.Content = reportSmallPNG }, app.EINVALID, "file", "ends in .pdf"},
		"ErrPDFNamedPNG": {func(r *app.AttachmentCreate) { r.FileName = "scan.png" }, app.EINVALID, "file", "name it .pdf"},
		"ErrTextNamedBat": {func(r *app.AttachmentCreate) {
			r.FileName, r.Content = "results.bat", []byte("del /q *.*\r\n")
		}, app.EINVALID, "file", "name it .txt"},
		"ErrNoExtension":    {func(r *app.AttachmentCreate) { r.FileName = "cbc" }, app.EINVALID, "file", "has no ending"},
		"ErrDamagedPNG":     {func(r *app.AttachmentCreate) { r.FileName, r.Content = "x.png", reportSmallPNG[:20] }, app.EINVALID, "file", "damaged"},
		"ErrNoPatient":      {func(r *app.AttachmentCreate) { r.PatientID = "" }, app.EINVALID, "patient_id", "Choose"},
		"ErrUnknownPatient": {func(r *app.AttachmentCreate) { r.PatientID = "no-such-id" }, app.ENOTFOUND, "", "no such patient"},
	}
	for name, k := range bad {
		t.Run(name, func(t *testing.T) {
			c := mustSetupCopy(t)
			r := attachmentFor(c, "cbc.pdf", reportPDF)
			k.edit(&r)
			before := snapshot(t, c.db)
			_, err := c.svc.Attachments.AttachFile(c.ctx(app.RoleDoctor), r)
			if code(err) != k.code || app.ErrorField(err) != k.field || !strings.Contains(app.ErrorMessage(err), k.msg) {
				t.Fatalf("got %v (field %q), want %s %s %q", err, app.ErrorField(err), k.code, k.field, k.msg)
			}
			if snapshot(t, c.db) != before {
				t.Fatal("a refused attachment changed data")
			}
		})
	}

	t.Run("ErrArchivedPatient", func(t *testing.T) {
		c := mustSetupCopy(t)
		if _, err := c.svc.Patients.ArchivePatient(c.ctx(app.RoleAdmin), c.patient2.PatientID, "moved away"); err != nil {
			t.Fatal(err)
		}
		r := attachmentFor(c, "cbc.pdf", reportPDF)
		r.PatientID = c.patient2.PatientID
		before := snapshot(t, c.db)
		if _, err := c.svc.Attachments.AttachFile(c.ctx(app.RoleDoctor), r); code(err) != app.ECONFLICT {
			t.Fatalf("got %v", err)
		}
		if snapshot(t, c.db) != before {
			t.Fatal("changed data")
		}
	})
	t.Run("DateTodayInClinicTimeZone", func(t *testing.T) {
		// 23:30 UTC on 25 November is already 26 November in Athens.
		c := mustSetupCopy(t)
		c.clock.Add(14*time.Hour + 30*time.Minute)
		r := attachmentFor(c, "cbc.pdf", reportPDF)
		r.Date = "2026-11-26"
		mustAttachFile(t, c, app.RoleDoctor, r)
		r.Date = "2026-11-27"
		if _, err := c.svc.Attachments.AttachFile(c.ctx(app.RoleDoctor), r); app.ErrorField(err) != "report_date" {
			t.Fatalf("got %v", err)
		}
	})
}

var reportSmallPNG = func() []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4)))
	return b.Bytes()
}()

func reportEvents(t *testing.T, c *clinic) int {
	t.Helper()
	var n int
	if err := rawDB(t, c.db).QueryRow(`SELECT count(*) FROM patient_events WHERE kind = 'report'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lastAttachmentAudit is the newest audit entry of an action.
func lastAttachmentAudit(t *testing.T, c *clinic, action string) *app.AuditEntry {
	t.Helper()
	es, err := c.svc.Audit.FindAuditEntries(c.ctx(app.RoleAdmin), app.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit of %s: %v", action, err)
	}
	return es[0]
}

func TestFindAttachments(t *testing.T) {
	c := mustSetup(t)
	own := c.users[app.RolePatient].PatientID
	var ids []string
	for _, d := range []string{"2026-01-05", "2026-11-20", "2025-12-31", "2026-11-20"} {
		r := attachmentFor(c, "cbc.pdf", reportPDF)
		r.Date, r.Title = d, "Report of "+d
		ids = append(ids, mustAttachFile(t, c, app.RoleDoctor, r).ID)
	}
	other := attachmentFor(c, "other.txt", reportText)
	other.PatientID = c.patient2.PatientID
	otherID := mustAttachFile(t, c, app.RoleNurse, other).ID

	for _, role := range []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse, app.RolePatient} {
		rs, err := c.svc.Attachments.FindAttachments(c.ctx(role), own)
		if err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.ID)
		}
		// Newest report date first; on the same date, the newest upload first.
		if want := []string{ids[3], ids[1], ids[0], ids[2]}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: order %v, want %v", role, got, want)
		}
		if a := lastAttachmentAudit(t, c, "report.list"); a.PatientID != own || a.Role != role || a.Outcome != app.OutcomeOK {
			t.Fatalf("%s: audit %+v", role, a)
		}
	}
	if rs, err := c.svc.Attachments.FindAttachments(c.ctx(app.RoleDoctor), c.patient2.PatientID); err != nil || len(rs) != 1 || rs[0].ID != otherID {
		t.Fatalf("other patient: %v %+v", err, rs)
	}
	if _, err := c.svc.Attachments.FindAttachments(c.ctx(app.RoleDoctor), "no-such-patient"); code(err) != app.ENOTFOUND {
		t.Fatalf("unknown patient: %v", err)
	}

	t.Run("Permissions", func(t *testing.T) {
		for _, k := range []struct {
			role    app.Role
			patient string
		}{{app.RolePatient, c.patient2.PatientID}, {app.RoleBilling, own}, {app.RoleReception, own}, {"", own}} {
			ctx := anon
			if k.role != "" {
				ctx = c.ctx(k.role)
			}
			before, snap := auditCount(t, c.db), snapshot(t, c.db)
			if _, err := c.svc.Attachments.FindAttachments(ctx, k.patient); code(err) != app.EUNAUTHORIZED {
				t.Fatalf("%s: got %v", k.role, err)
			}
			if snapshot(t, c.db) != snap || auditCount(t, c.db) != before+1 {
				t.Fatalf("%s: the denial changed data or was not audited", k.role)
			}
			if a := lastAttachmentAudit(t, c, "report.list"); a.Outcome != app.OutcomeDenied || a.PatientID != k.patient {
				t.Fatalf("%s: audit %+v", k.role, a)
			}
		}
	})
	t.Run("ArchivedPatient", func(t *testing.T) {
		if _, err := c.svc.Patients.ArchivePatient(c.ctx(app.RoleAdmin), c.patient2.PatientID, "moved away"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Attachments.FindAttachments(c.ctx(app.RoleDoctor), c.patient2.PatientID); code(err) != app.ENOTFOUND {
			t.Fatalf("doctor: %v", err)
		}
		if rs, err := c.svc.Attachments.FindAttachments(c.ctx(app.RoleAdmin), c.patient2.PatientID); err != nil || len(rs) != 1 {
			t.Fatalf("admin: %v", err)
		}
		if _, _, err := c.svc.Attachments.OpenAttachment(c.ctx(app.RoleNurse), otherID); code(err) != app.ENOTFOUND {
			t.Fatalf("nurse opens a report of an archived record: %v", err)
		}
	})
	t.Run("PurgeRefused", func(t *testing.T) {
		if _, err := c.svc.Patients.RestorePatient(c.ctx(app.RoleAdmin), c.patient2.PatientID); err != nil {
			t.Fatal(err)
		}
		p, _ := c.svc.Patients.FindPatientByID(c.ctx(app.RoleAdmin), c.patient2.PatientID)
		if err := c.svc.Patients.PurgePatient(c.ctx(app.RoleAdmin), p.ID, p.MRN); code(err) != app.ECONFLICT {
			t.Fatalf("a patient with reports was purged: %v", err)
		}
	})
}

func TestOpenAttachment(t *testing.T) {
	c := mustSetup(t)
	own := mustAttachFile(t, c, app.RoleDoctor, attachmentFor(c, "cbc.pdf", reportPDF))
	other := attachmentFor(c, "other.txt", reportText)
	other.PatientID = c.patient2.PatientID
	others := mustAttachFile(t, c, app.RoleNurse, other)

	t.Run("PatientOpensOwn", func(t *testing.T) {
		r, content, err := c.svc.Attachments.OpenAttachment(c.ctx(app.RolePatient), own.ID)
		if err != nil || r.ID != own.ID || !bytes.Equal(content, reportPDF) {
			t.Fatalf("%v %+v", err, r)
		}
		if a := lastAttachmentAudit(t, c, "report.open"); a.Outcome != app.OutcomeOK || a.EntityID != own.ID || a.PatientID != own.PatientID {
			t.Fatalf("audit %+v", a)
		}
	})
	t.Run("StaffOpen", func(t *testing.T) {
		for _, role := range []app.Role{app.RoleAdmin, app.RoleDoctor, app.RoleNurse} {
			if _, content, err := c.svc.Attachments.OpenAttachment(c.ctx(role), others.ID); err != nil || !bytes.Equal(content, reportText) {
				t.Fatalf("%s: %v", role, err)
			}
		}
	})
	t.Run("Denied", func(t *testing.T) {
		for _, k := range []struct {
			role app.Role
			id   string
		}{{app.RolePatient, others.ID}, {app.RoleBilling, own.ID}, {app.RoleReception, own.ID}, {"", own.ID}} {
			ctx := anon
			if k.role != "" {
				ctx = c.ctx(k.role)
			}
			before, snap := auditCount(t, c.db), snapshot(t, c.db)
			r, content, err := c.svc.Attachments.OpenAttachment(ctx, k.id)
			if code(err) != app.EUNAUTHORIZED || r != nil || content != nil {
				t.Fatalf("%s: got %v", k.role, err)
			}
			if snapshot(t, c.db) != snap || auditCount(t, c.db) != before+1 {
				t.Fatalf("%s: the denial changed data or was not audited", k.role)
			}
			a := lastAttachmentAudit(t, c, "report.open")
			if a.Outcome != app.OutcomeDenied || a.EntityID != k.id || a.PatientID == "" {
				t.Fatalf("%s: audit %+v", k.role, a)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for _, role := range []app.Role{app.RoleDoctor, app.RolePatient} {
			if _, _, err := c.svc.Attachments.OpenAttachment(c.ctx(role), "no-such-report"); code(err) != app.ENOTFOUND {
				t.Fatalf("%s: %v", role, err)
			}
		}
	})
	t.Run("Tampered", func(t *testing.T) {
		raw := rawDB(t, c.db)
		if _, err := raw.Exec(`UPDATE report_files SET content = ? WHERE report_id = ?`, []byte("%PDF-1.4 forged"), own.ID); err == nil {
			t.Fatal("the trigger let the content change")
		}
		for _, s := range []string{`DROP TRIGGER report_files_no_update`} {
			if _, err := raw.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
		forged := bytes.Replace(reportPDF, []byte("Count 0"), []byte("Count 9"), 1)
		if _, err := raw.Exec(`UPDATE report_files SET content = ? WHERE report_id = ?`, forged, own.ID); err != nil {
			t.Fatal(err)
		}
		before := auditCount(t, c.db)
		for _, role := range []app.Role{app.RoleDoctor, app.RolePatient} {
			r, content, err := c.svc.Attachments.OpenAttachment(c.ctx(role), own.ID)
			if code(err) != app.ECONFLICT || app.ErrorMessage(err) != "This file has been altered since it was attached; it cannot be trusted." ||
				r != nil || content != nil {
				t.Fatalf("%s: got %v", role, err)
			}
			a := lastAttachmentAudit(t, c, "report.open")
			if a.Outcome != app.OutcomeFailed || a.EntityID != own.ID || a.PatientID != own.PatientID || !strings.Contains(a.Detail, own.SHA256) {
				t.Fatalf("%s: audit %+v", role, a)
			}
		}
		if auditCount(t, c.db) != before+2 {
			t.Fatalf("want 2 failed audit rows, have %d", auditCount(t, c.db)-before)
		}
		// The other report still opens, the failed opens are part of an
		// intact audit chain, and verify names the altered file.
		if _, _, err := c.svc.Attachments.OpenAttachment(c.ctx(app.RoleDoctor), others.ID); err != nil {
			t.Fatal(err)
		}
		rep, err := c.svc.Audit.Verify(c.ctx(app.RoleAdmin))
		if err != nil || !rep.AuditOK || !rep.IntegrityOK || len(rep.DocumentProblems) != 1 ||
			!strings.Contains(rep.DocumentProblems[0], "does not match its recorded hash") {
			t.Fatalf("verify after a failed open: %v %+v", err, rep)
		}
	})
}

func TestAttachmentsImmutable(t *testing.T) {
	c := mustSetup(t)
	r := mustAttachFile(t, c, app.RoleDoctor, attachmentFor(c, "cbc.pdf", reportPDF))
	raw := rawDB(t, c.db)
	for _, s := range []string{
		`UPDATE reports SET title = 'Changed' WHERE id = ?`,
		`UPDATE reports SET sha256 = '` + strings.Repeat("0", 64) + `' WHERE id = ?`,
		`UPDATE reports SET deleted_at = '2026-11-26T00:00:00.000Z' WHERE id = ?`,
		`UPDATE reports SET patient_id = (SELECT id FROM patients WHERE id <> reports.patient_id LIMIT 1) WHERE id = ?`,
		`DELETE FROM reports WHERE id = ?`,
		`UPDATE report_files SET content = x'00' WHERE report_id = ?`,
		`DELETE FROM report_files WHERE report_id = ?`,
	} {
		if _, err := raw.Exec(s, r.ID); err == nil || !strings.Contains(err.Error(), "never") {
			t.Errorf("%s: %v", s, err)
		}
	}
	// The server's confirmation is the one change a report row takes, once.
	if _, err := raw.Exec(`UPDATE reports SET server_seq = 7 WHERE id = ?`, r.ID); err != nil {
		t.Fatalf("server_seq: %v", err)
	}
	if _, err := raw.Exec(`UPDATE reports SET server_seq = 8 WHERE id = ?`, r.ID); err == nil {
		t.Fatal("server_seq changed twice")
	}
	if _, content, err := c.svc.Attachments.OpenAttachment(c.ctx(app.RoleDoctor), r.ID); err != nil || !bytes.Equal(content, reportPDF) {
		t.Fatalf("open after refused changes: %v", err)
	}
}

func TestDemoAttachments(t *testing.T) {
	db := sharedDemo(t, nil)
	svc := db.Services()
	s, err := svc.Users.Login(anon, "patient", "demo patient password")
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(callerOf(s.User))
	rs, err := svc.Attachments.FindAttachments(ctx, s.User.PatientID)
	if err != nil || len(rs) != 3 {
		t.Fatalf("the demo patient's reports: %v, %d", err, len(rs))
	}
	media := map[string]bool{}
	for _, r := range rs {
		_, content, err := svc.Attachments.OpenAttachment(ctx, r.ID)
		if err != nil {
			t.Fatalf("%s: %v", r.FileName, err)
		}
		media[r.MediaType] = true
		if r.MediaType == "application/pdf" {
			checkPDFXref(t, content)
		}
	}
	if len(media) != 3 {
		t.Fatalf("media types %v", media)
	}
	var patients int
	rawDB(t, db).QueryRow(`SELECT count(DISTINCT patient_id) FROM reports`).Scan(&patients)
	if patients < 15 || patients > 21 {
		t.Fatalf("%d patients with reports, want about 20 and the demo patient", patients)
	}
}

// checkPDFXref checks that a PDF's cross-reference table points at its
// objects, as a viewer reads it.
func checkPDFXref(t *testing.T, b []byte) {
	t.Helper()
	s := string(b)
	i := strings.LastIndex(s, "startxref\n")
	var xref int
	if i < 0 || !strings.HasSuffix(s, "%%EOF\n") {
		t.Fatal("no startxref or end-of-file marker")
	}
	fmt.Sscanf(s[i+len("startxref\n"):], "%d", &xref)
	if !strings.HasPrefix(s[xref:], "xref\n0 ") {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	lines := strings.Split(s[xref:], "\n")
	var n int
	fmt.Sscanf(lines[1], "0 %d", &n)
	for obj := 1; obj < n; obj++ {
		var off int
		fmt.Sscanf(lines[2+obj], "%010d", &off)
		if want := fmt.Sprintf("%d 0 obj\n", obj); !strings.HasPrefix(s[off:], want) {
			t.Fatalf("object %d: offset %d points at %q", obj, off, s[off:off+10])
		}
	}
}
