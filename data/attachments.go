package data

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig of JPEG reports
	_ "image/png"  // and of PNG reports
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"hms/app"
)

// AttachmentService implements app.AttachmentService: files attached to a
// patient's record, stored in the database with their SHA-256, never
// changed, checked against the hash each time they are opened.
//
// The Go name is Attachment; the SQL keeps the name it had before, the
// table reports (and report_files, report_date), which is also the sync
// entity's name: desks of different versions sync the same rows, so these
// names must not change without a migration on every desk and the server.
// The audit actions (report.attach, report.list, report.open) keep theirs
// too, as the audit log's history does.
type AttachmentService struct {
	db *DB
}

var _ app.AttachmentService = (*AttachmentService)(nil)

// Media types a report may have, detected from its content.
const (
	mediaPDF  = "application/pdf"
	mediaPNG  = "image/png"
	mediaJPEG = "image/jpeg"
	mediaText = "text/plain"
)

// attachmentExtensions are the file name endings that may go with each media
// type. The GUI opens a file in the system's viewer by its name, so a name
// must say what the content is: a text file named .bat would run.
var attachmentExtensions = map[string][]string{
	mediaPDF:  {".pdf"},
	mediaPNG:  {".png"},
	mediaJPEG: {".jpg", ".jpeg"},
	mediaText: {".txt", ".text"},
}

// errNotAnAttachment is the refusal of content that is none of the kinds a
// report may be, whatever its name says.
func errNotAnAttachment() error {
	return app.FieldErrorf("file", "The file is not a PDF, image or text file.")
}

// detectAttachmentMedia returns the media type of a report's content: PDF,
// PNG, JPEG or UTF-8 text without NUL bytes. The magic numbers decide, and
// net/http's sniffer (which reads the first 512 bytes) must agree, so that
// an executable, an archive or HTML is refused whatever it is called.
func detectAttachmentMedia(b []byte) (string, error) {
	sniffed, _, _ := strings.Cut(http.DetectContentType(b), ";")
	var media string
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		media = mediaPDF
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		media = mediaPNG
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		media = mediaJPEG
	case utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 && !hasBinaryControl(b):
		media = mediaText
	default:
		return "", errNotAnAttachment()
	}
	if sniffed != media {
		return "", errNotAnAttachment()
	}
	if media == mediaPNG || media == mediaJPEG {
		if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
			return "", app.FieldErrorf("file", "The image is damaged and cannot be read.")
		}
	}
	return media, nil
}

// hasBinaryControl reports control characters that do not occur in text
// (any ASCII control but tab, line breaks and form feed).
func hasBinaryControl(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			return true
		}
	}
	return false
}

// attachmentMeta is a validated report, ready to insert.
type attachmentMeta struct {
	title, fileName, media, sha string
}

// validateAttachment checks and normalizes everything about r that does not
// need the database, and hashes the content. Whether the date is in the
// future needs the clinic's time zone: the transaction checks it.
func validateAttachment(r *app.AttachmentCreate) (attachmentMeta, error) {
	var m attachmentMeta
	r.Title = strings.Join(strings.Fields(r.Title), " ")
	switch n := utf8.RuneCountInString(r.Title); {
	case n == 0:
		return m, app.FieldErrorf("title", "Enter a title.")
	case n > 200:
		return m, app.FieldErrorf("title", "The title is too long (at most 200 characters).")
	case strings.ContainsFunc(r.Title, unicode.IsControl):
		return m, app.FieldErrorf("title", "The title may not contain control characters.")
	}
	switch r.Type {
	case app.AttachmentLab, app.AttachmentImaging, app.AttachmentDischarge, app.AttachmentOther:
	case "":
		return m, app.FieldErrorf("type", "Choose the type of report.")
	default:
		return m, app.FieldErrorf("type", "Unknown type of report %q: choose lab, imaging, discharge summary or other.", r.Type)
	}
	r.Date = strings.TrimSpace(r.Date)
	if r.Date == "" {
		return m, app.FieldErrorf("report_date", "Enter the date of the report (YYYY-MM-DD).")
	}
	d, err := time.Parse(app.DateLayout, r.Date)
	if err != nil {
		return m, app.FieldErrorf("report_date", "%q is not a date: write it as YYYY-MM-DD, e.g. 2026-03-07.", r.Date)
	}
	if d.Year() < 1900 {
		return m, app.FieldErrorf("report_date", "The date of the report is before 1900.")
	}
	r.FileName = strings.TrimSpace(r.FileName)
	if err := validateAttachmentFileName(r.FileName); err != nil {
		return m, err
	}
	switch {
	case len(r.Content) == 0:
		return m, app.FieldErrorf("file", "The file is empty.")
	case len(r.Content) > app.MaxAttachmentBytes:
		return m, app.FieldErrorf("file", "The file is too large (at most %d MB).", app.MaxAttachmentBytes>>20)
	}
	media, err := detectAttachmentMedia(r.Content)
	if err != nil {
		return m, err
	}
	ext := strings.ToLower(filepath.Ext(r.FileName))
	if !slices.Contains(attachmentExtensions[media], ext) {
		return m, app.FieldErrorf("file", "The file's name %s does not match its content (%s): name it %s.",
			describeExt(ext), mediaLabel(media), strings.Join(attachmentExtensions[media], " or "))
	}
	sum := sha256.Sum256(r.Content)
	return attachmentMeta{title: r.Title, fileName: r.FileName, media: media, sha: hex.EncodeToString(sum[:])}, nil
}

// validateAttachmentFileName checks a file's base name: no folders, nothing
// Windows cannot store, at most 255 characters.
func validateAttachmentFileName(name string) error {
	switch {
	case name == "":
		return app.FieldErrorf("file_name", "Give the file's name.")
	case strings.ContainsAny(name, `/\`):
		return app.FieldErrorf("file_name", "Give the file's name only, without its folder.")
	case name == "." || name == "..":
		return app.FieldErrorf("file_name", "%q is not a file name.", name)
	case utf8.RuneCountInString(name) > 255:
		return app.FieldErrorf("file_name", "The file name is too long (at most 255 characters).")
	case strings.ContainsAny(name, `<>:"|?*`) || strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name):
		return app.FieldErrorf("file_name", "The file name may not contain < > : \" | ? * or control characters.")
	}
	return nil
}

func describeExt(ext string) string {
	if ext == "" {
		return "has no ending such as .pdf and"
	}
	return "ends in " + ext + " and"
}

func mediaLabel(media string) string {
	switch media {
	case mediaPDF:
		return "a PDF"
	case mediaPNG:
		return "a PNG image"
	case mediaJPEG:
		return "a JPEG image"
	}
	return "text"
}

const attachmentColumns = `r.id, r.patient_id, r.title, r.type, r.report_date, r.file_name, r.media_type, r.size, r.sha256,
	r.uploaded_by_name, r.created_at`

func scanAttachment(row rowScanner) (*app.Attachment, error) {
	var r app.Attachment
	var created string
	if err := row.Scan(&r.ID, &r.PatientID, &r.Title, &r.Type, &r.Date, &r.FileName, &r.MediaType, &r.Size,
		&r.SHA256, &r.UploadedBy, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = parseTime(created)
	return &r, nil
}

// attachmentToday is today's date in the clinic's time zone: a report dated
// today is not in the future just because UTC is still on yesterday.
func (tx *Tx) attachmentToday() (string, error) {
	s, err := readSettings(tx.ctx, tx)
	if err != nil {
		return "", err
	}
	return tx.now.In(s.Location()).Format(app.DateLayout), nil
}

// AttachFile implements app.AttachmentService: doctors and nurses attach a
// PDF, image or text file (at most app.MaxAttachmentBytes, its kind detected
// from the content) to a patient's record. The row, the content and the
// timeline entry are written in one transaction.
func (s *AttachmentService) AttachFile(ctx context.Context, r app.AttachmentCreate) (*app.Attachment, error) {
	// The content is checked and hashed before the write lock is taken;
	// the result is returned only after the permission check.
	meta, verr := validateAttachment(&r)
	var out *app.Attachment
	err := s.db.writeFor(ctx, "report.attach", "reports", "", r.PatientID, func(tx *Tx) error {
		if err := tx.Require(app.PermWriteNursing); err != nil {
			return err
		}
		if verr != nil {
			return verr
		}
		today, err := tx.attachmentToday()
		if err != nil {
			return err
		}
		if r.Date > today {
			return app.FieldErrorf("report_date", "The date of the report is in the future.")
		}
		if r.PatientID == "" {
			return app.FieldErrorf("patient_id", "Choose the patient.")
		}
		p, err := tx.findPatient(r.PatientID)
		if err != nil {
			return err
		}
		if p.Archived() {
			return app.Errorf(app.ECONFLICT, "This record is archived: an administrator must restore it before reports can be attached.")
		}
		var uploader string
		if err := tx.QueryRowContext(tx.ctx, `SELECT full_name FROM users WHERE id = ?`, tx.caller.UserID).Scan(&uploader); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				// A role in the context but no account behind it.
				return authorize(app.Errorf(app.EUNAUTHORIZED, "You are not allowed to attach files without a staff account."))
			}
			return err
		}
		out = &app.Attachment{ID: newID(), PatientID: p.ID, Title: meta.title, Type: r.Type, Date: r.Date,
			FileName: meta.fileName, MediaType: meta.media, Size: int64(len(r.Content)), SHA256: meta.sha,
			UploadedBy: uploader, CreatedAt: tx.now}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO reports (id, patient_id, title, type, report_date, file_name,
			media_type, size, sha256, uploaded_by, uploaded_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.ID, out.PatientID, out.Title, out.Type, out.Date, out.FileName, out.MediaType, out.Size, out.SHA256,
			tx.caller.UserID, uploader, formatTime(tx.now)); err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO report_files (report_id, content) VALUES (?, ?)`,
			out.ID, r.Content); err != nil {
			return fmt.Errorf("insert report file: %w", err)
		}
		if err := tx.patientEvent(p.ID, app.HistoryAttachment, "Report: "+out.Title, out.ID); err != nil {
			return err
		}
		// The hash in the audit chain (keyed, outside this table's reach)
		// witnesses the content too.
		tx.Audit("report.attach", "reports", out.ID, p.ID, fmt.Sprintf("%s %q, %s, %d bytes, sha256 %s",
			out.Type, out.FileName, out.MediaType, out.Size, out.SHA256))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindAttachments implements app.AttachmentService: a patient's reports, newest
// report date first, for staff who read clinical records and for the
// patient. The read is audited.
func (s *AttachmentService) FindAttachments(ctx context.Context, patientID string) ([]*app.Attachment, error) {
	var out []*app.Attachment
	err := s.db.writeFor(ctx, "report.list", "reports", "", patientID, func(tx *Tx) error {
		if err := authorize(app.CanViewClinicalRecord(tx.caller, patientID)); err != nil {
			return err
		}
		if _, err := tx.visiblePatient(patientID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(tx.ctx, `SELECT `+attachmentColumns+` FROM reports r
			WHERE r.patient_id = ? AND r.deleted_at IS NULL ORDER BY r.report_date DESC, r.id DESC`, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAttachment(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		tx.Audit("report.list", "reports", "", patientID, fmt.Sprintf("%d reports", len(out)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// OpenAttachment implements app.AttachmentService: the report and its content,
// for staff who read clinical records and for the patient it belongs to.
// The content's SHA-256 is computed again and compared with the one
// recorded when it was attached; a difference is ECONFLICT, and the failed
// open is in the audit log. Every open is audited.
func (s *AttachmentService) OpenAttachment(ctx context.Context, id string) (*app.Attachment, []byte, error) {
	// The patient is read first only so that a denial's audit row names
	// whose report it was; the transaction reads it again.
	var patientID string
	_ = s.db.r.QueryRowContext(ctx, `SELECT patient_id FROM reports WHERE id = ?`, id).Scan(&patientID)
	var out *app.Attachment
	var content []byte
	err := s.db.writeFor(ctx, "report.open", "reports", id, patientID, func(tx *Tx) error {
		// Refuse callers who may read no report at all before saying
		// whether this one exists.
		if err := authorize(app.CanReadClinicalRecords(tx.caller)); err != nil {
			return err
		}
		r, err := scanAttachment(tx.QueryRowContext(tx.ctx, `SELECT `+attachmentColumns+` FROM reports r
			WHERE r.id = ? AND r.deleted_at IS NULL`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return app.Errorf(app.ENOTFOUND, "There is no such report.")
		} else if err != nil {
			return err
		}
		if err := authorize(app.CanViewClinicalRecord(tx.caller, r.PatientID)); err != nil {
			return err
		}
		if _, err := tx.visiblePatient(r.PatientID); err != nil {
			return err
		}
		var b []byte
		err = tx.QueryRowContext(tx.ctx, `SELECT content FROM report_files WHERE report_id = ?`, id).Scan(&b)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); err != nil || got != r.SHA256 || int64(len(b)) != r.Size {
			detail := fmt.Sprintf("content does not match: recorded sha256 %s (%d bytes), found %s (%d bytes)",
				r.SHA256, r.Size, got, len(b))
			if err != nil {
				detail = "the content is missing"
			}
			tx.audits = append(tx.audits, auditEvent{action: "report.open", entity: "reports", entityID: id,
				patientID: r.PatientID, outcome: app.OutcomeFailed, detail: detail})
			tx.FailAfterCommit(app.Errorf(app.ECONFLICT, "This file has been altered since it was attached; it cannot be trusted."))
			return nil
		}
		tx.Audit("report.open", "reports", id, r.PatientID, "sha256 verified")
		out, content = r, b
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, content, nil
}
