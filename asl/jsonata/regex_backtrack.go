package jsonata

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// matcher finds every leftmost-first match of a compiled RE2 program in a
// string, with its submatches, exactly as regexp's FindAllStringSubmatchIndex
// does, in time linear in the length of the string whatever the number of
// matches.
//
// regexp cannot do that for the strings JSONata scripts scan: for a string
// short enough for its backtracker (256 Ki bits of program × text) it clears
// a visited set the size of the whole string at every match, so finding the
// 1,000 matches of /id-(\d+)/ in 12 KB took 706 µs, about twice what
// jsonata-js takes for the whole $match call. matcher is a backtracker too,
// but it keeps one visited set for the whole scan: an alternation at a
// position that failed once fails from any start, so only the ones on the
// path of the match just found (at the match's end) are forgotten before the
// next search. Each is explored at most about twice, and the chain between
// two alternations once per arrival: linear in len(prog) × (len(s)+1) for
// the whole scan. On that text it takes 207 µs (BenchmarkFindAll).
type matcher struct {
	prog     *syntax.Prog
	prefix   string // a literal every match starts with, to skip to
	anchored bool   // every match starts at 0 (\A)
	ncap     int
	ascii    [][2]uint64 // per instruction: the ASCII runes an InstRune takes
}

// maxMatcherBits bounds the visited set (4 MiB); a longer text is left to
// regexp, whose automaton is linear for texts that long.
const maxMatcherBits = 1 << 25

func newMatcher(pattern string) (*matcher, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	m := &matcher{prog: prog, ncap: 2 * (re.MaxCap() + 1)}
	m.prefix, _ = prog.Prefix()
	m.anchored = prog.StartCond()&syntax.EmptyBeginText != 0
	m.ascii = make([][2]uint64, len(prog.Inst))
	for pc := range prog.Inst {
		if inst := &prog.Inst[pc]; inst.Op == syntax.InstRune {
			for r := range rune(utf8.RuneSelf) {
				if inst.MatchRune(r) {
					m.ascii[pc][r/64] |= 1 << (r % 64)
				}
			}
		}
	}
	return m, nil
}

// fits reports whether the scan of s fits the visited set's bound.
func (m *matcher) fits(s string) bool {
	return len(m.prog.Inst)*(len(s)+1) <= maxMatcherBits
}

// scan is the state of one FindAll over one string.
type scan struct {
	m       *matcher
	s       string
	visited []uint64
	caps    []int
	stack   []job
}

// job is a branch to explore, or (restore) a submatch bound to put back
// when the branch that bound it fails.
type job struct {
	pc      uint32
	restore bool
	pos     int // the position, or for restore the bound's old value
}

// findAll returns the matches' submatch offsets (pairs of byte offsets, -1
// for a group that did not take part), at most limit of them when limit >=
// 0, with regexp's rule for empty matches: one that abuts the previous match
// is skipped. The offsets of all matches share one array.
func (m *matcher) findAll(s string, limit int) [][]int {
	n := len(m.prog.Inst)
	sc := &scan{m: m, s: s, visited: make([]uint64, (n*(len(s)+1)+63)/64), caps: make([]int, m.ncap)}
	var out [][]int
	var flat []int
	prevEnd := -1
	for pos := 0; pos <= len(s) && (limit < 0 || len(out) < limit); {
		if !sc.search(pos) {
			break
		}
		if cap(flat)-len(flat) < m.ncap {
			flat = make([]int, 0, m.ncap*max(16, 2*len(out)))
		}
		flat = append(flat, sc.caps...)
		loc := flat[len(flat)-m.ncap : len(flat) : len(flat)]
		// The pairs on the match's path are marked but did not fail:
		// forget those a later search can reach (at the match's end).
		sc.forget(loc[1])
		accept := true
		if loc[1] == pos {
			if loc[0] == prevEnd {
				accept = false
			}
			if pos < len(s) {
				_, w := utf8.DecodeRuneInString(s[pos:])
				pos += w
			} else {
				pos++
			}
		} else {
			pos = loc[1]
		}
		prevEnd = loc[1]
		if accept {
			out = append(out, loc)
		}
	}
	return out
}

func (sc *scan) forget(pos int) {
	n := len(sc.m.prog.Inst)
	for i := pos * n; i < (pos+1)*n; i++ {
		sc.visited[i/64] &^= 1 << (i % 64)
	}
}

// search finds the leftmost-first match starting at or after from, and
// leaves its offsets in sc.caps.
func (sc *scan) search(from int) bool {
	m, s := sc.m, sc.s
	if m.anchored && from > 0 {
		return false
	}
	for st := from; st <= len(s); {
		if m.prefix != "" {
			i := strings.Index(s[st:], m.prefix)
			if i < 0 {
				return false
			}
			st += i
		}
		if sc.try(st) {
			return true
		}
		if m.anchored || st == len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[st:])
		st += w
	}
	return false
}

// visit marks (pc, pos) and reports whether it was unmarked.
func (sc *scan) visit(pc uint32, pos int) bool {
	i := pos*len(sc.m.prog.Inst) + int(pc)
	w, b := i/64, uint64(1)<<(i%64)
	if sc.visited[w]&b != 0 {
		return false
	}
	sc.visited[w] |= b
	return true
}

// try explores, depth first in the program's order of preference, the
// paths that start at st; the first to reach a match is the match.
func (sc *scan) try(st int) bool {
	prog, s := sc.m.prog, sc.s
	for i := range sc.caps {
		sc.caps[i] = -1
	}
	sc.caps[0] = st // the program binds groups 1 and on; the match is ours
	sc.stack = append(sc.stack[:0], job{pc: uint32(prog.Start), pos: st})
	for len(sc.stack) > 0 {
		j := sc.stack[len(sc.stack)-1]
		sc.stack = sc.stack[:len(sc.stack)-1]
		if j.restore {
			sc.caps[j.pc] = j.pos
			continue
		}
		pc, pos := j.pc, j.pos
	path:
		for {
			inst := &prog.Inst[pc]
			switch inst.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				// Paths branch and loop only here, so this is the only
				// instruction worth remembering: between two of them a
				// path is a chain, re-run at most once per arrival.
				if !sc.visit(pc, pos) {
					break path
				}
				sc.stack = append(sc.stack, job{pc: inst.Arg, pos: pos})
				pc = inst.Out
			case syntax.InstNop:
				pc = inst.Out
			case syntax.InstCapture:
				if int(inst.Arg) < len(sc.caps) {
					sc.stack = append(sc.stack, job{pc: inst.Arg, restore: true, pos: sc.caps[inst.Arg]})
					sc.caps[inst.Arg] = pos
				}
				pc = inst.Out
			case syntax.InstEmptyWidth:
				before, after := rune(-1), rune(-1)
				if pos > 0 {
					before, _ = utf8.DecodeLastRuneInString(s[:pos])
				}
				if pos < len(s) {
					after, _ = utf8.DecodeRuneInString(s[pos:])
				}
				if syntax.EmptyOp(inst.Arg)&^syntax.EmptyOpContext(before, after) != 0 {
					break path
				}
				pc = inst.Out
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if pos >= len(s) {
					break path
				}
				r, w := rune(s[pos]), 1
				if r >= utf8.RuneSelf {
					r, w = utf8.DecodeRuneInString(s[pos:])
				}
				var ok bool
				switch {
				case r < utf8.RuneSelf && inst.Op == syntax.InstRune:
					ok = sc.m.ascii[pc][r/64]&(1<<(r%64)) != 0
				case inst.Op == syntax.InstRune1:
					ok = r == inst.Rune[0]
				case inst.Op == syntax.InstRuneAny:
					ok = true
				case inst.Op == syntax.InstRuneAnyNotNL:
					ok = r != '\n'
				default:
					ok = inst.MatchRune(r)
				}
				if !ok {
					break path
				}
				pc, pos = inst.Out, pos+w
			case syntax.InstMatch:
				sc.caps[1] = pos
				return true
			default: // InstFail
				break path
			}
		}
	}
	return false
}
