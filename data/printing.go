package data

import (
	"context"
	"fmt"

	"hms/app"
)

// PrintingService implements app.PrintingService on the desk's own
// desk_printers table (not synced: see LocalTables).
type PrintingService struct {
	db *DB
}

var _ app.PrintingService = (*PrintingService)(nil)

// DeskPrinters implements app.PrintingService.
func (s *PrintingService) DeskPrinters(ctx context.Context) ([]*app.DeskPrinter, error) {
	caller, _ := app.CallerFromContext(ctx)
	if err := s.db.authorizeRead(ctx, "printing.list", "desk_printers", "", "", app.CanSetDeskPrinters(caller)); err != nil {
		return nil, err
	}
	set := map[app.DocumentKind]*app.DeskPrinter{}
	rows, err := s.db.r.QueryContext(ctx, `SELECT kind, printer, layout, auto_print FROM desk_printers`)
	if err != nil {
		return nil, internal("printing.list", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p app.DeskPrinter
		if err := rows.Scan(&p.Kind, &p.Printer, &p.Layout, &p.Auto); err != nil {
			return nil, internal("printing.list", err)
		}
		set[p.Kind] = &p
	}
	if err := rows.Err(); err != nil {
		return nil, internal("printing.list", err)
	}
	out := make([]*app.DeskPrinter, 0, len(app.DocumentKinds))
	for _, k := range app.DocumentKinds {
		p := set[k]
		if p == nil {
			p = &app.DeskPrinter{Kind: k}
		}
		out = append(out, p)
	}
	return out, nil
}

// SetDeskPrinter implements app.PrintingService.
func (s *PrintingService) SetDeskPrinter(ctx context.Context, p app.DeskPrinter) (*app.DeskPrinter, error) {
	err := s.db.writeFor(ctx, "printing.set", "desk_printers", string(p.Kind), "", func(tx *Tx) error {
		if err := authorize(app.CanSetDeskPrinters(tx.caller)); err != nil {
			return err
		}
		if err := p.Validate(); err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO desk_printers (kind, printer, layout, auto_print, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind) DO UPDATE SET printer = excluded.printer,
			layout = excluded.layout, auto_print = excluded.auto_print, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by`, p.Kind, p.Printer, p.Layout, p.Auto, formatTime(tx.now), tx.caller.Username); err != nil {
			return err
		}
		printer := p.Printer
		if printer == "" {
			printer = "the default printer"
		}
		tx.Audit("printing.set", "desk_printers", string(p.Kind), "",
			fmt.Sprintf("%s: %s, layout %s, print without asking %v", p.Kind.Label(), printer, p.LayoutOrDefault(), p.Auto))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}
