package mock

import (
	"context"

	"hms/app"
)

// PrintingService is a mock of app.PrintingService.
type PrintingService struct {
	DeskPrintersFn   func(ctx context.Context) ([]*app.DeskPrinter, error)
	SetDeskPrinterFn func(ctx context.Context, p app.DeskPrinter) (*app.DeskPrinter, error)
}

var _ app.PrintingService = (*PrintingService)(nil)

// DeskPrinters calls DeskPrintersFn.
func (s *PrintingService) DeskPrinters(ctx context.Context) ([]*app.DeskPrinter, error) {
	return s.DeskPrintersFn(ctx)
}

// SetDeskPrinter calls SetDeskPrinterFn.
func (s *PrintingService) SetDeskPrinter(ctx context.Context, p app.DeskPrinter) (*app.DeskPrinter, error) {
	return s.SetDeskPrinterFn(ctx, p)
}
