package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app/i18n"
)

// Timeline kinds of the billing area.
const (
	HistoryInvoice HistoryKind = "invoice" // an invoice issued or voided
	HistoryPayment HistoryKind = "payment" // a payment taken or refunded
)

// PriceKind is what a price list item charges for.
type PriceKind string

// Price list kinds.
const (
	PriceConsultation PriceKind = "consultation"
	PriceProcedure    PriceKind = "procedure"
	PriceLab          PriceKind = "lab"
	PriceMedicine     PriceKind = "medicine"
	PriceOther        PriceKind = "other"
)

// PriceKinds lists the kinds, in the order forms show them.
var PriceKinds = []PriceKind{PriceConsultation, PriceProcedure, PriceLab, PriceMedicine, PriceOther}

// Valid reports whether k is a known kind.
func (k PriceKind) Valid() bool { return slices.Contains(PriceKinds, k) }

// Label names k for people, a key of the catalogues; an unknown kind is
// its code.
func (k PriceKind) Label() string {
	switch k {
	case PriceConsultation:
		return i18n.N("Consultation")
	case PriceProcedure:
		return i18n.N("Procedure")
	case PriceLab:
		return i18n.N("Lab test")
	case PriceMedicine:
		return i18n.N("Medicine")
	case PriceOther:
		return i18n.N("Other")
	}
	return string(k)
}

// PriceItem is one version of an item of the price list. A price change
// never edits a version: it adds a new one, valid from a time, with the same
// code. Invoices copy code, name, price and tax rate into their lines, so a
// later change never touches an issued bill.
type PriceItem struct {
	ID             string
	Code           string // e.g. CONS-GP; the same for every version of an item
	Version        int    // 1, 2, ... per code
	Name           string
	Kind           PriceKind
	Price          Money       // net of tax, in minor units
	TaxRate        BasisPoints // e.g. 2400 for 24 %
	DoctorID       string      // optional: a consultation of one doctor
	Specialization string      // optional: a consultation of a specialization
	Active         bool        // false: the item is retired from this version on
	ValidFrom      time.Time
	CreatedAt      time.Time
	CreatedBy      string
}

// PriceItemInput creates an item or a new version of one.
type PriceItemInput struct {
	Code           string
	Name           string
	Kind           PriceKind
	Price          Money
	TaxRate        BasisPoints
	DoctorID       string
	Specialization string
	// ValidFrom is when the version takes effect; zero means now. It may
	// not lie in the past, so an issued bill is never re-priced.
	ValidFrom time.Time
}

// Validate checks and normalizes the input.
func (p *PriceItemInput) Validate() error {
	p.Code = strings.ToUpper(strings.TrimSpace(p.Code))
	p.Name = strings.TrimSpace(p.Name)
	p.Specialization = strings.TrimSpace(p.Specialization)
	nameErr := CheckLine("name", i18n.N("The name"), p.Name)
	switch {
	case p.Code == "":
		return FieldErrorf("code", "Enter the item's code, e.g. CONS-GP.")
	case len(p.Code) > 30 || strings.ContainsAny(p.Code, " \t\n"):
		return FieldErrorf("code", "A code is at most 30 characters without spaces.")
	case p.Name == "":
		return FieldErrorf("name", "Enter the item's name.")
	case utf8.RuneCountInString(p.Name) > 200:
		return FieldErrorf("name", "The name is too long (at most 200 characters).")
	case nameErr != nil:
		return nameErr
	case !p.Kind.Valid():
		return FieldErrorf("kind", "Choose what the item is: consultation, procedure, lab, medicine or other.")
	case p.Price < 0:
		return FieldErrorf("price", "A price cannot be negative.")
	case p.Price > MaxMoney:
		return FieldErrorf("price", "The price is too large.")
	case p.TaxRate < 0 || p.TaxRate > 10000:
		return FieldErrorf("tax_rate", "A tax rate is between 0 and 100 %%.")
	case utf8.RuneCountInString(p.Specialization) > 100:
		return FieldErrorf("specialization", "The specialization is too long (at most 100 characters).")
	}
	return nil
}

// PriceFilter selects price list items: the version in force at At (zero:
// now) of every code.
type PriceFilter struct {
	Query          string // a fragment of the code or name
	Kind           PriceKind
	At             time.Time
	IncludeRetired bool
}

// InvoiceStatus is where an invoice stands. Only a draft is ever edited;
// the other statuses follow from the invoice's payments and credit note.
type InvoiceStatus string

// Invoice statuses.
const (
	InvoiceDraft         InvoiceStatus = "draft"
	InvoiceIssued        InvoiceStatus = "issued"
	InvoicePartiallyPaid InvoiceStatus = "partially_paid"
	InvoicePaid          InvoiceStatus = "paid"
	InvoiceVoid          InvoiceStatus = "void"
)

// InvoiceTotals are the sums of an invoice's rounded lines (see
// ComputeInvoice).
type InvoiceTotals struct {
	Gross           Money
	Discount        Money // the lines' own discounts
	InvoiceDiscount Money // the invoice discount: the sum of the lines' shares
	Net             Money // Gross − Discount − InvoiceDiscount
	Tax             Money
	Total           Money // Net + Tax, the sum of the lines' totals
}

// Invoice is a bill for one patient. A draft is edited freely; issuing it
// numbers it (INV-<desk>-<year>-NNNNNN) and freezes it; it is then only
// paid, or voided by a credit note, never edited or deleted.
type Invoice struct {
	ID            string
	Number        string // "" while a draft
	PatientID     string
	PatientName   string
	PatientMRN    string
	AppointmentID string // the visit it bills, when there is one
	Status        InvoiceStatus
	Currency      string
	Notes         string
	// The invoice discount as given, a rate or an amount (never both);
	// Totals.InvoiceDiscount is what it takes off.
	DiscountRate   BasisPoints
	DiscountAmount Money
	Lines          []*InvoiceLine // filled by FindInvoice and the PDF
	Totals         InvoiceTotals
	Paid           Money // by payments not refunded
	Balance        Money // Totals.Total − Paid; 0 when void
	IssuedAt       time.Time
	IssuedBy       string
	CreatedAt      time.Time
	CreatedBy      string
	// The credit note of a voided invoice.
	CreditNoteID     string
	CreditNoteNumber string
	VoidReason       string
	VoidedAt         time.Time
}

// InvoiceLine is one line of an invoice. Its amounts are computed by
// ComputeLine and ComputeInvoice (its share of the invoice discount) on
// every change to the draft, and frozen with the invoice.
type InvoiceLine struct {
	ID             string
	InvoiceID      string
	Position       int    // its number on the invoice, 1 to n, in the order every desk lists the lines
	PriceItemID    string // the price list version it was copied from, if any
	Code           string
	Description    string
	Kind           PriceKind
	Quantity       int64
	UnitPrice      Money
	DiscountRate   BasisPoints
	DiscountAmount Money
	TaxRate        BasisPoints
	LineAmounts
}

// LineInput adds or changes a draft's line. With PriceItemID, the code,
// description, kind, unit price and tax rate are copied from the price
// list version in force (Description and UnitPrice, when given, override
// the list's); without, the line is free text and gives its own.
type LineInput struct {
	PriceItemID    string
	Description    string
	Kind           PriceKind
	Quantity       int64
	UnitPrice      Money
	DiscountRate   BasisPoints
	DiscountAmount Money
	TaxRate        BasisPoints
	// Was is the line as the form that changes it showed it (UpdateLine;
	// nil: as the desk holds it when the change is made). A field the
	// change sets whose value changed since it was shown (a sync brought
	// another desk's edit while the form was open) is overwritten without
	// having been seen: that value is kept for review on every desk
	// (docs/SYNC-DESIGN.md, "What an edit saw"). Another line counts as nil.
	Was *InvoiceLine
}

// Validate checks a line as it will be saved (after copying from the price
// list) and returns its amounts.
func (l *LineInput) Validate() (LineAmounts, error) {
	l.Description = strings.TrimSpace(l.Description)
	if l.Kind == "" {
		l.Kind = PriceOther
	}
	descErr := CheckLine("description", i18n.N("The description"), l.Description)
	switch {
	case l.Description == "":
		return LineAmounts{}, FieldErrorf("description", "Describe what the line charges for.")
	case utf8.RuneCountInString(l.Description) > 200:
		return LineAmounts{}, FieldErrorf("description", "The description is too long (at most 200 characters).")
	case descErr != nil:
		return LineAmounts{}, descErr
	case !l.Kind.Valid():
		return LineAmounts{}, FieldErrorf("kind", "Unknown kind of line.")
	}
	return ComputeLine(l.Quantity, l.UnitPrice, l.DiscountRate, l.DiscountAmount, l.TaxRate)
}

// DraftInvoice starts an invoice.
type DraftInvoice struct {
	PatientID     string
	AppointmentID string
	Notes         string
	Lines         []LineInput
}

// InvoiceFilter selects invoices; results are newest first, keyset paged.
type InvoiceFilter struct {
	PatientID string // a patient caller always gets their own
	Status    InvoiceStatus
	Number    string // exact
	Before    string // the id of the last invoice of the previous page
	Limit     int    // default 50, at most 500
}

// PaymentMethod is how a payment was made.
type PaymentMethod string

// Payment methods.
const (
	PayCash         PaymentMethod = "cash"
	PayCard         PaymentMethod = "card"
	PayBankTransfer PaymentMethod = "bank_transfer"
	PayInsurance    PaymentMethod = "insurance"
	PayOther        PaymentMethod = "other"
)

// PaymentMethods lists the methods in the order forms show them.
var PaymentMethods = []PaymentMethod{PayCash, PayCard, PayBankTransfer, PayInsurance, PayOther}

// Valid reports whether m is a known method.
func (m PaymentMethod) Valid() bool { return slices.Contains(PaymentMethods, m) }

// Allocation is the part of a payment that pays one invoice.
type Allocation struct {
	InvoiceID     string
	InvoiceNumber string
	Amount        Money
}

// PaymentInput takes a payment against one or more issued invoices of one
// patient. Amount must equal the sum of the allocations; for cash,
// Tendered (what was handed over, at least Amount) gives the change.
type PaymentInput struct {
	Method      PaymentMethod
	Amount      Money
	Tendered    Money
	Reference   string
	Allocations []Allocation
}

// Validate checks the input's own rules; the service checks it against
// the invoices.
func (p *PaymentInput) Validate() error {
	p.Reference = strings.TrimSpace(p.Reference)
	if !p.Method.Valid() {
		return FieldErrorf("method", "Choose how the patient pays: cash, card, bank transfer, insurance or other.")
	}
	if p.Amount <= 0 {
		return FieldErrorf("amount", "A payment must be more than zero.")
	}
	if p.Amount > MaxMoney {
		return FieldErrorf("amount", "The amount is too large.")
	}
	if len(p.Allocations) == 0 {
		return FieldErrorf("invoices", "Choose the invoice or invoices the payment is for.")
	}
	var sum Money
	seen := map[string]bool{}
	for _, a := range p.Allocations {
		if a.Amount <= 0 {
			return FieldErrorf("amount", "Each invoice's part of the payment must be more than zero.")
		}
		if seen[a.InvoiceID] {
			return FieldErrorf("invoices", "An invoice is listed twice.")
		}
		seen[a.InvoiceID] = true
		sum += a.Amount
	}
	if sum != p.Amount {
		return FieldErrorf("amount", "The amount must equal the sum of the invoices' parts.")
	}
	if p.Method == PayCash {
		if p.Tendered == 0 {
			p.Tendered = p.Amount
		}
		if p.Tendered < p.Amount {
			return FieldErrorf("tendered", "The cash handed over is less than the amount.")
		}
		if p.Tendered > MaxMoney {
			return FieldErrorf("tendered", "The amount is too large.")
		}
	} else if p.Tendered != 0 {
		return FieldErrorf("tendered", "Only a cash payment has an amount tendered.")
	}
	if (p.Method == PayBankTransfer || p.Method == PayInsurance) && p.Reference == "" {
		return FieldErrorf("reference", "Enter the transfer's or the insurer's reference.")
	}
	if utf8.RuneCountInString(p.Reference) > 100 {
		return FieldErrorf("reference", "The reference is too long (at most 100 characters).")
	}
	if err := CheckLine("reference", i18n.N("The reference"), p.Reference); err != nil {
		return err
	}
	return nil
}

// Payment is money taken (or, with ReversalOf, given back) with its
// receipt number (R-<desk>-<year>-NNNNNN). It is never updated or deleted:
// a refund is a reversal row pointing to it.
type Payment struct {
	ID            string
	ReceiptNumber string
	PatientID     string
	PatientName   string
	PatientMRN    string
	Method        PaymentMethod
	Amount        Money // positive; a reversal gives Amount back
	Tendered      Money
	Change        Money
	Reference     string
	Currency      string
	Allocations   []Allocation
	CashierID     string
	CashierName   string
	TakenAt       time.Time
	ReversalOf    string // set on a refund: the payment it reverses
	ReversedBy    string // set on a refunded payment: its reversal
	Reason        string // a refund's reason
}

// IsReversal reports whether p is a refund.
func (p *Payment) IsReversal() bool { return p.ReversalOf != "" }

// Receipt is what a printed receipt shows, frozen at its first print so a
// reprint never differs from the original but for its COPY mark.
type Receipt struct {
	Clinic     Settings
	Payment    Payment
	ReversalOf string // a refund's original receipt number
	Invoices   []ReceiptInvoice
	PrintedAt  time.Time
	TimeZone   string // the clinic's, in which dates print
	// Language is the language it was first printed in (the patient's,
	// else the clinic's message language), kept with it so that a
	// reprint says what the original said; "" is English.
	Language string `json:",omitempty"`
}

// ReceiptInvoice is one invoice a receipt pays, with its balance after.
type ReceiptInvoice struct {
	Number       string
	Total        Money
	Paid         Money // this payment's part
	BalanceAfter Money
	// The invoice discount included in Total, and its rate when it was
	// given as one; left out of the stored receipt when there is none, so
	// receipts printed before invoices had discounts read back the same.
	Discount     Money       `json:",omitempty"`
	DiscountRate BasisPoints `json:",omitempty"`
}

// Statement is a patient's invoices, payments and balance.
type Statement struct {
	PatientID     string
	PatientName   string
	PatientMRN    string
	Currency      string
	Invoices      []*Invoice // issued, paid and void, newest first
	Payments      []*Payment // payments and refunds, newest first
	TotalInvoiced Money      // invoices not void
	TotalPaid     Money      // payments not refunded
	Balance       Money      // TotalInvoiced − TotalPaid
}

// OutstandingInvoice is an unpaid invoice with its age.
type OutstandingInvoice struct {
	*Invoice
	AgeDays int // days since it was issued, in the clinic's time zone
}

// AgeBand is one band of an aged-debt summary: invoices issued MinDays to
// MaxDays days ago, both included; MaxDays < 0 has no upper bound.
type AgeBand struct {
	Label   string
	MinDays int
	MaxDays int
}

// AgeBands are the bands the outstanding invoices report sums by.
var AgeBands = []AgeBand{
	{"0–30 days", 0, 30},
	{"31–60 days", 31, 60},
	{"61–90 days", 61, 90},
	{"over 90 days", 91, -1},
}

// OutstandingFilter pages the outstanding invoices, oldest first.
type OutstandingFilter struct {
	After string // the id of the last invoice of the previous page
	Limit int    // default 100, at most 1000
}

// MethodTotal is the money taken with one method.
type MethodTotal struct {
	Method   PaymentMethod
	Count    int
	Taken    Money
	Refunded Money
}

// ValidateReceiptLayout checks a layout asked for a receipt PDF: "" (the
// desk's), LayoutA4, Layout80mm or Layout58mm.
func ValidateReceiptLayout(layout string) error {
	switch layout {
	case "", LayoutA4, Layout80mm, Layout58mm:
		return nil
	}
	return FieldErrorf("layout", "A receipt prints as a4, 80mm or 58mm, not %q.", layout)
}

// CashUp is one cashier's day: totals per method and the receipts in it.
type CashUp struct {
	CashierID   string
	CashierName string
	Day         string // YYYY-MM-DD in the clinic's time zone
	Currency    string
	Methods     []MethodTotal // every method, in PaymentMethods order
	Taken       Money
	Refunded    Money
	Net         Money      // Taken − Refunded
	CashInHand  Money      // cash taken − cash refunded
	Receipts    []*Payment // in the order taken
}

// Cashier is an account whose cash-up may be shown.
type Cashier struct {
	ID       string
	Username string
	FullName string
	Active   bool // false for an account deactivated since it took payments
}

// BillingService keeps the price list, invoices, payments, receipts and
// cash-ups. Admins may do everything; billing clerks everything but the
// price list; reception takes payments and prints receipts but cannot
// void or refund; a patient sees their own invoices and receipts; doctors
// and nurses have no access.
type BillingService interface {
	// CreatePriceItem adds an item to the price list (admin).
	CreatePriceItem(ctx context.Context, in PriceItemInput) (*PriceItem, error)
	// ChangePriceItem adds a new version of the item with in.Code, valid
	// from in.ValidFrom (admin). Issued invoices keep their copied prices.
	ChangePriceItem(ctx context.Context, in PriceItemInput) (*PriceItem, error)
	// RetirePriceItem adds a retired version of an item: it is no longer
	// offered (admin).
	RetirePriceItem(ctx context.Context, code string) (*PriceItem, error)
	// FindPriceItems lists the versions in force (billing staff, reception;
	// patients, who see what a visit costs).
	FindPriceItems(ctx context.Context, f PriceFilter) ([]*PriceItem, error)
	// PriceItemHistory lists every version of one code, oldest first.
	PriceItemHistory(ctx context.Context, code string) ([]*PriceItem, error)

	// CreateDraftInvoice starts a draft for a patient (billing).
	CreateDraftInvoice(ctx context.Context, d DraftInvoice) (*Invoice, error)
	// DraftForAppointment proposes a draft with the consultation charge of
	// a completed appointment; an existing invoice of the visit is returned
	// instead of a second one (billing).
	DraftForAppointment(ctx context.Context, appointmentID string) (*Invoice, error)
	// AddLine adds a line to a draft (billing).
	AddLine(ctx context.Context, invoiceID string, l LineInput) (*Invoice, error)
	// UpdateLine replaces a draft's line (billing).
	UpdateLine(ctx context.Context, lineID string, l LineInput) (*Invoice, error)
	// RemoveLine removes a draft's line (billing).
	RemoveLine(ctx context.Context, lineID string) (*Invoice, error)
	// SetInvoiceDiscount gives a draft its invoice discount, a rate or an
	// amount (both zero: none), shared over the lines by ComputeInvoice
	// (billing). was is the draft as the form that changes it showed it
	// (nil: as the desk holds it when the change is made), as
	// LineInput.Was: a discount a sync changed since it was shown is
	// overwritten without having been seen, and kept for review on every
	// desk. Another invoice counts as nil.
	SetInvoiceDiscount(ctx context.Context, invoiceID string, rate BasisPoints, amount Money, was *Invoice) (*Invoice, error)
	// IssueInvoice numbers a draft and freezes it (billing).
	IssueInvoice(ctx context.Context, invoiceID string) (*Invoice, error)
	// VoidInvoice voids an issued invoice with no payments left on it by a
	// credit note with a reason (billing; reception cannot).
	VoidInvoice(ctx context.Context, invoiceID, reason string) (*Invoice, error)
	// FindInvoice returns an invoice with its lines (staff; a patient their own).
	FindInvoice(ctx context.Context, id string) (*Invoice, error)
	// FindInvoices lists invoices without lines (staff; a patient their own).
	FindInvoices(ctx context.Context, f InvoiceFilter) ([]*Invoice, error)

	// TakePayment records a payment against issued invoices of one patient,
	// numbered from the receipt series in the same transaction (billing,
	// reception).
	TakePayment(ctx context.Context, in PaymentInput) (*Payment, error)
	// RefundPayment reverses a payment with a reason (billing).
	RefundPayment(ctx context.Context, paymentID, reason string) (*Payment, error)
	// FindPayment returns a payment, by its id or its receipt number, with
	// its allocations (staff; a patient their own).
	FindPayment(ctx context.Context, id string) (*Payment, error)

	// PatientStatement is a patient's invoices, payments and balance
	// (staff; a patient their own).
	PatientStatement(ctx context.Context, patientID string) (*Statement, error)
	// OutstandingInvoices lists issued, unpaid invoices, oldest first (staff).
	OutstandingInvoices(ctx context.Context, f OutstandingFilter) ([]*OutstandingInvoice, error)
	// CashUp is a cashier's day (billing any cashier; reception their own).
	CashUp(ctx context.Context, cashierID, day string) (*CashUp, error)
	// Cashiers lists the accounts whose cash-up the caller may see, by
	// name: for billing staff every active account that takes payments and
	// anyone who has taken one; for reception, themself.
	Cashiers(ctx context.Context) ([]*Cashier, error)

	// ReceiptPDF prints a payment's receipt. The first print stores the
	// document; a reprint returns the same document marked COPY (staff who
	// take payments; a patient their own).
	ReceiptPDF(ctx context.Context, paymentID string, reprint bool) ([]byte, error)
	// ReceiptESCPOS is ReceiptPDF as raw ESC/POS commands, for a desk whose
	// receipt layout is LayoutESCPOS or LayoutESCPOS58 (EINVALID on other
	// desks); the first print stores the PDF as ReceiptPDF does.
	ReceiptESCPOS(ctx context.Context, paymentID string, reprint bool) ([]byte, error)
	// ReceiptPDFLayout is ReceiptPDF in the layout given (LayoutA4,
	// Layout80mm or Layout58mm) instead of the desk's; "" is the desk's.
	// EINVALID with Field "layout" for any other layout.
	ReceiptPDFLayout(ctx context.Context, paymentID string, reprint bool, layout string) ([]byte, error)
	// InvoicePDF prints an invoice, a draft marked DRAFT; each print is
	// audited (staff; a patient their own).
	InvoicePDF(ctx context.Context, invoiceID string) ([]byte, error)

	// StatementPDF prints a patient's statement: every issued or void
	// invoice, every payment and refund, and the balance (staff who see
	// bills; a patient their own). Each print is audited.
	StatementPDF(ctx context.Context, patientID string) ([]byte, error)
	// OutstandingPDF prints every issued, unpaid invoice, oldest first,
	// with its age in days and the totals (the same staff as
	// OutstandingInvoices). Each print is audited.
	OutstandingPDF(ctx context.Context) ([]byte, error)
	// CashUpPDF prints a cashier's day (YYYY-MM-DD in the clinic's time
	// zone): totals per payment method, the cash in hand and the receipts
	// (the same callers as CashUp). Each print is audited.
	CashUpPDF(ctx context.Context, cashierID, day string) ([]byte, error)

	// DeskCashUp is a desk's cash-up of a day (YYYY-MM-DD in the clinic's
	// time zone); desk "" is this desk, "*" every desk's payments together.
	// A closed day reads as it was frozen, with its late payments (billing
	// staff and administrators).
	DeskCashUp(ctx context.Context, desk, day string) (*DeskCashUp, error)
	// CashUpDesks are the desks whose cash-up can be read here: this
	// desk's code first, then the other desks of the clinic whose payments
	// or cash-ups this desk holds (through sync), in order (billing staff
	// and administrators).
	CashUpDesks(ctx context.Context) ([]string, error)
	// FindCashUp is the closed cash-up numbered number (CU-D1-2026-000001).
	FindCashUp(ctx context.Context, number string) (*DeskCashUp, error)
	// SaveCashUp saves an open day's float, counts and note (billing staff
	// and administrators); ECONFLICT on a closed day.
	SaveCashUp(ctx context.Context, in CashUpInput) (*DeskCashUp, error)
	// CloseCashUp saves and closes the day: it is numbered and its figures
	// frozen (billing staff and administrators).
	CloseCashUp(ctx context.Context, in CashUpInput) (*DeskCashUp, error)
	// ReopenCashUp reopens a closed day with a reason (administrators).
	ReopenCashUp(ctx context.Context, desk, day, reason string) (*DeskCashUp, error)
	// UnbilledVisits lists the completed visits from day from to day to
	// (YYYY-MM-DD, both included, the clinic's time zone) of every doctor
	// that have no invoice or only a draft, oldest first, at most
	// MaxUnbilledVisits (billing staff and administrators).
	UnbilledVisits(ctx context.Context, from, to string) ([]*UnbilledVisit, error)
	// BillVisits makes the invoice of each completed visit given, one per
	// visit, each in its own transaction: a draft (kept when it has one),
	// issued too when issue is set. A visit that cannot be billed is listed
	// with the reason and changes nothing (billing staff and administrators).
	BillVisits(ctx context.Context, appointmentIDs []string, issue bool) (*VisitBilling, error)
	// DeskCashUpPDF prints a desk's cash-up of a day, as DeskCashUp reads
	// it. Each print is audited.
	DeskCashUpPDF(ctx context.Context, desk, day string) ([]byte, error)
}

// ValidateInvoiceNotes checks and trims an invoice's notes: several lines
// at most 1000 characters, no control or text-direction characters (they
// are printed on the invoice and shown to the patient).
func ValidateInvoiceNotes(notes string) (string, error) {
	notes = strings.TrimSpace(notes)
	if utf8.RuneCountInString(notes) > 1000 {
		return "", FieldErrorf("notes", "The notes are too long (at most 1000 characters).")
	}
	if err := CheckMultiline("notes", i18n.N("The notes"), notes); err != nil {
		return "", err
	}
	return notes, nil
}

// ValidateBillingReason checks a void's or refund's reason.
func ValidateBillingReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", FieldErrorf("reason", "Give the reason; it is printed on the credit note and kept for the audit.")
	}
	if utf8.RuneCountInString(reason) > 500 {
		return "", FieldErrorf("reason", "The reason is too long (at most 500 characters).")
	}
	if err := CheckMultiline("reason", i18n.N("The reason"), reason); err != nil {
		return "", err
	}
	return reason, nil
}
