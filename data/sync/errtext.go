package sync

import (
	"hms/app"
	"hms/app/i18n"
)

// storedErrorText reads an error the desk stored (app.StoreError: why the
// last sync or push failed) as its English message, for the command line,
// and as a text a screen shows in its own language.
func storedErrorText(stored string) (string, i18n.Text) {
	e := app.LoadError(stored)
	if e == nil {
		return "", i18n.Text{}
	}
	return e.Message, app.ErrorText(e)
}
