package i18n

// Dates, weekdays, numbers and money as each language writes them.
//
// Screens keep dates in the ISO form (2026-11-30) that the date fields
// read back, with the weekday in the user's language beside it
// ("Δευ 2026-11-30"); a document or a message to a patient writes the date
// in words ("Δευτέρα 30 Νοεμβρίου 2026"). Times are on the 24-hour clock
// in every language. Money keeps the clinic's currency code after the
// amount, with the language's decimal and group separators.

import (
	"strconv"
	"strings"
	"time"
)

type calendar struct {
	weekdays      [7]string  // Sunday first, as time.Weekday
	weekdaysShort [7]string  // three letters or so
	months        [12]string // standing alone: "November", "Νοέμβριος"
	monthsOf      [12]string // inside a date: Greek uses the genitive
	// longDate writes a date in words from its parts.
	longDate func(weekday string, day int, month string, year int) string
	// monthYear writes a month and its year.
	monthYear func(month string, year int) string
	decimal   byte // the decimal separator
	group     byte // the separator between groups of three digits
}

var calendars = map[Lang]*calendar{
	English: {
		weekdays:      [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		weekdaysShort: [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
		months:        [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		longDate: func(w string, d int, m string, y int) string {
			return w + " " + strconv.Itoa(d) + " " + m + " " + strconv.Itoa(y)
		},
		monthYear: func(m string, y int) string { return m + " " + strconv.Itoa(y) },
		decimal:   '.', group: ',',
	},
	Greek: {
		weekdays:      [7]string{"Κυριακή", "Δευτέρα", "Τρίτη", "Τετάρτη", "Πέμπτη", "Παρασκευή", "Σάββατο"},
		weekdaysShort: [7]string{"Κυρ", "Δευ", "Τρί", "Τετ", "Πέμ", "Παρ", "Σάβ"},
		months:        [12]string{"Ιανουάριος", "Φεβρουάριος", "Μάρτιος", "Απρίλιος", "Μάιος", "Ιούνιος", "Ιούλιος", "Αύγουστος", "Σεπτέμβριος", "Οκτώβριος", "Νοέμβριος", "Δεκέμβριος"},
		monthsOf:      [12]string{"Ιανουαρίου", "Φεβρουαρίου", "Μαρτίου", "Απριλίου", "Μαΐου", "Ιουνίου", "Ιουλίου", "Αυγούστου", "Σεπτεμβρίου", "Οκτωβρίου", "Νοεμβρίου", "Δεκεμβρίου"},
		longDate: func(w string, d int, m string, y int) string {
			return w + " " + strconv.Itoa(d) + " " + m + " " + strconv.Itoa(y)
		},
		monthYear: func(m string, y int) string { return m + " " + strconv.Itoa(y) },
		decimal:   ',', group: '.',
	},
	Spanish: {
		weekdays:      [7]string{"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		weekdaysShort: [7]string{"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
		months:        [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		longDate: func(w string, d int, m string, y int) string {
			return w + ", " + strconv.Itoa(d) + " de " + m + " de " + strconv.Itoa(y)
		},
		monthYear: func(m string, y int) string { return m + " de " + strconv.Itoa(y) },
		decimal:   ',', group: '.',
	},
}

func (t *Tr) cal() *calendar { return calendars[t.Lang()] }

// Weekday is the day's name: "Monday", "Δευτέρα", "lunes".
func (t *Tr) Weekday(w time.Weekday) string { return t.cal().weekdays[w] }

// WeekdayShort is the day's short name: "Mon", "Δευ", "lun".
func (t *Tr) WeekdayShort(w time.Weekday) string { return t.cal().weekdaysShort[w] }

// Month is the month's name standing alone: "November", "Νοέμβριος".
func (t *Tr) Month(m time.Month) string { return t.cal().months[m-1] }

// LongDate writes t's date in words, with its weekday (t is already in
// the clinic's time zone): "Monday 30 November 2026", "Δευτέρα 30
// Νοεμβρίου 2026", "lunes, 30 de noviembre de 2026".
func (t *Tr) LongDate(d time.Time) string {
	c := t.cal()
	month := c.months[d.Month()-1]
	if c.monthsOf[0] != "" {
		month = c.monthsOf[d.Month()-1]
	}
	return c.longDate(c.weekdays[d.Weekday()], d.Day(), month, d.Year())
}

// Day writes t's date as screens show it, the ISO date after the short
// weekday: "Mon 2026-11-30", "Δευ 2026-11-30".
func (t *Tr) Day(d time.Time) string {
	return t.cal().weekdaysShort[d.Weekday()] + " " + d.Format("2006-01-02")
}

// DayTime is Day with the time to the minute: "Mon 2026-11-30 15:04".
func (t *Tr) DayTime(d time.Time) string { return t.Day(d) + " " + d.Format("15:04") }

// Moment is a time as an argument of a Text (Local): written as DayTime
// in the language the Text is shown in, "Mon 2026-11-30 15:04" in
// English, "Δευ 2026-11-30 15:04" in Greek. Convert it to the clinic's
// time zone first.
type Moment time.Time

// Local is m as DayTime in t's language.
func (m Moment) Local(t *Tr) string { return t.DayTime(time.Time(m)) }

// MonthYear writes a month and its year: "November 2026", "noviembre de
// 2026".
func (t *Tr) MonthYear(d time.Time) string {
	c := t.cal()
	return c.monthYear(c.months[d.Month()-1], d.Year())
}

// Clock is the time of day on the 24-hour clock, "15:04", in every
// language.
func (t *Tr) Clock(d time.Time) string { return d.Format("15:04") }

// Integer writes n with the language's group separator: "12,345" in
// English, "12.345" in Greek and Spanish.
func (t *Tr) Integer(n int64) string {
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	t.group(&b, strconv.FormatUint(u, 10))
	return b.String()
}

func (t *Tr) group(b *strings.Builder, whole string) {
	sep := t.cal().group
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(sep)
		}
		b.WriteByte(whole[i])
	}
}

// Amount writes an amount of minor units with digits decimals, the way
// the language does: "1,234.50" in English, "1.234,50" in Greek and
// Spanish.
func (t *Tr) Amount(minor int64, digits int) string {
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-minor)
	}
	s := strconv.FormatUint(u, 10)
	for len(s) <= digits {
		s = "0" + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	t.group(&b, whole)
	if digits > 0 {
		b.WriteByte(t.cal().decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// Money writes an amount with its currency's code after it: "1,234.50
// EUR", "1.234,50 EUR".
func (t *Tr) Money(minor int64, digits int, currency string) string {
	return t.Amount(minor, digits) + " " + strings.ToUpper(currency)
}
