package ui

// How screens write what they show: dates and times in the clinic's time
// zone, money in its currency, counts, figures and names.

import (
	"fmt"
	"strings"
	"time"

	"hms/app"
)

// ---- dates and times, in the clinic's time zone ----

// Every date a screen shows carries its weekday, in the screens'
// language: a receptionist reads "Tue 2026-03-03" at a glance where
// "2026-03-03" needs a calendar.

// formatTime is t in the clinic's time zone, to the minute, with its
// weekday: "Sun 2026-03-01 14:05".
func formatTime(u *UI, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return tr().DayTime(t.In(u.location()))
}

// dayLabel is a day with its weekday in full: "Monday 2026-03-02".
func dayLabel(d app.Day) string {
	return tr().Weekday(d.Weekday()) + " " + d.String()
}

// ageText is "69 years (1956-12-09)", or months for a baby.
func ageText(birth string, today time.Time) string {
	d, err := time.Parse(app.DateLayout, birth)
	if err != nil {
		return birth
	}
	months := (today.Year()-d.Year())*12 + int(today.Month()) - int(d.Month())
	if today.Day() < d.Day() {
		months--
	}
	switch {
	case months < 0:
		return birth
	case months < 24:
		return Tf("%d months (born %s)", months, birth)
	}
	return Tf("%d years (born %s)", months/12, birth)
}

// dayText is t's date in the clinic's time zone, with its weekday:
// "Mon 2026-03-02".
func dayText(u *UI, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return tr().Day(t.In(u.location()))
}

// clockOf is t on the clinic's wall clock, "HH:MM".
func clockOf(u *UI, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(u.location()).Format("15:04")
}

// todayOf is today's date in the clinic's time zone.
func todayOf(u *UI) app.Day { return app.DayOf(u.now(), u.location()) }

// parseDay parses a YYYY-MM-DD date; "" is the zero time.
func parseDay(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(app.DateLayout, s)
}

// ---- money ----

// billingDigits are the minor unit digits of a currency.
func billingDigits(currency string) int { return app.CurrencyDigits(currency) }

// clinicCurrency is the clinic's currency code, "" before the settings
// are known.
func clinicCurrency(u *UI) string {
	if u.settings == nil {
		return ""
	}
	return strings.ToUpper(u.settings.Currency)
}

// currencyDigits are the minor unit digits of the clinic's currency.
func currencyDigits(u *UI) int { return billingDigits(clinicCurrency(u)) }

// formatMoney writes an amount in the clinic's currency, without its code,
// the way the screens' language writes numbers (amountText).
func formatMoney(u *UI, m app.Money) string { return amountText(m, currencyDigits(u)) }

// ---- counts and figures ----

// countText is "1 item" or "3 items".
func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many) //i18n:ok layout of a count and its word
}

// numberText writes a count with "," between groups of three: "12,345".
func numberText(n int) string { return app.FormatAmount(app.Money(n), 0) }

// percentText writes a ratio as a percentage with one decimal: "7.5 %".
func percentText(r float64) string { return Tf("%.1f %%", 100*r) }

// hoursText writes minutes as hours with one decimal: "37.5 h".
func hoursText(minutes int) string { return Tf("%.1f h", float64(minutes)/60) }

// ---- names ----

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// doctorLabel is how a doctor is offered in a select.
func doctorLabel(d *app.DoctorProfile) string {
	if d.Specialization != "" {
		return d.FullName + " — " + d.Specialization
	}
	return d.FullName
}
