package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"hms/app"
	"hms/app/escpos"
	"hms/app/i18n"
	"hms/app/pdf"
)

// ReceiptPDF implements app.BillingService. The first call renders the
// receipt and stores both the data it shows (app.Receipt as JSON) and the
// PDF's bytes. Later, reprint false returns those stored bytes unchanged
// (the patient's own document, e.g. to save it), and reprint true renders
// the stored data again with "COPY" across the page, for a paper reprint;
// either way nothing about the payment is read again, so a reprint never
// differs from the original but for its mark. A desk whose receipts print
// on an 80 mm or 58 mm roll (its desk_printers layout) gets the same
// stored data laid out for the roll; the stored original stays the A4 one.
func (s *BillingService) ReceiptPDF(ctx context.Context, paymentID string, reprint bool) ([]byte, error) {
	return s.receipt(ctx, paymentID, reprint, false, "")
}

// ReceiptPDFLayout implements app.BillingService: ReceiptPDF in the layout
// asked for instead of the desk's; the stored original stays the A4 one.
func (s *BillingService) ReceiptPDFLayout(ctx context.Context, paymentID string, reprint bool, layout string) ([]byte, error) {
	return s.receipt(ctx, paymentID, reprint, false, layout)
}

// ReceiptESCPOS implements app.BillingService: ReceiptPDF, the desk's
// receipt then rendered as ESC/POS.
func (s *BillingService) ReceiptESCPOS(ctx context.Context, paymentID string, reprint bool) ([]byte, error) {
	return s.receipt(ctx, paymentID, reprint, true, "")
}

func (s *BillingService) receipt(ctx context.Context, paymentID string, reprint, raw bool, layout string) ([]byte, error) {
	pre := s.prerender(ctx, paymentID)
	var out []byte
	err := s.db.writeFor(ctx, "receipt.print", "payments", paymentID, "", func(tx *Tx) error {
		if err := authorize(app.CanSeeBills(tx.caller)); err != nil {
			return err
		}
		if err := app.ValidateReceiptLayout(layout); err != nil {
			return err
		}
		if raw {
			if cols, err := tx.escposColumns(); err != nil {
				return err
			} else if cols == 0 {
				return app.Errorf(app.EINVALID, "This desk does not print receipts as ESC/POS: choose the ESC/POS layout for receipts in Printers….")
			}
		}
		p, err := findPayment(tx.ctx, tx, paymentID)
		if err != nil {
			if app.ErrorCode(err) == app.ENOTFOUND {
				// An unknown payment is nobody's own.
				if err := authorize(app.CanSeeBillsOf(tx.caller, "")); err != nil {
					return err
				}
			}
			return err
		}
		if err := authorize(app.CanSeeBillsOf(tx.caller, p.PatientID)); err != nil {
			return err
		}
		var data string
		var original []byte
		err = tx.QueryRowContext(tx.ctx, `SELECT data, pdf FROM receipts WHERE payment_id = ?`, paymentID).Scan(&data, &original)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			r := pre.receipt
			original = pre.pdf
			if r == nil || r.Payment.ID != p.ID {
				if r, err = receiptData(tx.ctx, tx, p, tx.now); err != nil {
					return err
				}
				if original, err = pdf.Receipt(r, false); err != nil {
					return err
				}
			}
			js, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(tx.ctx, `INSERT INTO receipts (payment_id, data, pdf, printed_by, printed_at)
				VALUES (?, ?, ?, ?, ?)`, paymentID, string(js), original, tx.caller.Username, formatTime(tx.now)); err != nil {
				return err
			}
			tx.Audit("receipt.print", "payments", paymentID, p.PatientID, "first print of "+p.ReceiptNumber)
			out = original
			if reprint {
				out, err = pdf.Receipt(r, true)
				tx.Audit("receipt.reprint", "payments", paymentID, p.PatientID, "copy of "+p.ReceiptNumber)
			}
			if err != nil {
				return err
			}
			return tx.onRoll(r, reprint, raw, layout, &out)
		case err != nil:
			return err
		}
		var r app.Receipt
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return fmt.Errorf("receipt data: %w", err)
		}
		if !reprint {
			tx.Audit("receipt.open", "payments", paymentID, p.PatientID, "stored original of "+p.ReceiptNumber)
			out = original
			return tx.onRoll(&r, false, raw, layout, &out)
		}
		tx.Audit("receipt.reprint", "payments", paymentID, p.PatientID, "copy of "+p.ReceiptNumber)
		if out, err = pdf.Receipt(&r, true); err != nil {
			return err
		}
		return tx.onRoll(&r, true, raw, layout, &out)
	})
	return out, err
}

// onRoll replaces *out by receipt r laid out for this desk's receipt roll,
// when the desk prints receipts on one; with raw, by its ESC/POS commands
// when the desk prints receipts so. A layout asked for (want) is used
// instead of the desk's.
func (tx *Tx) onRoll(r *app.Receipt, reprint, raw bool, want string, out *[]byte) error {
	layout := want
	if layout == "" {
		err := tx.QueryRowContext(tx.ctx, `SELECT layout FROM desk_printers WHERE kind = ?`, string(app.DocReceipt)).Scan(&layout)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
	}
	if cols := escposColumns[layout]; cols > 0 && raw {
		b, err := escpos.Receipt(r, reprint, cols)
		if err != nil {
			return err
		}
		*out = b
		return nil
	}
	// An ESC/POS desk's PDF (to look at or save) is the roll's.
	width := map[string]float64{app.Layout80mm: pdf.Roll80mm, app.Layout58mm: pdf.Roll58mm,
		app.LayoutESCPOS: pdf.Roll80mm, app.LayoutESCPOS58: pdf.Roll58mm}[layout]
	if width == 0 {
		return nil // A4: *out is the A4 receipt already
	}
	b, err := pdf.ReceiptRoll(r, reprint, width)
	if err != nil {
		return err
	}
	*out = b
	return nil
}

// escposColumns are the columns of the ESC/POS receipt layouts.
var escposColumns = map[string]int{app.LayoutESCPOS: escpos.Columns80mm, app.LayoutESCPOS58: escpos.Columns58mm}

// escposColumns is the columns of this desk's ESC/POS receipt layout, 0
// when its receipts are not ESC/POS.
func (tx *Tx) escposColumns() (int, error) {
	var layout string
	err := tx.QueryRowContext(tx.ctx, `SELECT layout FROM desk_printers WHERE kind = ?`, string(app.DocReceipt)).Scan(&layout)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return escposColumns[layout], err
}

// prerendered is a first print made before the write transaction.
type prerendered struct {
	receipt *app.Receipt
	pdf     []byte
}

// prerender renders a receipt's first print from the reader pool, so that
// the PDF work (about 10 ms) never holds the desk's one writer connection.
// What it reads are immutable rows, so the transaction can store it as
// is; it returns nothing (and the transaction does all the work) when the
// receipt is printed already, the caller may not see it, or anything fails.
func (s *BillingService) prerender(ctx context.Context, paymentID string) prerendered {
	c, _ := app.CallerFromContext(ctx)
	if app.CanSeeBills(c) != nil {
		return prerendered{}
	}
	var n int
	if err := s.db.r.QueryRowContext(ctx, `SELECT count(*) FROM receipts WHERE payment_id = ?`, paymentID).Scan(&n); err != nil || n > 0 {
		return prerendered{}
	}
	p, err := findPayment(ctx, s.db.r, paymentID)
	if err != nil || app.CanSeeBillsOf(c, p.PatientID) != nil {
		return prerendered{}
	}
	r, err := receiptData(ctx, s.db.r, p, s.db.now().UTC())
	if err != nil {
		return prerendered{}
	}
	b, err := pdf.Receipt(r, false)
	if err != nil {
		return prerendered{}
	}
	return prerendered{receipt: r, pdf: b}
}

// receiptData gathers what a receipt shows at its first print: each
// invoice's total with the invoice discount in it and its balance right
// after this payment (or refund), counting only payments recorded up to it.
func receiptData(ctx context.Context, q rowQuerier, p *app.Payment, now time.Time) (*app.Receipt, error) {
	settings, err := readSettings(ctx, q)
	if err != nil {
		return nil, err
	}
	r := &app.Receipt{Clinic: *settings, Payment: *p, PrintedAt: now, TimeZone: settings.Location().String()}
	lang, err := patientLang(ctx, q, p.PatientID)
	if err != nil {
		return nil, err
	}
	if lang != i18n.English {
		r.Language = string(lang)
	}
	if p.ReversalOf != "" {
		if err := q.QueryRowContext(ctx, `SELECT receipt_number FROM payments WHERE id = ?`, p.ReversalOf).Scan(&r.ReversalOf); err != nil {
			return nil, err
		}
	}
	for _, a := range p.Allocations {
		ri := app.ReceiptInvoice{Number: a.InvoiceNumber, Paid: a.Amount}
		var paid app.Money
		err := q.QueryRowContext(ctx, `SELECT (SELECT coalesce(sum(total), 0) FROM invoice_lines WHERE invoice_id = ?1),
			(SELECT coalesce(sum(invoice_discount), 0) FROM invoice_lines WHERE invoice_id = ?1),
			(SELECT discount_rate FROM invoices WHERE id = ?1),
			(SELECT coalesce(sum(a.amount), 0) FROM payment_allocations a JOIN payments q ON q.id = a.payment_id
			 WHERE a.invoice_id = ?1 AND q.rowid <= (SELECT rowid FROM payments WHERE id = ?2)
			 AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reversal_of = q.id
			 	AND r.rowid <= (SELECT rowid FROM payments WHERE id = ?2)))`, a.InvoiceID, p.ID).Scan(
			&ri.Total, &ri.Discount, &ri.DiscountRate, &paid)
		if err != nil {
			return nil, err
		}
		ri.BalanceAfter = ri.Total - paid
		r.Invoices = append(r.Invoices, ri)
	}
	return r, nil
}

// InvoicePDF implements app.BillingService. Each print is audited.
func (s *BillingService) InvoicePDF(ctx context.Context, invoiceID string) ([]byte, error) {
	inv, err := s.findInvoice(ctx, invoiceID)
	if err != nil {
		return nil, err
	}
	settings, err := readSettings(ctx, s.db.r)
	if err != nil {
		return nil, internal("invoice.pdf", err)
	}
	lang, err := patientLang(ctx, s.db.r, inv.PatientID)
	if err != nil {
		return nil, internal("invoice.pdf", err)
	}
	b, err := pdf.Invoice(settings, inv, settings.Location(), lang)
	if err != nil {
		return nil, internal("invoice.pdf", err)
	}
	number := inv.Number
	if number == "" {
		number = "draft"
	}
	detail := fmt.Sprintf("invoice %s of %s, total %s", number, inv.PatientMRN, app.Format(inv.Totals.Total, inv.Currency))
	if err := s.auditPrint(ctx, "invoice.print", "invoices", inv.ID, inv.PatientID, detail); err != nil {
		return nil, err
	}
	return b, nil
}
