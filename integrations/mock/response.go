package mock

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ohler55/ojg/alt"

	"github.com/signalbox/signalbox/integrations"
)

// mockedResponse is what a mocked Task answers, per invocation. Its entries
// are sorted by invocation and do not overlap; there may be gaps, and an
// invocation in a gap or past the last entry has no answer.
type mockedResponse struct {
	name    string
	entries []entry
}

// entry answers the invocations first..last (inclusive, 0-based) of a
// mocked Task: with ret when fail is nil, else by failing with fail.
type entry struct {
	first, last int
	ret         any
	fail        *failure
}

// failure is the Throw of an entry.
type failure struct {
	name  string
	cause string
}

// key is the entry's key as written in a mock file: "N" or "N-M".
func (e entry) key() string {
	if e.first == e.last {
		return strconv.Itoa(e.first)
	}
	return strconv.Itoa(e.first) + "-" + strconv.Itoa(e.last)
}

// answer is what e makes of one call: a fresh copy of the Return value, so
// that no caller can alter the configuration, or the Throw as a task
// failure.
func (e entry) answer() (any, error) {
	if e.fail != nil {
		return nil, &integrations.Error{Name: e.fail.name, Cause: e.fail.cause}
	}
	return alt.Dup(e.ret), nil
}

// find returns the entry answering invocation n.
func (r *mockedResponse) find(n int) (entry, bool) {
	for _, e := range r.entries {
		if n < e.first {
			break
		}
		if n <= e.last {
			return e, true
		}
	}
	return entry{}, false
}

// covered describes the invocations r answers, e.g. "0, 1-2, 5".
func (r *mockedResponse) covered() string {
	keys := make([]string, len(r.entries))
	for i, e := range r.entries {
		keys[i] = e.key()
	}
	return strings.Join(keys, ", ")
}

// parseRangeKey reads an invocation key: "N" or "N-M" with N <= M, both
// unsigned decimal integers.
func parseRangeKey(key string) (first, last int, err error) {
	lo, hi, isRange := strings.Cut(key, "-")
	if first, err = parseInvocation(lo); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = parseInvocation(hi); err != nil {
		return 0, 0, err
	}
	if first > last {
		return 0, 0, fmt.Errorf("the range %q ends before it starts", key)
	}
	return first, last, nil
}

func parseInvocation(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not an invocation number: an invocation key is \"N\" or \"N-M\", with N and M unsigned integers", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("the invocation number %q is too large", s)
	}
	return n, nil
}
