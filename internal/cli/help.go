package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Help is what a command's -h or --help prints: its synopsis, what it
// does, an example, and its flags (from its flag set).
type Help struct {
	// Synopsis is the command line's form, after "usage: ":
	// "signalbox start NAME|ARN [--input JSON] [--wait]".
	Synopsis string
	// Summary says what the command does, in a paragraph or two.
	Summary string
	// Example is one or more command lines, one a line.
	Example string
}

// Write prints the help, with fs's flags, to w.
func (h Help) Write(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n\nexample:\n", h.Synopsis, strings.TrimSpace(h.Summary))
	for _, line := range strings.Split(strings.TrimSpace(h.Example), "\n") {
		fmt.Fprintf(w, "  %s\n", strings.TrimSpace(line))
	}
	if fs == nil {
		return
	}
	has := false
	fs.VisitAll(func(*flag.Flag) { has = true })
	if !has {
		return
	}
	fmt.Fprintln(w, "\nflags:")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// command is the command's name in the synopsis ("signalbox start").
func (h Help) command() string {
	words := strings.Fields(h.Synopsis)
	var name []string
	for _, w := range words {
		if strings.ToLower(w) != w || strings.ContainsAny(w, "[]-|.") {
			break
		}
		name = append(name, w)
	}
	return strings.Join(name, " ")
}

// Parse parses args with fs (flags may come before, between or after the
// positional arguments, which it returns). It returns ok false when the
// command is to end at once, with the exit status code: 0 after -h or
// --help, which print h to stdout; 2 after a flag that is wrong, reported
// on fs's output (stderr) with the synopsis and the way to the help.
func Parse(fs *flag.FlagSet, h Help, args []string, stdout io.Writer) (rest []string, code int, ok bool) {
	fs.Usage = func() {} // the flag package's own usage, printed before Parse returns, is replaced below
	rest, err := ParseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		h.Write(stdout, fs)
		return nil, 0, false
	case err != nil:
		Usage(fs.Output(), h)
		return nil, 2, false
	}
	return rest, 0, true
}

// Usage prints the synopsis and the way to the full help, after a wrong
// command line.
func Usage(w io.Writer, h Help) {
	fmt.Fprintf(w, "usage: %s\nRun '%s --help' for what it does, an example and its flags.\n", h.Synopsis, h.command())
}
