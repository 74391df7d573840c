package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"hms/app"
)

// readPassword reads a password. At a terminal it prompts on stderr with
// echo turned off and, with confirm, asks twice; otherwise it reads the first
// line of standard input, so scripts can pipe it in:
//
//	printf '%s\n' "$PW" | hms user add ...
func (r *runner) readPassword(prompt string, confirm bool) (string, error) {
	f, tty := r.env.Stdin.(*os.File)
	if tty {
		tty = isTerminal(f)
	}
	if !tty {
		pw, err := r.readLine()
		if err != nil {
			return "", err
		}
		if pw == "" {
			return "", noPassword()
		}
		return pw, nil
	}
	pw, err := r.promptHidden(f, prompt+": ")
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", noPassword()
	}
	if confirm {
		again, err := r.promptHidden(f, "Type it again: ")
		if err != nil {
			return "", err
		}
		if again != pw {
			return "", app.FieldErrorf("password", "The two passwords differ; nothing was changed.")
		}
	}
	return pw, nil
}

// readSecret reads a secret other than a password (a recovery key) as
// readPassword does, once; none is the error when nothing is given.
func (r *runner) readSecret(prompt string, none error) (string, error) {
	f, tty := r.env.Stdin.(*os.File)
	if tty {
		tty = isTerminal(f)
	}
	var s string
	var err error
	if tty {
		s, err = r.promptHidden(f, prompt+": ")
	} else {
		s, err = r.readLine()
	}
	if err != nil || strings.TrimSpace(s) == "" {
		return "", none
	}
	return s, nil
}

func noPassword() error {
	return app.FieldErrorf("password", "No password given: type it when asked, or pass it as the first line of standard input.")
}

// promptHidden prompts on stderr and reads a line from the terminal f with
// echo off (where the platform lets us).
func (r *runner) promptHidden(f *os.File, prompt string) (string, error) {
	fmt.Fprint(r.env.Stderr, prompt)
	restore := echoOff(f)
	line, err := r.readLine()
	restore()
	fmt.Fprintln(r.env.Stderr)
	return line, err
}

// readLine reads one line of standard input, without its line ending.
func (r *runner) readLine() (string, error) {
	line, err := r.stdin.ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading standard input: %w", err)
	}
	if err == io.EOF && line == "" {
		return "", noPassword()
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// isTerminal says whether f is a terminal (a person types there).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
