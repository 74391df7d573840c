package app

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hms/app/i18n"
)

// The cash-up of a desk's day (the till count): the opening float, the
// cash counted by denomination, what the payments say the drawer should
// hold, the variance, the card and other totals, and a note. Closing it
// numbers it from the desk's CU series (CU-D1-2026-000001) and freezes it;
// reopening is an administrator's, with a reason.

// CashUpStatus is where a desk's cash-up stands.
type CashUpStatus string

// Cash-up statuses. A day with no saved cash-up is open.
const (
	CashUpOpen   CashUpStatus = "open"
	CashUpClosed CashUpStatus = "closed"
)

// CashCount is how many notes or coins of one denomination were counted.
type CashCount struct {
	Denomination Money // the face value in minor units: 2000 is a 20.00 note
	Count        int64
}

// MaxCashCount bounds the count of one denomination.
const MaxCashCount = 1_000_000

// DeskCashUp is a desk's cash-up of one day of the clinic's time zone.
// Payments belong to the desk whose receipt series numbered them (R-D1-…),
// that is, to the drawer of the desk that took them.
type DeskCashUp struct {
	ID       string // "" while nothing was saved
	Number   string // CU-<desk>-<year>-NNNNNN, given at the first close
	Desk     string
	Day      string // YYYY-MM-DD
	Currency string
	Status   CashUpStatus

	OpeningFloat Money
	Counts       []CashCount // every denomination of the clinic, largest first
	Counted      Money       // the sum of Counts
	Note         string

	// The figures from the payments: the day's own and those carried in.
	Methods      []MethodTotal // every method, in PaymentMethods order
	CashNet      Money         // cash taken − cash refunded
	ExpectedCash Money         // OpeningFloat + CashNet
	Variance     Money         // Counted − ExpectedCash: negative is short
	Card         Money         // card taken − refunded
	Other        Money         // bank transfer, insurance and other, net
	Payments     []*Payment    // counted here: the day's own, in the order taken
	// CarriedIn are payments of earlier closed days of the desk that
	// reached this desk after those days closed (late), counted here.
	CarriedIn []*Payment
	// Late are payments of this closed day that reached the desk after it
	// closed: listed here, counted in the next day closed.
	Late []*Payment

	ClosedAt       time.Time
	ClosedByName   string
	ReopenedAt     time.Time
	ReopenedByName string
	ReopenReason   string
}

// CashUpInput saves a desk's cash-up of a day, or closes it.
type CashUpInput struct {
	Desk         string // "" is this desk
	Day          string // YYYY-MM-DD in the clinic's time zone
	OpeningFloat Money
	Counts       []CashCount
	Note         string
}

// Validate checks the input's own rules against the clinic's
// denominations; the service checks the day.
func (in *CashUpInput) Validate(denominations []Money) error {
	in.Desk = strings.ToUpper(strings.TrimSpace(in.Desk))
	in.Day = strings.TrimSpace(in.Day)
	in.Note = strings.TrimSpace(in.Note)
	if _, err := time.Parse(DateLayout, in.Day); err != nil {
		return FieldErrorf("day", "Write the day as YYYY-MM-DD.")
	}
	if in.Desk != "" && !validDeskCode(in.Desk) {
		return FieldErrorf("desk", "%q is not a desk code: letters and digits, e.g. D1.", in.Desk)
	}
	if in.OpeningFloat < 0 {
		return FieldErrorf("float", "The opening float cannot be negative.")
	}
	if in.OpeningFloat > MaxMoney {
		return FieldErrorf("float", "The opening float is too large.")
	}
	seen := map[Money]bool{}
	var sum Money
	for _, c := range in.Counts {
		field := CountField(c.Denomination)
		if !slices.Contains(denominations, c.Denomination) {
			return FieldErrorf(field, "This is not one of the clinic's denominations.")
		}
		if seen[c.Denomination] {
			return FieldErrorf(field, "A denomination is counted twice.")
		}
		seen[c.Denomination] = true
		if c.Count < 0 {
			return FieldErrorf(field, "A count cannot be negative.")
		}
		if c.Count > MaxCashCount {
			return FieldErrorf(field, "The count is too large.")
		}
		sum += c.Denomination * Money(c.Count)
		if sum > MaxMoney {
			return FieldErrorf(field, "The cash counted is too large.")
		}
	}
	if err := CheckMultiline("note", i18n.N("The note"), in.Note); err != nil {
		return err
	}
	if utf8.RuneCountInString(in.Note) > 1000 {
		return FieldErrorf("note", "The note is too long (at most 1000 characters).")
	}
	return nil
}

// CountField is the name of the field of a denomination's count, which a
// validation message is put next to.
func CountField(d Money) string { return "count_" + strconv.FormatInt(int64(d), 10) }

func validDeskCode(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// CountedTotal is the sum of counts.
func CountedTotal(counts []CashCount) Money {
	var sum Money
	for _, c := range counts {
		sum += c.Denomination * Money(c.Count)
	}
	return sum
}

// DefaultDenominations are the notes and coins of a currency in minor
// units, largest first, for a clinic that has not set its own. The sets
// are those the central banks issue (ECB for the euro, the US Mint and
// BEP, the Bank of England, the Reserve Bank of India, the Bank of
// Japan); other currencies get a decimal series of their minor digits,
// which the clinic can replace in Settings.
func DefaultDenominations(currency string) []Money {
	major := func(units ...float64) []Money {
		digits := CurrencyDigits(currency)
		scale := 1.0
		for range digits {
			scale *= 10
		}
		out := make([]Money, len(units))
		for i, u := range units {
			out[i] = Money(u*scale + 0.5)
		}
		return out
	}
	switch strings.ToUpper(currency) {
	case "USD":
		return major(100, 50, 20, 10, 5, 1, 0.25, 0.10, 0.05, 0.01)
	case "GBP":
		return major(50, 20, 10, 5, 2, 1, 0.50, 0.20, 0.10, 0.05, 0.02, 0.01)
	case "INR":
		return major(500, 200, 100, 50, 20, 10, 5, 2, 1)
	case "JPY":
		return major(10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1)
	}
	if CurrencyDigits(currency) == 0 {
		return major(10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 1)
	}
	return major(500, 200, 100, 50, 20, 10, 5, 2, 1, 0.50, 0.20, 0.10, 0.05, 0.02, 0.01)
}

// Denominations are the clinic's denominations: its own when set, else
// the currency's defaults.
func (s *Settings) Denominations() []Money {
	if len(s.CashDenominations) > 0 {
		return slices.Clone(s.CashDenominations)
	}
	return DefaultDenominations(s.Currency)
}

// ParseDenominations reads denominations typed as amounts of the
// currency, separated by spaces or ";" (e.g. "50 20 10 5 0.50"), largest
// first after sorting; "" is none (the currency's defaults).
func ParseDenominations(s string, digits int) ([]Money, error) {
	var out []Money
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ';' || r == '\t' }) {
		m, err := ParseMoney(f, digits)
		if err != nil || m <= 0 {
			return nil, FieldErrorf("cash_denominations", "%q is not a denomination: give amounts such as 50 20 10 0.50, separated by spaces.", f)
		}
		if slices.Contains(out, m) {
			return nil, FieldErrorf("cash_denominations", "%s is listed twice.", f)
		}
		out = append(out, m)
	}
	if len(out) > 30 {
		return nil, FieldErrorf("cash_denominations", "At most 30 denominations.")
	}
	slices.SortFunc(out, func(a, b Money) int { return int(b - a) })
	return out, nil
}

// FormatDenominations writes denominations as ParseDenominations reads them.
func FormatDenominations(ds []Money, digits int) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = FormatAmount(d, digits)
	}
	return strings.Join(parts, " ")
}

// ValidateCashUpReason checks the reason for reopening a closed day.
func ValidateCashUpReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", FieldErrorf("reason", "Give the reason for reopening the day; it is kept for the audit.")
	}
	if err := CheckMultiline("reason", i18n.N("The reason"), reason); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(reason) > 500 {
		return "", FieldErrorf("reason", "The reason is too long (at most 500 characters).")
	}
	return reason, nil
}

// CanCashUp: billing staff and administrators see, count and close a
// desk's cash-up.
func CanCashUp(c Caller) error { return RequireAny(c, PermManageBilling) }

// CanReopenCashUp: only an administrator reopens a closed day.
func CanReopenCashUp(c Caller) error {
	if err := RequireAny(c, PermManageBilling); err != nil {
		return err
	}
	if !c.Can(PermManageSettings) {
		return denied("Only an administrator can reopen a closed day.")
	}
	return nil
}

// UnbilledVisit is a completed visit (appointment) with no invoice, or
// with a draft not issued yet.
type UnbilledVisit struct {
	AppointmentID string
	PatientID     string
	PatientName   string
	PatientMRN    string
	DoctorName    string
	Start         time.Time
	DraftID       string // the visit's draft invoice, "" when it has none
}

// MaxUnbilledVisits bounds one listing of unbilled visits.
const MaxUnbilledVisits = 2000

// VisitBilling is what billing visits in a batch did: the invoice of each
// visit billed, and each visit refused with the reason. Each visit is
// billed in its own transaction, all or nothing.
type VisitBilling struct {
	Invoices []*Invoice
	Failures []VisitBillFailure
}

// VisitBillFailure is a visit a batch did not bill.
type VisitBillFailure struct {
	AppointmentID string
	PatientName   string
	Message       string
}

// MaxVisitBatch bounds the visits billed in one batch.
const MaxVisitBatch = 500
