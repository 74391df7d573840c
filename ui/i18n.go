package ui

// The screens' language. Every text a screen shows goes through T or Tf
// (app/i18n's catalogues); TestEveryStringIsTranslated finds the ones that
// do not. A file not translated yet carries the comment //i18n:todo.

import (
	"sync/atomic"

	"hms/app"
	"hms/app/i18n"
)

// screenTr is the translator of the person at the screen.
var screenTr atomic.Pointer[i18n.Tr]

// tr is the screens' translator: English until a language is chosen.
func tr() *i18n.Tr {
	if t := screenTr.Load(); t != nil {
		return t
	}
	return i18n.For(i18n.English)
}

// setScreenLanguage makes l the screens' language; screens built after it
// speak l.
func setScreenLanguage(l i18n.Lang) { screenTr.Store(i18n.For(l)) }

// T translates s into the screens' language.
func T(s string) string { return tr().T(s) }

// Tf translates format into the screens' language and fills it like
// fmt.Sprintf.
func Tf(format string, args ...any) string { return tr().F(format, args...) }

// Tx is text the data layer built (an i18n.Text: an English format and
// its arguments) in the screens' language.
func Tx(x i18n.Text) string { return tr().Text(x) }

// errText is the message of err for the person at the screen, in the
// screens' language (the log and the audit keep the English one).
func errText(err error) string { return app.LocalErrorMessage(err, tr()) }
