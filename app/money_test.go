package app_test

import (
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
