// Package cli holds the conventions every command of the signalbox binary
// follows, `signalbox bench` included, which lives in a package of its
// own: how flags are parsed, and the garbage collector's setting of the
// long-running commands.
package cli

import "flag"

// ParseInterspersed parses flags that may come before, between or after
// positional arguments, and returns the positional ones.
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
