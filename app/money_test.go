package app_test

import (
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"hms/app"
)

func TestParseMoney(t *testing.T) {
	ok := []struct {
		in     string
		digits int
		want   app.Money
	}{
		{"12", 2, 1200}, {"12.5", 2, 1250}, {"12.50", 2, 1250}, {" 0.05 ", 2, 5}, {".5", 2, 50}, {"12.", 2, 1200},
		{"1,234.56", 2, 123456}, {"1,234,567", 2, 123456700}, {"0", 2, 0}, {"007.10", 2, 710},
		{"1500", 0, 1500}, {"1,500", 0, 1500}, {"1.005", 3, 1005}, {"0.25", 3, 250},
	}
	for _, c := range ok {
		got, err := app.ParseMoney(c.in, c.digits)
		if err != nil || got != c.want {
			t.Errorf("ParseMoney(%q, %d) = %d, %v; want %d", c.in, c.digits, got, err, c.want)
		}
	}
	bad := []struct {
		in     string
		digits int
	}{
		{"", 2}, {"-1", 2}, {"+1", 2}, {"12.345", 2}, {"12.5", 0}, {"12,50", 2}, {"1,23", 2}, {"12,345,", 2},
		{"abc", 2}, {"1e3", 2}, {"12 .50", 2}, {"1.2.3", 2}, {".", 2}, {"99999999999999999999", 2},
		{"NaN", 2}, {"0x10", 2}, {"١٢", 2},
	}
	for _, c := range bad {
		if _, err := app.ParseMoney(c.in, c.digits); app.ErrorField(err) != "amount" {
			t.Errorf("ParseMoney(%q, %d): want a field error on amount, got %v", c.in, c.digits, err)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		m    app.Money
		cur  string
		want string
	}{
		{123456, "EUR", "1,234.56 EUR"}, {5, "EUR", "0.05 EUR"}, {0, "USD", "0.00 USD"}, {-250, "EUR", "-2.50 EUR"},
		{1500, "JPY", "1,500 JPY"}, {1005, "KWD", "1.005 KWD"}, {100000000, "EUR", "1,000,000.00 EUR"},
	} {
		if got := app.Format(c.m, c.cur); got != c.want {
			t.Errorf("Format(%d, %s) = %q, want %q", c.m, c.cur, got, c.want)
		}
	}
}

// TestFloatTraps are sums and products that go wrong in binary floating
// point and are exact in minor units.
func TestFloatTraps(t *testing.T) {
	// 0.1 + 0.2 is 0.30000000000000004 as float64.
	a, _ := app.ParseMoney("0.1", 2)
	b, _ := app.ParseMoney("0.2", 2)
	if a+b != 30 || app.FormatAmount(a+b, 2) != "0.30" {
		t.Errorf("0.1 + 0.2 = %s", app.FormatAmount(a+b, 2))
	}
	// 1.005 × 3 is 3.0149999999999997 as float64; in a three-digit
	// currency it is exactly 3.015.
	p, _ := app.ParseMoney("1.005", 3)
	l, err := app.ComputeLine(3, p, 0, 0, 0)
	if err != nil || l.Total != 3015 {
		t.Errorf("1.005 × 3 = %d, %v", l.Total, err)
	}
	// 1.005 rounded to cents is 1.00 with floats (1.005 is 1.00499999...):
	// 0.5 % tax on 201.00 is 1.005, which rounds half away from zero to 1.01.
	l, _ = app.ComputeLine(1, 20100, 0, 0, 50)
	if l.Tax != 101 {
		t.Errorf("0.5%% of 201.00 = %d, want 101", l.Tax)
	}
	// Ten lines of 0.10 add up to 1.00 (0.9999999999999999 with floats).
	var sum app.Money
	for range 10 {
		sum += 10
	}
	if sum != 100 {
		t.Errorf("10 × 0.10 = %d", sum)
	}
}

// TestComputeLine are the worked examples of the rounding rule: per line,
// discount then tax, each rounded half away from zero; totals are sums of
// the rounded lines.
func TestComputeLine(t *testing.T) {
	for _, c := range []struct {
		name                 string
		qty                  int64
		price                app.Money
		discRate             app.BasisPoints
		discAmount           app.Money
		tax                  app.BasisPoints
		gross, disc, tx, tot app.Money
	}{
		// 19.99 × 3 = 59.97; 24 % tax = 14.3928 → 14.39; total 74.36.
		{"19.99x3 24%", 3, 1999, 0, 0, 2400, 5997, 0, 1439, 7436},
		// 10 % off 33.33 = 3.333 → 3.33; net 30.00; 6 % tax 1.80.
		{"discount rate", 1, 3333, 1000, 0, 600, 3333, 333, 180, 3180},
		// 2.5 % of 0.20 = 0.005 → 0.01 (half away from zero).
		{"half up", 1, 20, 250, 0, 0, 20, 1, 0, 19},
		// 5.00 off 2 × 12.50; 13 % of 20.00 = 2.60.
		{"discount amount", 2, 1250, 0, 500, 1300, 2500, 500, 260, 2260},
		// 100 % discount: nothing to pay, no tax.
		{"free", 1, 5000, 10000, 0, 2400, 5000, 5000, 0, 0},
		// 24 % of 0.02 = 0.0048 → 0.00; of 0.03 = 0.0072 → 0.01.
		{"tiny tax", 1, 2, 0, 0, 2400, 2, 0, 0, 2},
		{"tiny tax 2", 1, 3, 0, 0, 2400, 3, 0, 1, 4},
	} {
		l, err := app.ComputeLine(c.qty, c.price, c.discRate, c.discAmount, c.tax)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if l.Gross != c.gross || l.Discount != c.disc || l.Tax != c.tx || l.Total != c.tot || l.Net != l.Gross-l.Discount {
			t.Errorf("%s: got %+v, want gross %d discount %d tax %d total %d", c.name, l, c.gross, c.disc, c.tx, c.tot)
		}
	}
	// Totals are sums of rounded lines: three lines of 0.10 at 24 % tax
	// are 0.02 tax each (0.024 → 0.02), 0.06 in all, not round(0.072) = 0.07.
	var tax app.Money
	for range 3 {
		l, _ := app.ComputeLine(1, 10, 0, 0, 2400)
		tax += l.Tax
	}
	if tax != 6 {
		t.Errorf("tax of three 0.10 lines = %d, want 6", tax)
	}
	for _, c := range []struct {
		qty   int64
		price app.Money
		dr    app.BasisPoints
		da    app.Money
		tax   app.BasisPoints
		field string
	}{
		{0, 100, 0, 0, 0, "quantity"}, {-1, 100, 0, 0, 0, "quantity"}, {1, -5, 0, 0, 0, "unit_price"},
		{1, 100, 10001, 0, 0, "discount"}, {1, 100, 100, 5, 0, "discount"}, {1, 100, 0, 101, 0, "discount"},
		{1, 100, 0, 0, -1, "tax_rate"}, {app.MaxQuantity, app.MaxMoney, 0, 0, 0, "quantity"},
	} {
		if _, err := app.ComputeLine(c.qty, c.price, c.dr, c.da, c.tax); app.ErrorField(err) != c.field {
			t.Errorf("ComputeLine(%d, %d, %d, %d, %d): want field %s, got %v", c.qty, c.price, c.dr, c.da, c.tax, c.field, err)
		}
	}
}

func TestRate(t *testing.T) {
	for in, want := range map[string]app.BasisPoints{"24": 2400, "6.5": 650, "0.25%": 25, "100": 10000} {
		if got, err := app.ParseRate(in); err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v", in, got, err)
		}
	}
	if _, err := app.ParseRate("101"); err == nil {
		t.Error("101 % accepted")
	}
	if app.FormatRate(650) != "6.5%" || app.FormatRate(2400) != "24%" {
		t.Error(app.FormatRate(650), app.FormatRate(2400))
	}
}

// FuzzParseMoney: no input panics; whatever parses is within bounds and
// formats back to an amount that parses to the same value.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12", "12.5", "1,234.56", "-1", "", ".", "1e9", "0.1", "99999999999.99", "1,,2"} {
		f.Add(s, 2)
	}
	f.Add("1.005", 3)
	f.Add("1500", 0)
	f.Fuzz(func(t *testing.T, s string, digits int) {
		digits = ((digits % 4) + 4) % 4
		m, err := app.ParseMoney(s, digits)
		if err != nil {
			if app.ErrorField(err) != "amount" {
				t.Fatalf("ParseMoney(%q): error without the amount field: %v", s, err)
			}
			return
		}
		if m < 0 || m > app.MaxMoney {
			t.Fatalf("ParseMoney(%q) = %d out of bounds", s, m)
		}
		back, err := app.ParseMoney(app.FormatAmount(m, digits), digits)
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, m, app.FormatAmount(m, digits), back, err)
		}
	})
}

// lines builds lines without own discounts (Gross = Net) of the given net
// amounts, as ComputeLine returns them.
func lines(nets ...app.Money) []app.LineAmounts {
	out := make([]app.LineAmounts, len(nets))
	for i, n := range nets {
		out[i] = app.LineAmounts{Gross: n, Net: n, Total: n}
	}
	return out
}

// TestAllocateDiscount are worked examples of the largest-remainder split
// of an invoice discount.
func TestAllocateDiscount(t *testing.T) {
	for _, c := range []struct {
		name     string
		discount app.Money
		nets     []app.Money
		want     []app.Money
	}{
		// 0.10 off three lines of 0.10: 0.0333… each. Rounded one by one
		// (in floats or not) the shares are 0.03 + 0.03 + 0.03 = 0.09 and a
		// cent is lost; here each gets 3 and the cent left over goes to
		// the first, as the three remainders tie.
		{"ties go to the earlier line", 10, []app.Money{10, 10, 10}, []app.Money{4, 3, 3}},
		// 6.00 off 10.00 and 0.50: 5.714… and 0.285…; the cent left goes
		// to the larger remainder (0.57… of a cent against 0.43…), the
		// second line, although the first is larger. The discount is more
		// than the second line, but its share is not.
		{"discount larger than a line", 600, []app.Money{1000, 50}, []app.Money{571, 29}},
		// A line with nothing left after its own discount gets no share.
		{"zero line", 100, []app.Money{0, 500}, []app.Money{0, 100}},
		// The whole net: every line is free.
		{"everything", 1050, []app.Money{1000, 50}, []app.Money{1000, 50}},
		{"nothing", 0, []app.Money{1000, 50}, []app.Money{0, 0}},
		{"no lines", 0, nil, []app.Money{}},
		// 1.00 off 33.33, 33.33 and 33.34: 0.3333, 0.3333, 0.3334 cents
		// of every cent; the extra cent goes to the largest remainder.
		{"uneven", 100, []app.Money{3333, 3333, 3334}, []app.Money{33, 33, 34}},
		// Amounts whose products pass int64: 10^13 × 10^13.
		{"huge", app.MaxMoney - 1, []app.Money{app.MaxMoney, app.MaxMoney - 1, 1}, []app.Money{5_000_000_000_000, 4_999_999_999_999, 0}},
	} {
		got := app.AllocateDiscount(c.discount, c.nets)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: AllocateDiscount(%d, %v) = %v, want %v", c.name, c.discount, c.nets, got, c.want)
		}
	}
	for _, bad := range []struct {
		discount app.Money
		nets     []app.Money
	}{{-1, []app.Money{10}}, {11, []app.Money{10}}, {1, []app.Money{-1, 5}}, {1, nil}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AllocateDiscount(%d, %v) did not panic", bad.discount, bad.nets)
				}
			}()
			app.AllocateDiscount(bad.discount, bad.nets)
		}()
	}
}

// TestComputeInvoice are the worked examples of the invoice discount:
// turned into an amount once, split over the lines, tax on what is left.
func TestComputeInvoice(t *testing.T) {
	for _, c := range []struct {
		name   string
		lines  []app.LineAmounts
		taxes  []app.BasisPoints
		rate   app.BasisPoints
		amount app.Money
		shares []app.Money
		tax    []app.Money
		totals app.InvoiceTotals
	}{
		// 30.00 off 100.00 at 24 % and 50.00 at 0 %: 20.00 and 10.00.
		// Tax 24 % of 80.00 = 19.20 and nothing: 80.00 + 19.20 + 40.00.
		{"mixed tax", lines(10000, 5000), []app.BasisPoints{2400, 0}, 0, 3000,
			[]app.Money{2000, 1000}, []app.Money{1920, 0},
			app.InvoiceTotals{Gross: 15000, InvoiceDiscount: 3000, Net: 12000, Tax: 1920, Total: 13920}},
		// 10 % of 26.75 is 2.675, which rounds half away from zero to
		// 2.68. In floats, 26.75 × 0.1 is 2.6750000000000003 but 2.675
		// itself is 2.67499999…, so round(2.675, 2) gives 2.67.
		{"rate rounds once, half away from zero", lines(2675), []app.BasisPoints{0}, 1000, 0,
			[]app.Money{268}, []app.Money{0},
			app.InvoiceTotals{Gross: 2675, InvoiceDiscount: 268, Net: 2407, Total: 2407}},
		// A rate is rounded on the whole net, not per line: 10 % of three
		// lines of 0.05 is 0.015 → 0.02 in all (per line it would be
		// 0.005 → 0.01 three times, 0.03).
		{"rate on the sum", lines(5, 5, 5), []app.BasisPoints{0, 0, 0}, 1000, 0,
			[]app.Money{1, 1, 0}, []app.Money{0, 0, 0},
			app.InvoiceTotals{Gross: 15, InvoiceDiscount: 2, Net: 13, Total: 13}},
		// Tax after the discount: 0.03 at 24 % is 0.0072 → 0.01 of tax;
		// with 0.01 off, 0.02 at 24 % is 0.0048 → nothing.
		{"tax after discount", lines(3), []app.BasisPoints{2400}, 0, 1,
			[]app.Money{1}, []app.Money{0},
			app.InvoiceTotals{Gross: 3, InvoiceDiscount: 1, Net: 2, Total: 2}},
		// A line's own discount comes first: 19.99 × 3 with 10 % off
		// (5.997 → 6.00) is 53.97; with 20.00 at 6 %, 73.97 of net. 7.00
		// off it: 5.1074… and 1.8926…, 5.10 and 1.89 rounded down, and
		// the cent left over goes to the first line (0.74 of a cent
		// against 0.26). Tax 24 % of 48.86 = 11.7264 → 11.73; 6 % of
		// 18.11 = 1.0866 → 1.09.
		{"after own discounts", []app.LineAmounts{{Gross: 5997, Discount: 600, Net: 5397}, {Gross: 2000, Net: 2000}},
			[]app.BasisPoints{2400, 600}, 0, 700,
			[]app.Money{511, 189}, []app.Money{1173, 109},
			app.InvoiceTotals{Gross: 7997, Discount: 600, InvoiceDiscount: 700, Net: 6697, Tax: 1282, Total: 7979}},
		// 100 %: nothing to pay and no tax.
		{"free", lines(5000, 1999), []app.BasisPoints{2400, 1300}, 10000, 0,
			[]app.Money{5000, 1999}, []app.Money{0, 0},
			app.InvoiceTotals{Gross: 6999, InvoiceDiscount: 6999}},
		// No discount: the lines as ComputeLine made them.
		{"none", lines(1999), []app.BasisPoints{2400}, 0, 0,
			[]app.Money{0}, []app.Money{480},
			app.InvoiceTotals{Gross: 1999, Net: 1999, Tax: 480, Total: 2479}},
	} {
		got, totals, err := app.ComputeInvoice(c.lines, c.taxes, c.rate, c.amount)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for i, l := range got {
			if l.InvoiceDiscount != c.shares[i] || l.Tax != c.tax[i] ||
				l.Net != c.lines[i].Gross-c.lines[i].Discount-l.InvoiceDiscount || l.Total != l.Net+l.Tax {
				t.Errorf("%s: line %d = %+v, want share %d tax %d", c.name, i+1, l, c.shares[i], c.tax[i])
			}
		}
		if totals != c.totals {
			t.Errorf("%s: totals %+v, want %+v", c.name, totals, c.totals)
		}
	}
	// The lines given are not changed, and shares they carry are worked
	// out again, not added to.
	in := lines(1000, 1000)
	out, _, _ := app.ComputeInvoice(in, []app.BasisPoints{0, 0}, 0, 100)
	if in[0].InvoiceDiscount != 0 || out[0].InvoiceDiscount != 50 {
		t.Errorf("in %+v, out %+v", in[0], out[0])
	}
	again, _, _ := app.ComputeInvoice(out, []app.BasisPoints{0, 0}, 0, 100)
	if !slices.Equal(again, out) {
		t.Errorf("recomputed %+v, want %+v", again, out)
	}

	for _, c := range []struct {
		name   string
		rate   app.BasisPoints
		amount app.Money
	}{
		{"negative rate", -1, 0}, {"negative amount", 0, -1}, {"rate above 100 %", 10001, 0},
		{"both", 1000, 100}, {"amount above the net", 0, 1501},
	} {
		if _, _, err := app.ComputeInvoice(lines(1000, 500), []app.BasisPoints{0, 0}, c.rate, c.amount); app.ErrorField(err) != "invoice_discount" {
			t.Errorf("%s: want a field error on invoice_discount, got %v", c.name, err)
		}
	}
	// The net that bounds an amount is after the lines' own discounts.
	own := []app.LineAmounts{{Gross: 1000, Discount: 400, Net: 600}}
	if _, _, err := app.ComputeInvoice(own, []app.BasisPoints{0}, 0, 601); app.ErrorField(err) != "invoice_discount" {
		t.Errorf("601 off 6.00: %v", err)
	}
}

// checkInvoice checks the properties of ComputeInvoice's result on any
// input: the shares add up to the discount, each lies within its line's
// net and within a minor unit of its exact proportion, and the totals are
// the sums of the lines.
func checkInvoice(t *testing.T, in []app.LineAmounts, taxes []app.BasisPoints, discount app.Money) {
	t.Helper()
	out, totals, err := app.ComputeInvoice(in, taxes, 0, discount)
	if err != nil {
		t.Fatalf("ComputeInvoice(%v, %d): %v", in, discount, err)
	}
	var sum app.InvoiceTotals
	net := new(big.Int)
	for _, l := range in {
		net.Add(net, big.NewInt(int64(l.Gross-l.Discount)))
	}
	for i, l := range out {
		before := in[i].Gross - in[i].Discount
		if l.InvoiceDiscount < 0 || l.InvoiceDiscount > before {
			t.Fatalf("line %d: share %d of a net of %d", i, l.InvoiceDiscount, before)
		}
		if l.Net != before-l.InvoiceDiscount || l.Tax != app.ApplyRate(l.Net, taxes[i]) || l.Total != l.Net+l.Tax {
			t.Fatalf("line %d: %+v", i, l)
		}
		// floor(discount × net / Σnet) ≤ share ≤ that + 1.
		exact := new(big.Int).Mul(big.NewInt(int64(discount)), big.NewInt(int64(before)))
		if net.Sign() > 0 {
			exact.Quo(exact, net)
		}
		if d := int64(l.InvoiceDiscount) - exact.Int64(); d < 0 || d > 1 {
			t.Fatalf("line %d: share %d, proportion %s", i, l.InvoiceDiscount, exact)
		}
		sum.Gross += l.Gross
		sum.Discount += l.Discount
		sum.InvoiceDiscount += l.InvoiceDiscount
		sum.Net += l.Net
		sum.Tax += l.Tax
		sum.Total += l.Total
	}
	if sum != totals || totals.InvoiceDiscount != discount {
		t.Fatalf("totals %+v, sum of lines %+v, discount %d", totals, sum, discount)
	}
}

// TestComputeInvoiceProperties checks the properties on random invoices,
// from cents to amounts near MaxMoney.
func TestComputeInvoiceProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for range 20000 {
		n := 1 + rng.IntN(8)
		scale := []int64{10, 10_000, int64(app.MaxMoney)}[rng.IntN(3)]
		in := make([]app.LineAmounts, n)
		taxes := make([]app.BasisPoints, n)
		var net app.Money
		for i := range in {
			g := app.Money(rng.Int64N(scale + 1))
			d := app.Money(0)
			if g > 0 && rng.IntN(3) == 0 {
				d = app.Money(rng.Int64N(int64(g) + 1))
			}
			in[i] = app.LineAmounts{Gross: g, Discount: d, Net: g - d}
			taxes[i] = []app.BasisPoints{0, 600, 1300, 2400, 10000}[rng.IntN(5)]
			net += g - d
		}
		checkInvoice(t, in, taxes, app.Money(rng.Int64N(int64(net)+1)))
	}
}

// FuzzComputeInvoice: any lines and any discount up to their net keep the
// properties; nothing panics.
func FuzzComputeInvoice(f *testing.F) {
	f.Add([]byte{10, 0, 10, 0, 10, 0}, uint64(10))
	f.Add([]byte{0xe8, 0x03, 50, 0}, uint64(600))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0}, uint64(1<<40))
	f.Fuzz(func(t *testing.T, raw []byte, d uint64) {
		var in []app.LineAmounts
		var taxes []app.BasisPoints
		var net app.Money
		for len(raw) >= 2 && len(in) < 200 {
			g := app.Money(binary.LittleEndian.Uint16(raw)) * app.Money(1+len(raw)%7) * 997
			raw = raw[2:]
			in = append(in, app.LineAmounts{Gross: g, Net: g})
			taxes = append(taxes, app.BasisPoints(len(in)*733%10001))
			net += g
		}
		checkInvoice(t, in, taxes, app.Money(d%(uint64(net)+1)))
	})
}
