package screen

import (
	"fmt"
	"strings"
)

func T(s string) string            { return s }
func Tf(s string, a ...any) string { return fmt.Sprintf(s, a...) }
func label(s string) string        { return s }
func pref(key string) string       { return key }

type row struct {
	Title string `json:"title"`
}

func build(status string, m map[string]int) []string {
	out := []string{
		label("Save patient"),             // reported
		label(T("Save")),                  // translated
		Tf("%d patients", 3),              // translated
		fmt.Sprintf("%d booked today", 2), // reported
		strings.TrimPrefix(status, "Dr "),
		pref("lastDesk"),        // a key: lowercase, no space
		label("—"),              // no letter
		label("Technical Name"), //i18n:ok: a name the clinic never sees
	}
	if status == "Arrived" {
		out = append(out, row{Title: "Waiting room"}.Title) // reported
	}
	switch status {
	case "No show":
	}
	_ = m["Key Name"]
	_ = map[string]int{"Map Key": 1}
	return out
}
