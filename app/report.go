package app

import (
	"context"
	"time"
)

// ReportType classifies a medical report.
type ReportType string

// Report types.
const (
	ReportLab       ReportType = "lab"
	ReportImaging   ReportType = "imaging"
	ReportDischarge ReportType = "discharge_summary"
	ReportOther     ReportType = "other"
)

// MaxReportBytes bounds an attached file.
const MaxReportBytes = 25 << 20

// Report is a file attached to a patient's record: a lab result, an image,
// a discharge summary. Its content never changes: the SHA-256 recorded at
// upload is checked each time it is opened.
type Report struct {
	ID         string
	PatientID  string
	Title      string
	Type       ReportType
	ReportDate string // YYYY-MM-DD
	FileName   string
	MediaType  string // detected from the content: application/pdf, image/png, image/jpeg, text/plain
	Size       int64
	SHA256     string // hex
	UploadedBy string
	CreatedAt  time.Time
}

// ReportCreate attaches a file.
type ReportCreate struct {
	PatientID  string
	Title      string
	Type       ReportType
	ReportDate string
	FileName   string
	Content    []byte
}

// ReportService attaches and opens medical reports.
type ReportService interface {
	AttachReport(ctx context.Context, r ReportCreate) (*Report, error)
	FindReports(ctx context.Context, patientID string) ([]*Report, error)
	// OpenReport returns the report and its content, after checking the
	// content against its recorded hash (ECONFLICT when it was altered).
	OpenReport(ctx context.Context, id string) (*Report, []byte, error)
}
