package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is a command's flags with its usage text.
type flagSet struct {
	*flag.FlagSet
	cmd          string // "user add"; "" for the global flags
	usage        string // the usage line
	about        string // what the command does, a paragraph or two
	interspersed bool   // flags may follow positional arguments
}

// newFlags returns a flag set that reports errors to the runner instead of
// printing them itself.
func (r *runner) newFlags(cmd, usage, about string) *flagSet {
	fs := flag.NewFlagSet("hms "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, cmd: cmd, usage: usage, about: about, interspersed: true}
}

// SetInterspersed says whether flags may follow positional arguments
// (`backup FILE --force`). The global flags stop at the command name.
func (fs *flagSet) SetInterspersed(b bool) { fs.interspersed = b }

// parse parses args and returns the positional arguments. When ok is false
// the command is over with exit status code: -h printed the usage (0), or a
// bad flag was reported (2).
func (r *runner) parse(fs *flagSet, args []string) (pos []string, code int, ok bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			if fs.cmd != "" {
				fs.printUsage(r.env.Stdout)
			}
			return nil, ExitOK, false
		}
		if err != nil {
			return nil, r.usageError(fs, "%s", flagError(err)), false
		}
		args = fs.Args()
		if !fs.interspersed || len(args) == 0 {
			return append(pos, args...), ExitOK, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), ExitOK, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError rewords the flag package's messages with the double dash this
// command line documents.
func flagError(err error) string {
	s := err.Error()
	s = strings.Replace(s, "provided but not defined: -", "unknown flag --", 1)
	s = strings.Replace(s, "flag needs an argument: -", "flag needs a value: --", 1)
	if strings.HasPrefix(s, "invalid value ") {
		s = strings.Replace(s, " for flag -", " for --", 1)
	}
	return s
}

// printUsage writes the command's usage, description and flags.
func (fs *flagSet) printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n", fs.usage)
	if fs.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(fs.about))
	}
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(&b, " %s", name)
		}
		fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(usage, "\n", "\n      "))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteString("\n")
	})
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
