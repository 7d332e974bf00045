package pattern

import (
	"errors"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxEventDepth bounds the nesting of an event's JSON (AWS's events are at
// most 256 KB; a deeper event is refused rather than walked).
const MaxEventDepth = 128

// ErrEventNotObject is an event that is not a JSON object.
var ErrEventNotObject = errors.New("pattern: event is not a JSON object")

// arrPos places a leaf in one array of the event: the array (numbered in
// the order the arrays open) and the element's index. A leaf's positions
// list every array it sits in, outermost first.
type arrPos struct{ arr, idx uint32 }

// leaf is one scalar of the event and its dotted path ("detail.state").
type leaf struct {
	path       string
	v          value
	mem0, mem1 int32 // its positions: ev.mem[mem0:mem1]
}

// event is an event flattened into leaves, indexed by path.
type event struct {
	leaves []leaf
	mem    []arrPos
	byPath map[string][]int32
	paths  []string // distinct paths, in first-seen order
	narr   uint32
}

var eventPool = sync.Pool{New: func() any { return &event{byPath: map[string][]int32{}} }}

func (ev *event) release() {
	if len(ev.leaves) > 1<<12 {
		return // let a huge event's buffers go
	}
	clear(ev.leaves)
	ev.leaves = ev.leaves[:0]
	ev.mem = ev.mem[:0]
	clear(ev.byPath)
	clear(ev.paths)
	ev.paths = ev.paths[:0]
	ev.narr = 0
	eventPool.Put(ev)
}

func (ev *event) positions(i int32) []arrPos {
	l := &ev.leaves[i]
	return ev.mem[l.mem0:l.mem1]
}

// pathFilter names the paths a Machine reads: leaves elsewhere are
// skipped (validated, not recorded), and so are objects on no way to a
// path.
type pathFilter struct {
	paths    map[string]bool
	prefixes map[string]bool // every "a." and "a.b." leading to a path
}

func newPathFilter() pathFilter {
	return pathFilter{paths: map[string]bool{}, prefixes: map[string]bool{}}
}

// watch records a path to read, and the ways to it.
func (f *pathFilter) watch(path string) {
	if f.paths[path] {
		return
	}
	f.paths[path] = true
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			f.prefixes[path[:i+1]] = true
		}
	}
}

// scanEvent validates event as JSON (an object, at most MaxEventDepth
// deep) and flattens it. The scan is one pass over the bytes, without
// backtracking: linear in the event's size.
func scanEvent(b []byte, f *pathFilter) (*event, error) {
	ev := eventPool.Get().(*event)
	s := scanner{b: b, ev: ev, f: f}
	s.space()
	if s.i >= len(b) || b[s.i] != '{' {
		ev.release()
		return nil, ErrEventNotObject
	}
	if err := s.value(false, true); err != nil {
		ev.release()
		return nil, err
	}
	s.space()
	if s.i != len(b) {
		ev.release()
		return nil, s.fail("unexpected data after the event")
	}
	return ev, nil
}

type scanner struct {
	b     []byte
	i     int
	ev    *event
	f     *pathFilter
	path  []byte
	mem   []arrPos
	depth int
}

func (s *scanner) fail(what string) error {
	return errors.New("pattern: event is not valid JSON: " + what + " at offset " + strconv.Itoa(s.i))
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans one value at s.path; record says whether its scalars are
// leaves to keep, descend whether its objects' members may be.
func (s *scanner) value(record, descend bool) error {
	s.space()
	if s.i >= len(s.b) {
		return s.fail("unexpected end")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(descend)
	case c == '[':
		return s.array(record, descend)
	case c == '"':
		str, err := s.str(record)
		if err != nil {
			return err
		}
		if record {
			s.add(value{kind: vString, s: str})
		}
		return nil
	case c == '-' || ('0' <= c && c <= '9'):
		start := s.i
		if !s.number() {
			return s.fail("malformed number")
		}
		if record {
			s.add(value{kind: vNumber, s: string(s.b[start:s.i])})
		}
		return nil
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				if record {
					s.add(value{kind: vLiteral, s: lit})
				}
				return nil
			}
		}
		return s.fail("unexpected character")
	}
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > MaxEventDepth {
		return errors.New("pattern: event nests deeper than " + strconv.Itoa(MaxEventDepth) + " levels")
	}
	s.i++
	return nil
}

func (s *scanner) object(descend bool) error {
	if err := s.enter(); err != nil {
		return err
	}
	base := len(s.path)
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		return nil
	}
	for {
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail("expected a member name")
		}
		key, err := s.str(descend)
		if err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail("expected ':'")
		}
		s.i++
		rec, desc := false, false
		if descend {
			if base > 0 {
				s.path = append(s.path, '.')
			}
			s.path = append(s.path, key...)
			rec, desc = s.wants()
		}
		if err := s.value(rec, desc); err != nil {
			return err
		}
		s.path = s.path[:base]
		s.space()
		if s.i >= len(s.b) {
			return s.fail("unexpected end")
		}
		if s.b[s.i] == ',' {
			s.i++
			continue
		}
		if s.b[s.i] == '}' {
			s.i++
			s.depth--
			return nil
		}
		return s.fail("expected ',' or '}'")
	}
}

// wants reports whether the current path is one the filter reads, and
// whether a path lies below it.
func (s *scanner) wants() (record, descend bool) {
	if s.f == nil {
		return true, true
	}
	record = s.f.paths[string(s.path)]
	s.path = append(s.path, '.')
	descend = s.f.prefixes[string(s.path)]
	s.path = s.path[:len(s.path)-1]
	return record, descend
}

func (s *scanner) array(record, descend bool) error {
	if err := s.enter(); err != nil {
		return err
	}
	id := s.ev.narr
	s.ev.narr++
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return nil
	}
	for idx := uint32(0); ; idx++ {
		s.mem = append(s.mem, arrPos{arr: id, idx: idx})
		if err := s.value(record, descend); err != nil {
			return err
		}
		s.mem = s.mem[:len(s.mem)-1]
		s.space()
		if s.i >= len(s.b) {
			return s.fail("unexpected end")
		}
		if s.b[s.i] == ',' {
			s.i++
			continue
		}
		if s.b[s.i] == ']' {
			s.i++
			s.depth--
			return nil
		}
		return s.fail("expected ',' or ']'")
	}
}

func (s *scanner) add(v value) {
	ev := s.ev
	idxs, ok := ev.byPath[string(s.path)]
	var p string
	if ok {
		p = ev.leaves[idxs[0]].path
	} else {
		p = string(s.path)
		ev.paths = append(ev.paths, p)
	}
	m0 := int32(len(ev.mem))
	ev.mem = append(ev.mem, s.mem...)
	ev.leaves = append(ev.leaves, leaf{path: p, v: v, mem0: m0, mem1: int32(len(ev.mem))})
	ev.byPath[p] = append(idxs, int32(len(ev.leaves)-1))
}

// number scans a JSON number.
func (s *scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return false
	}
	if b[i] == '0' {
		i++
	} else if '1' <= b[i] && b[i] <= '9' {
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	s.i = i
	return true
}

// str scans a JSON string at s.i (its opening quote) and, when decode is
// set, returns its value.
func (s *scanner) str(decode bool) (string, error) {
	b := s.b
	i := s.i + 1
	start := i
	for i < len(b) {
		c := b[i]
		if c == '"' {
			s.i = i + 1
			if !decode {
				return "", nil
			}
			return string(b[start:i]), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			s.i = i
			return "", s.fail("control character in string")
		}
		i++
	}
	// Slow path: escapes.
	out := make([]byte, 0, i-start+16)
	out = append(out, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return string(out), nil
		case c < 0x20:
			s.i = i
			return "", s.fail("control character in string")
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		i++
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, i+1)
			if !ok {
				s.i = i
				return "", s.fail("bad \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					r2, ok2 = hex4(b, i+3)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			s.i = i
			return "", s.fail("bad escape")
		}
		i++
	}
	s.i = i
	return "", s.fail("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
