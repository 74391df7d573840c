package app

import (
	"context"
	"time"
)

// Attachments are the medical files attached to a patient's record: lab
// reports, images, discharge summaries. Screens call them reports, the
// clinical word; in Go they are attachments, so as not to be confused with
// the statistics reports of the dashboard and the billing reports. The
// database keeps the older name (the table reports, its file rows in
// report_files, the sync entity "reports", the timeline kind "report"), so
// that desks of different versions keep syncing.

// AttachmentType classifies an attached file.
type AttachmentType string

// Attachment types.
const (
	AttachmentLab       AttachmentType = "lab"
	AttachmentImaging   AttachmentType = "imaging"
	AttachmentDischarge AttachmentType = "discharge_summary"
	AttachmentOther     AttachmentType = "other"
)

// MaxAttachmentBytes bounds an attached file.
const MaxAttachmentBytes = 25 << 20

// Attachment is a file attached to a patient's record: a lab result, an
// image, a discharge summary. Its content never changes: the SHA-256 recorded at
// upload is checked each time it is opened.
type Attachment struct {
	ID         string
	PatientID  string
	Title      string
	Type       AttachmentType
	Date       string // YYYY-MM-DD, the date of the document (column report_date)
	FileName   string
	MediaType  string // detected from the content: application/pdf, image/png, image/jpeg, text/plain
	Size       int64
	SHA256     string // hex
	UploadedBy string
	CreatedAt  time.Time
}

// AttachmentCreate attaches a file.
type AttachmentCreate struct {
	PatientID string
	Title     string
	Type      AttachmentType
	Date      string
	FileName  string
	Content   []byte
}

// AttachmentService attaches and opens the files of patients' records.
type AttachmentService interface {
	AttachFile(ctx context.Context, r AttachmentCreate) (*Attachment, error)
	FindAttachments(ctx context.Context, patientID string) ([]*Attachment, error)
	// OpenAttachment returns the attachment and its content, after checking the
	// content against its recorded hash (ECONFLICT when it was altered).
	OpenAttachment(ctx context.Context, id string) (*Attachment, []byte, error)
}
