package mock

import (
	"context"

	"hms/app"
)

// BillingService is a mock of app.BillingService.
type BillingService struct {
	CreatePriceItemFn     func(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error)
	ChangePriceItemFn     func(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error)
	RetirePriceItemFn     func(ctx context.Context, code string) (*app.PriceItem, error)
	FindPriceItemsFn      func(ctx context.Context, f app.PriceFilter) ([]*app.PriceItem, error)
	PriceItemHistoryFn    func(ctx context.Context, code string) ([]*app.PriceItem, error)
	CreateDraftInvoiceFn  func(ctx context.Context, d app.DraftInvoice) (*app.Invoice, error)
	DraftForAppointmentFn func(ctx context.Context, appointmentID string) (*app.Invoice, error)
	AddLineFn             func(ctx context.Context, invoiceID string, l app.LineInput) (*app.Invoice, error)
	UpdateLineFn          func(ctx context.Context, lineID string, l app.LineInput) (*app.Invoice, error)
	RemoveLineFn          func(ctx context.Context, lineID string) (*app.Invoice, error)
	SetInvoiceDiscountFn  func(ctx context.Context, invoiceID string, rate app.BasisPoints, amount app.Money, was *app.Invoice) (*app.Invoice, error)
	IssueInvoiceFn        func(ctx context.Context, invoiceID string) (*app.Invoice, error)
	VoidInvoiceFn         func(ctx context.Context, invoiceID, reason string) (*app.Invoice, error)
	FindInvoiceFn         func(ctx context.Context, id string) (*app.Invoice, error)
	FindInvoicesFn        func(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error)
	TakePaymentFn         func(ctx context.Context, in app.PaymentInput) (*app.Payment, error)
	RefundPaymentFn       func(ctx context.Context, paymentID, reason string) (*app.Payment, error)
	FindPaymentFn         func(ctx context.Context, id string) (*app.Payment, error)
	PatientStatementFn    func(ctx context.Context, patientID string) (*app.Statement, error)
	OutstandingInvoicesFn func(ctx context.Context, f app.OutstandingFilter) ([]*app.OutstandingInvoice, error)
	CashUpFn              func(ctx context.Context, cashierID, day string) (*app.CashUp, error)
	CashiersFn            func(ctx context.Context) ([]*app.Cashier, error)
	ReceiptPDFFn          func(ctx context.Context, paymentID string, reprint bool) ([]byte, error)
	ReceiptPDFLayoutFn    func(ctx context.Context, paymentID string, reprint bool, layout string) ([]byte, error)
	ReceiptESCPOSFn       func(ctx context.Context, paymentID string, reprint bool) ([]byte, error)
	InvoicePDFFn          func(ctx context.Context, invoiceID string) ([]byte, error)
	StatementPDFFn        func(ctx context.Context, patientID string) ([]byte, error)
	OutstandingPDFFn      func(ctx context.Context) ([]byte, error)
	CashUpPDFFn           func(ctx context.Context, cashierID, day string) ([]byte, error)
	DeskCashUpFn          func(ctx context.Context, desk, day string) (*app.DeskCashUp, error)
	FindCashUpFn          func(ctx context.Context, number string) (*app.DeskCashUp, error)
	CashUpDesksFn         func(ctx context.Context) ([]string, error)
	SaveCashUpFn          func(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error)
	CloseCashUpFn         func(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error)
	ReopenCashUpFn        func(ctx context.Context, desk, day, reason string) (*app.DeskCashUp, error)
	DeskCashUpPDFFn       func(ctx context.Context, desk, day string) ([]byte, error)
	UnbilledVisitsFn      func(ctx context.Context, from, to string) ([]*app.UnbilledVisit, error)
	BillVisitsFn          func(ctx context.Context, appointmentIDs []string, issue bool) (*app.VisitBilling, error)
}

var _ app.BillingService = (*BillingService)(nil)

// CreatePriceItem calls CreatePriceItemFn.
func (s *BillingService) CreatePriceItem(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error) {
	return s.CreatePriceItemFn(ctx, in)
}

// ChangePriceItem calls ChangePriceItemFn.
func (s *BillingService) ChangePriceItem(ctx context.Context, in app.PriceItemInput) (*app.PriceItem, error) {
	return s.ChangePriceItemFn(ctx, in)
}

// RetirePriceItem calls RetirePriceItemFn.
func (s *BillingService) RetirePriceItem(ctx context.Context, code string) (*app.PriceItem, error) {
	return s.RetirePriceItemFn(ctx, code)
}

// FindPriceItems calls FindPriceItemsFn.
func (s *BillingService) FindPriceItems(ctx context.Context, f app.PriceFilter) ([]*app.PriceItem, error) {
	return s.FindPriceItemsFn(ctx, f)
}

// PriceItemHistory calls PriceItemHistoryFn.
func (s *BillingService) PriceItemHistory(ctx context.Context, code string) ([]*app.PriceItem, error) {
	return s.PriceItemHistoryFn(ctx, code)
}

// CreateDraftInvoice calls CreateDraftInvoiceFn.
func (s *BillingService) CreateDraftInvoice(ctx context.Context, d app.DraftInvoice) (*app.Invoice, error) {
	return s.CreateDraftInvoiceFn(ctx, d)
}

// DraftForAppointment calls DraftForAppointmentFn.
func (s *BillingService) DraftForAppointment(ctx context.Context, appointmentID string) (*app.Invoice, error) {
	return s.DraftForAppointmentFn(ctx, appointmentID)
}

// AddLine calls AddLineFn.
func (s *BillingService) AddLine(ctx context.Context, invoiceID string, l app.LineInput) (*app.Invoice, error) {
	return s.AddLineFn(ctx, invoiceID, l)
}

// UpdateLine calls UpdateLineFn.
func (s *BillingService) UpdateLine(ctx context.Context, lineID string, l app.LineInput) (*app.Invoice, error) {
	return s.UpdateLineFn(ctx, lineID, l)
}

// RemoveLine calls RemoveLineFn.
func (s *BillingService) RemoveLine(ctx context.Context, lineID string) (*app.Invoice, error) {
	return s.RemoveLineFn(ctx, lineID)
}

// SetInvoiceDiscount calls SetInvoiceDiscountFn.
func (s *BillingService) SetInvoiceDiscount(ctx context.Context, invoiceID string, rate app.BasisPoints, amount app.Money, was *app.Invoice) (*app.Invoice, error) {
	return s.SetInvoiceDiscountFn(ctx, invoiceID, rate, amount, was)
}

// IssueInvoice calls IssueInvoiceFn.
func (s *BillingService) IssueInvoice(ctx context.Context, invoiceID string) (*app.Invoice, error) {
	return s.IssueInvoiceFn(ctx, invoiceID)
}

// VoidInvoice calls VoidInvoiceFn.
func (s *BillingService) VoidInvoice(ctx context.Context, invoiceID, reason string) (*app.Invoice, error) {
	return s.VoidInvoiceFn(ctx, invoiceID, reason)
}

// FindInvoice calls FindInvoiceFn.
func (s *BillingService) FindInvoice(ctx context.Context, id string) (*app.Invoice, error) {
	return s.FindInvoiceFn(ctx, id)
}

// FindInvoices calls FindInvoicesFn.
func (s *BillingService) FindInvoices(ctx context.Context, f app.InvoiceFilter) ([]*app.Invoice, error) {
	return s.FindInvoicesFn(ctx, f)
}

// TakePayment calls TakePaymentFn.
func (s *BillingService) TakePayment(ctx context.Context, in app.PaymentInput) (*app.Payment, error) {
	return s.TakePaymentFn(ctx, in)
}

// RefundPayment calls RefundPaymentFn.
func (s *BillingService) RefundPayment(ctx context.Context, paymentID, reason string) (*app.Payment, error) {
	return s.RefundPaymentFn(ctx, paymentID, reason)
}

// FindPayment calls FindPaymentFn.
func (s *BillingService) FindPayment(ctx context.Context, id string) (*app.Payment, error) {
	return s.FindPaymentFn(ctx, id)
}

// PatientStatement calls PatientStatementFn.
func (s *BillingService) PatientStatement(ctx context.Context, patientID string) (*app.Statement, error) {
	return s.PatientStatementFn(ctx, patientID)
}

// OutstandingInvoices calls OutstandingInvoicesFn.
func (s *BillingService) OutstandingInvoices(ctx context.Context, f app.OutstandingFilter) ([]*app.OutstandingInvoice, error) {
	return s.OutstandingInvoicesFn(ctx, f)
}

// CashUp calls CashUpFn.
func (s *BillingService) CashUp(ctx context.Context, cashierID, day string) (*app.CashUp, error) {
	return s.CashUpFn(ctx, cashierID, day)
}

// ReceiptPDFLayout calls ReceiptPDFLayoutFn.
func (s *BillingService) ReceiptPDFLayout(ctx context.Context, paymentID string, reprint bool, layout string) ([]byte, error) {
	return s.ReceiptPDFLayoutFn(ctx, paymentID, reprint, layout)
}

// ReceiptPDF calls ReceiptPDFFn.
func (s *BillingService) ReceiptPDF(ctx context.Context, paymentID string, reprint bool) ([]byte, error) {
	return s.ReceiptPDFFn(ctx, paymentID, reprint)
}

// InvoicePDF calls InvoicePDFFn.
func (s *BillingService) InvoicePDF(ctx context.Context, invoiceID string) ([]byte, error) {
	return s.InvoicePDFFn(ctx, invoiceID)
}

// StatementPDF calls StatementPDFFn.
func (s *BillingService) StatementPDF(ctx context.Context, patientID string) ([]byte, error) {
	return s.StatementPDFFn(ctx, patientID)
}

// OutstandingPDF calls OutstandingPDFFn.
func (s *BillingService) OutstandingPDF(ctx context.Context) ([]byte, error) {
	return s.OutstandingPDFFn(ctx)
}

// Cashiers calls CashiersFn.
func (s *BillingService) Cashiers(ctx context.Context) ([]*app.Cashier, error) {
	return s.CashiersFn(ctx)
}

// CashUpPDF calls CashUpPDFFn.
func (s *BillingService) CashUpPDF(ctx context.Context, cashierID, day string) ([]byte, error) {
	return s.CashUpPDFFn(ctx, cashierID, day)
}

// ReceiptESCPOS calls ReceiptESCPOSFn.
func (s *BillingService) ReceiptESCPOS(ctx context.Context, paymentID string, reprint bool) ([]byte, error) {
	return s.ReceiptESCPOSFn(ctx, paymentID, reprint)
}

// DeskCashUp calls DeskCashUpFn.
func (s *BillingService) DeskCashUp(ctx context.Context, desk, day string) (*app.DeskCashUp, error) {
	return s.DeskCashUpFn(ctx, desk, day)
}

// FindCashUp calls FindCashUpFn.
func (s *BillingService) FindCashUp(ctx context.Context, number string) (*app.DeskCashUp, error) {
	return s.FindCashUpFn(ctx, number)
}

// CashUpDesks calls CashUpDesksFn.
func (s *BillingService) CashUpDesks(ctx context.Context) ([]string, error) {
	return s.CashUpDesksFn(ctx)
}

// SaveCashUp calls SaveCashUpFn.
func (s *BillingService) SaveCashUp(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
	return s.SaveCashUpFn(ctx, in)
}

// CloseCashUp calls CloseCashUpFn.
func (s *BillingService) CloseCashUp(ctx context.Context, in app.CashUpInput) (*app.DeskCashUp, error) {
	return s.CloseCashUpFn(ctx, in)
}

// ReopenCashUp calls ReopenCashUpFn.
func (s *BillingService) ReopenCashUp(ctx context.Context, desk, day, reason string) (*app.DeskCashUp, error) {
	return s.ReopenCashUpFn(ctx, desk, day, reason)
}

// DeskCashUpPDF calls DeskCashUpPDFFn.
func (s *BillingService) DeskCashUpPDF(ctx context.Context, desk, day string) ([]byte, error) {
	return s.DeskCashUpPDFFn(ctx, desk, day)
}

// UnbilledVisits calls UnbilledVisitsFn.
func (s *BillingService) UnbilledVisits(ctx context.Context, from, to string) ([]*app.UnbilledVisit, error) {
	return s.UnbilledVisitsFn(ctx, from, to)
}

// BillVisits calls BillVisitsFn.
func (s *BillingService) BillVisits(ctx context.Context, appointmentIDs []string, issue bool) (*app.VisitBilling, error) {
	return s.BillVisitsFn(ctx, appointmentIDs, issue)
}
