package pattern

import (
	"errors"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
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

// leaf is one scalar of the event, at a path the filter reads.
type leaf struct {
	v          value
	mem0, mem1 int32 // its positions: ev.mem[mem0:mem1]
}

// event is an event flattened into leaves, indexed by path id.
type event struct {
	leaves  []leaf
	mem     []arrPos
	byID    [][]int32 // path id -> its leaves
	runs    []*runs   // path id -> where its leaves sit in arrays, made on demand
	touched []int32   // path ids with leaves, in first-seen order
	narr    uint32
}

var eventPool = sync.Pool{New: func() any { return &event{} }}

func (ev *event) release() {
	if len(ev.leaves) > 1<<12 {
		return // let a huge event's buffers go
	}
	clear(ev.leaves)
	ev.leaves = ev.leaves[:0]
	ev.mem = ev.mem[:0]
	for _, id := range ev.touched {
		ev.byID[id] = ev.byID[id][:0]
		ev.runs[id] = nil
	}
	ev.touched = ev.touched[:0]
	ev.narr = 0
	eventPool.Put(ev)
}

func (ev *event) positions(i int32) []arrPos {
	l := &ev.leaves[i]
	return ev.mem[l.mem0:l.mem1]
}

// at returns the leaves at path id.
func (ev *event) at(id int32) []int32 {
	if int(id) >= len(ev.byID) {
		return nil
	}
	return ev.byID[id]
}

// candidates returns the leaves at path id (idxs) that can join values
// taken at positions mem, or a superset of them (the caller checks each).
// The leaves of a path come in document order, so those inside one
// element of an array (or inside one array) are a run of idxs. For each
// position of mem, outermost first, the run of that element narrows the
// range, when the range lies wholly inside that array (a leaf outside it
// would be compatible too). Without this, a pattern reading two fields of
// an array of n objects costs n^2 compatibility checks (20,000 objects:
// 16 s; with it, 0.1 s).
func (ev *event) candidates(id int32, idxs []int32, mem []arrPos) []int32 {
	if len(mem) == 0 || len(idxs) < minRuns {
		return idxs
	}
	ri := ev.runs[id]
	if ri == nil {
		ri = ev.runIndex(idxs)
		ev.runs[id] = ri
	}
	lo, hi := int32(0), int32(len(idxs))
	for _, p := range mem {
		span, ok := ri.arrays[p.arr]
		if !ok || lo < span[0] || hi > span[1] {
			continue
		}
		r, ok := ri.elems[p]
		if !ok {
			return nil
		}
		lo, hi = max(lo, r[0]), min(hi, r[1])
		if lo >= hi {
			return nil
		}
	}
	return idxs[lo:hi]
}

// minRuns is the number of leaves from which candidates narrows by runs
// (a variable: the tests set it to 0, and to a huge number to compare).
var minRuns = 8

// runs holds, for the leaves of one path, the run of idxs inside each
// array element and inside each array.
type runs struct {
	elems  map[arrPos][2]int32
	arrays map[uint32][2]int32
}

func (ev *event) runIndex(idxs []int32) *runs {
	ri := &runs{elems: map[arrPos][2]int32{}, arrays: map[uint32][2]int32{}}
	for k, li := range idxs {
		k := int32(k)
		for _, p := range ev.positions(li) {
			if r, ok := ri.elems[p]; ok {
				ri.elems[p] = [2]int32{r[0], k + 1}
			} else {
				ri.elems[p] = [2]int32{k, k + 1}
			}
			if r, ok := ri.arrays[p.arr]; ok {
				ri.arrays[p.arr] = [2]int32{r[0], k + 1}
			} else {
				ri.arrays[p.arr] = [2]int32{k, k + 1}
			}
		}
	}
	return ri
}

// pathFilter names the paths a pattern (or a Machine) reads, as a trie of
// their dot-separated segments: the scan records leaves only at those
// paths and enters only objects on a way to one, looking up one key
// segment per member (no path string is built). A key holding dots
// ("a.b") walks several segments: {"a.b": 1} and {"a": {"b": 1}} are one
// path, as at AWS.
type pathFilter struct {
	root  *fnode
	paths []string // id -> path
}

type fnode struct {
	kids map[string]*fnode
	id   int32 // -1 unless a path ends here
}

func newPathFilter() pathFilter { return pathFilter{root: &fnode{id: -1}} }

// watch records a path to read and returns its id.
func (f *pathFilter) watch(full string) int32 {
	n, path := f.root, full
	for {
		seg, rest, more := cut(path)
		k := n.kids[seg]
		if k == nil {
			k = &fnode{id: -1}
			if n.kids == nil {
				n.kids = map[string]*fnode{}
			}
			n.kids[seg] = k
		}
		n = k
		if !more {
			break
		}
		path = rest
	}
	if n.id < 0 {
		n.id = int32(len(f.paths))
		f.paths = append(f.paths, full)
	}
	return n.id
}

func cut(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// child is the node for a member named key under n (nil when the filter
// reads nothing there).
func (n *fnode) child(key []byte) *fnode {
	for n != nil {
		i := 0
		for i < len(key) && key[i] != '.' {
			i++
		}
		n = n.kids[string(key[:i])]
		if i == len(key) {
			return n
		}
		key = key[i+1:]
	}
	return nil
}

// scanEvent validates event as JSON (an object, at most MaxEventDepth
// deep) and flattens it. The scan is one pass over the bytes, without
// backtracking: linear in the event's size.
func scanEvent(b []byte, f *pathFilter) (*event, error) {
	ev := eventPool.Get().(*event)
	for len(ev.byID) < len(f.paths) {
		ev.byID = append(ev.byID, nil)
		ev.runs = append(ev.runs, nil)
	}
	s := scanner{b: b, ev: ev, node: f.root, maxDepth: MaxEventDepth, deep: errEventDeep, what: "pattern: event is not valid JSON: "}
	s.space()
	if s.i >= len(b) || b[s.i] != '{' {
		ev.release()
		return nil, ErrEventNotObject
	}
	if err := s.value(f.root); err != nil {
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
	node  *fnode // the filter's node of the value being scanned
	mem   []arrPos
	depth int

	maxDepth int
	deep     error  // the error past maxDepth
	what     string // the prefix of syntax errors
}

func (s *scanner) fail(what string) error {
	return errors.New(s.what + what + " at offset " + strconv.Itoa(s.i))
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

// value scans one value at filter node at (nil: a value the filter does
// not read), recording its scalars when a path ends at the node.
func (s *scanner) value(at *fnode) error {
	record := at != nil && at.id >= 0
	s.space()
	if s.i >= len(s.b) {
		return s.fail("unexpected end")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(at)
	case c == '[':
		return s.array(at)
	case c == '"':
		str, err := s.str(record)
		if err != nil {
			return err
		}
		if record {
			s.add(at.id, value{kind: vString, s: view(str)})
		}
		return nil
	case c == '-' || ('0' <= c && c <= '9'):
		start := s.i
		if !s.number() {
			return s.fail("malformed number")
		}
		if record {
			s.add(at.id, value{kind: vNumber, s: view(s.b[start:s.i])})
		}
		return nil
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				if record {
					s.add(at.id, value{kind: vLiteral, s: lit})
				}
				return nil
			}
		}
		return s.fail("unexpected character")
	}
}

var errEventDeep = errors.New("pattern: event nests deeper than " + strconv.Itoa(MaxEventDepth) + " levels")

func (s *scanner) enter() error {
	s.depth++
	if s.depth > s.maxDepth {
		return s.deep
	}
	s.i++
	return nil
}

func (s *scanner) object(at *fnode) error {
	if err := s.enter(); err != nil {
		return err
	}
	descend := at != nil && at.kids != nil
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
		var next *fnode
		if descend {
			next = at.child(key)
		}
		if err := s.value(next); err != nil {
			return err
		}
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

func (s *scanner) array(at *fnode) error {
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
		if err := s.value(at); err != nil {
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

func (s *scanner) add(id int32, v value) {
	ev := s.ev
	if len(ev.byID[id]) == 0 {
		ev.touched = append(ev.touched, id)
	}
	m0 := int32(len(ev.mem))
	ev.mem = append(ev.mem, s.mem...)
	ev.leaves = append(ev.leaves, leaf{v: v, mem0: m0, mem1: int32(len(ev.mem))})
	ev.byID[id] = append(ev.byID[id], int32(len(ev.leaves)-1))
}

// view returns b as a string without copying it. A leaf's strings are
// views of the event's bytes (or of a decoded copy) and live only while
// Match or Matches runs: release clears the leaves before the event goes
// back to the pool, and no leaf string is kept or returned. The copies
// they spare were most of a match's allocations (11 per event on the
// benchmark's events), and the GC work they cause grows with the heap a
// large Machine holds.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
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
// set, returns its value: a view of the event's bytes when the string has
// no escapes (no copy), else a decoded copy.
func (s *scanner) str(decode bool) ([]byte, error) {
	b := s.b
	i := s.i + 1
	start := i
	for i < len(b) {
		c := b[i]
		if c == '"' {
			s.i = i + 1
			if !decode {
				return nil, nil
			}
			return b[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			s.i = i
			return nil, s.fail("control character in string")
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
			return out, nil
		case c < 0x20:
			s.i = i
			return nil, s.fail("control character in string")
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
				return nil, s.fail("bad \\u escape")
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
			return nil, s.fail("bad escape")
		}
		i++
	}
	s.i = i
	return nil, s.fail("unterminated string")
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
