package app

import (
	"cmp"
	"hms/app/i18n"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Money is an amount in the minor units of the clinic's currency (cents for
// EUR, whole yen for JPY, fils for KWD). It is never a float: every sum,
// product and rounding below is integer arithmetic.
type Money int64

// MaxMoney bounds any one amount (a price, a line, a payment): 10^13 minor
// units, e.g. a hundred billion euros. It keeps every product of the line
// arithmetic (amount × basis points) far inside int64.
const MaxMoney Money = 10_000_000_000_000

// MaxQuantity bounds the quantity of one invoice line.
const MaxQuantity = 100_000

// BasisPoints is a rate in hundredths of a percent: 2400 is 24 %, 10000 is
// 100 %.
type BasisPoints int64

// CurrencyDigits returns the minor unit digits of a currency, 2 when the
// code is unknown.
func CurrencyDigits(currency string) int {
	if d, ok := Currencies[strings.ToUpper(currency)]; ok {
		return d
	}
	return 2
}

// ParseMoney reads an amount typed by a person into minor units of a
// currency with digits decimal places.
//
// Accepted: digits with an optional "." decimal point and at most digits
// decimals ("12", "12.5", "12.50", ".5"), optionally grouped by "," in
// threes before the point ("1,234.56"), surrounded by spaces. Refused, each
// with a message for the "amount" field: an empty string, a sign (amounts
// typed at a desk are never negative: corrections are their own rows), a
// comma used as the decimal point ("12,50" is ambiguous and refused), more
// decimals than the currency has, anything else, and amounts above MaxMoney.
func ParseMoney(s string, digits int) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, FieldErrorf("amount", "Enter an amount.")
	}
	if s[0] == '-' || s[0] == '+' {
		return 0, FieldErrorf("amount", "Enter the amount without a sign; it cannot be negative.")
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if hasPoint && frac == "" && intPart == "" {
		return 0, FieldErrorf("amount", "%q is not an amount: use digits, e.g. 12.50.", s)
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, FieldErrorf("amount", "%q is not an amount: use \".\" for decimals and \",\" only between groups of three digits, e.g. 1,234.50.", s)
			}
		}
		intPart = strings.Join(groups, "")
	}
	if !allDigits(intPart) || !allDigits(frac) || (intPart == "" && frac == "") {
		return 0, FieldErrorf("amount", "%q is not an amount: use digits, e.g. 12.50.", s)
	}
	if len(frac) > digits {
		if digits == 0 {
			return 0, FieldErrorf("amount", "This currency has no decimals: enter a whole amount.")
		}
		return 0, FieldErrorf("amount", "At most %d decimals: this currency has no smaller unit.", digits)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 15 {
		return 0, FieldErrorf("amount", "The amount is too large.")
	}
	whole := int64(0)
	if intPart != "" {
		whole, _ = strconv.ParseInt(intPart, 10, 64)
	}
	m := whole
	for i := 0; i < digits; i++ {
		m *= 10
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < digits; i++ {
			f *= 10
		}
	}
	m += f
	if Money(m) > MaxMoney || m < 0 {
		return 0, FieldErrorf("amount", "The amount is too large.")
	}
	return Money(m), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// englishAmounts writes amounts as the command line, exports and entries do.
var englishAmounts = i18n.For(i18n.English)

// FormatAmount writes m as English does (i18n.Tr.Amount), with digits
// decimals and "," between groups of three, e.g. "1,234.50" or "-3.00";
// ParseMoney reads back what it writes for amounts that are not negative.
func FormatAmount(m Money, digits int) string {
	return englishAmounts.Amount(int64(m), digits)
}

// Format writes m in the currency's minor digits followed by its code,
// e.g. "1,234.50 EUR", "1,500 JPY", "-0.250 KWD".
func Format(m Money, currency string) string {
	return FormatAmount(m, CurrencyDigits(currency)) + " " + strings.ToUpper(currency)
}

// The rounding rule, the only one HMS uses: a share of an amount (a
// discount percentage, a tax rate) is computed exactly as a fraction and
// rounded to the nearest minor unit, halves away from zero, once per
// invoice line. Invoice totals are sums of the rounded line amounts, so the
// lines printed on a bill always add up to its totals. An invoice discount
// (ComputeInvoice) is rounded the same way once for the whole invoice, then
// split over the lines exactly (AllocateDiscount) before their tax.

// ApplyRate returns m × rate / 10000 rounded half away from zero. m is at
// most MaxMoney in size and rate at most 10000 (100 %), so the product fits.
func ApplyRate(m Money, rate BasisPoints) Money {
	p := int64(m) * int64(rate)
	if p < 0 {
		return -Money((-p + 5000) / 10000)
	}
	return Money((p + 5000) / 10000)
}

// LineAmounts are the computed amounts of one invoice line.
type LineAmounts struct {
	Gross           Money // quantity × unit price
	Discount        Money // the line's own discount, rounded
	InvoiceDiscount Money // the line's share of the invoice discount (ComputeInvoice)
	Net             Money // Gross − Discount − InvoiceDiscount: what tax is charged on
	Tax             Money // tax on Net, rounded
	Total           Money // Net + Tax
}

// ComputeLine works out a line: quantity is a whole count (1 to
// MaxQuantity); unitPrice is net of tax; the discount is either a rate
// (discountRate) or an amount (discountAmount), never both; tax is charged
// on the discounted amount. It returns a field error for input a line
// cannot have.
func ComputeLine(quantity int64, unitPrice Money, discountRate BasisPoints, discountAmount Money, taxRate BasisPoints) (LineAmounts, error) {
	var a LineAmounts
	switch {
	case quantity <= 0:
		return a, FieldErrorf("quantity", "The quantity must be at least 1.")
	case quantity > MaxQuantity:
		return a, FieldErrorf("quantity", "The quantity is too large (at most %d).", MaxQuantity)
	case unitPrice < 0:
		return a, FieldErrorf("unit_price", "The price cannot be negative.")
	case unitPrice > MaxMoney:
		return a, FieldErrorf("unit_price", "The price is too large.")
	case discountRate < 0 || discountRate > 10000:
		return a, FieldErrorf("discount", "A discount is between 0 and 100 %%.")
	case discountAmount < 0:
		return a, FieldErrorf("discount", "A discount cannot be negative.")
	case discountRate > 0 && discountAmount > 0:
		return a, FieldErrorf("discount", "Give the discount either as a percentage or as an amount, not both.")
	case taxRate < 0 || taxRate > 10000:
		return a, FieldErrorf("tax_rate", "A tax rate is between 0 and 100 %%.")
	}
	if unitPrice > 0 && Money(quantity) > MaxMoney/unitPrice {
		return a, FieldErrorf("quantity", "The line's amount is too large.")
	}
	a.Gross = Money(quantity) * unitPrice
	a.Discount = discountAmount
	if discountRate > 0 {
		a.Discount = ApplyRate(a.Gross, discountRate)
	}
	if a.Discount > a.Gross {
		return a, FieldErrorf("discount", "The discount is larger than the line's amount.")
	}
	a.Net = a.Gross - a.Discount
	a.Tax = ApplyRate(a.Net, taxRate)
	a.Total = a.Net + a.Tax
	return a, nil
}

// ComputeInvoice works out an invoice's lines under its invoice discount
// and sums them. lines[i] is line i as ComputeLine worked it out (any
// InvoiceDiscount it carries is ignored: the shares are worked out again)
// and taxRates[i] its tax rate; the invoice discount is a rate
// (discountRate) or an amount (discountAmount), never both.
//
// The rule: the invoice discount applies to the lines' net amounts after
// their own discounts. A rate is first turned into an amount, rate × the
// sum of those nets, rounded once, half away from zero. The amount is then
// split over the lines by AllocateDiscount, in proportion to each line's
// net, in whole minor units that add up to it exactly. Each line's tax is
// charged on its net less its share, rounded half away from zero as
// ComputeLine does. The totals are the sums of the lines, so Total is the
// sum of the rounded line totals and InvoiceDiscount the discount asked.
//
// It returns a field error on "invoice_discount" for a discount an
// invoice cannot have: negative, a rate above 100 %, both a rate and an
// amount, or an amount above the lines' net. It panics when lines and
// taxRates differ in length.
func ComputeInvoice(lines []LineAmounts, taxRates []BasisPoints, discountRate BasisPoints, discountAmount Money) ([]LineAmounts, InvoiceTotals, error) {
	if len(lines) != len(taxRates) {
		panic("app.ComputeInvoice: a tax rate for every line")
	}
	var t InvoiceTotals
	nets := make([]Money, len(lines))
	var net Money
	for i, l := range lines {
		nets[i] = l.Gross - l.Discount
		net += nets[i]
	}
	discount, err := InvoiceDiscountAmount(discountRate, discountAmount, net)
	if err != nil {
		return nil, t, err
	}
	shares := AllocateDiscount(discount, nets)
	out := make([]LineAmounts, len(lines))
	for i, l := range lines {
		l.InvoiceDiscount = shares[i]
		l.Net = nets[i] - shares[i]
		l.Tax = ApplyRate(l.Net, taxRates[i])
		l.Total = l.Net + l.Tax
		out[i] = l
		t.Gross += l.Gross
		t.Discount += l.Discount
		t.InvoiceDiscount += l.InvoiceDiscount
		t.Net += l.Net
		t.Tax += l.Tax
		t.Total += l.Total
	}
	return out, t, nil
}

// InvoiceDiscountAmount is the amount an invoice discount takes off lines
// whose net amounts (after their own discounts) add up to net: the amount
// given, or rate × net rounded half away from zero. The rate and the
// amount are checked as ComputeInvoice documents.
func InvoiceDiscountAmount(rate BasisPoints, amount, net Money) (Money, error) {
	switch {
	case rate < 0 || amount < 0:
		return 0, FieldErrorf("invoice_discount", "A discount cannot be negative.")
	case rate > 10000:
		return 0, FieldErrorf("invoice_discount", "A discount is between 0 and 100 %%.")
	case rate > 0 && amount > 0:
		return 0, FieldErrorf("invoice_discount", "Give the invoice discount either as a percentage or as an amount, not both.")
	case amount > net:
		return 0, FieldErrorf("invoice_discount", "The invoice discount is larger than the lines' amount after their own discounts.")
	case rate > 0:
		return ApplyRate(net, rate), nil
	}
	return amount, nil
}

// AllocateDiscount splits discount over lines whose net amounts are nets,
// in proportion to them, by the largest-remainder method: each line first
// gets discount × net / Σnets rounded down, then the minor units left over
// go one each to the lines with the largest remainders, an earlier line
// first where remainders tie. The shares add up to discount exactly, and
// no share is negative or larger than its line's net.
//
// The products are worked out in 128 bits, so any invoice of at most
// MaxMoney a line is exact. discount must lie between 0 and Σnets and no
// net may be negative; AllocateDiscount panics otherwise, as that is a
// caller's mistake (ComputeInvoice checks the discount first).
func AllocateDiscount(discount Money, nets []Money) []Money {
	var sum, carry uint64
	for _, n := range nets {
		if n < 0 {
			panic("app.AllocateDiscount: a negative net amount")
		}
		if sum, carry = bits.Add64(sum, uint64(n), 0); carry != 0 {
			panic("app.AllocateDiscount: the lines' net overflows")
		}
	}
	if discount < 0 || uint64(discount) > sum {
		panic("app.AllocateDiscount: the discount is not between 0 and the lines' net")
	}
	shares := make([]Money, len(nets))
	if discount == 0 {
		return shares
	}
	type rest struct {
		line      int
		remainder uint64
	}
	rests := make([]rest, len(nets))
	left := discount
	for i, n := range nets {
		// discount ≤ sum, so discount × n / sum ≤ n fits in 64 bits and
		// hi < sum, which bits.Div64 needs.
		hi, lo := bits.Mul64(uint64(discount), uint64(n))
		q, r := bits.Div64(hi, lo, sum)
		shares[i] = Money(q)
		left -= shares[i]
		rests[i] = rest{i, r}
	}
	// left < len(nets): each line lost less than one unit to rounding down.
	slices.SortStableFunc(rests, func(a, b rest) int { return cmp.Compare(b.remainder, a.remainder) })
	for _, r := range rests[:left] {
		shares[r.line]++
	}
	return shares
}

// ParseRate reads a percentage typed by a person ("24", "6.5", "0.25")
// into basis points: at most two decimals, 0 to 100.
func ParseRate(s string) (BasisPoints, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	m, err := ParseMoney(s, 2)
	if err != nil {
		return 0, FieldErrorf("rate", "%q is not a percentage: use e.g. 24 or 6.5.", s)
	}
	if m > 10000 {
		return 0, FieldErrorf("rate", "A percentage is between 0 and 100.")
	}
	return BasisPoints(m), nil
}

// FormatRate writes basis points as a percentage, e.g. "24%" or "6.5%".
func FormatRate(r BasisPoints) string {
	s := FormatAmount(Money(r), 2)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
