package jsonata

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// intFormat is a parsed $formatInteger picture (XPath format-integer):
// a decimal digit pattern such as "#,##0", or "a"/"A" (letters), "i"/"I"
// (roman numerals), "w"/"W"/"Ww" (words), with the modifier ";o" for
// ordinals.
type intFormat struct {
	kind      byte // 'd' decimal, 'a' letters, 'i' roman, 'w' words
	upper     bool // A, I, W
	title     bool // Ww
	ordinal   bool
	zero      rune // decimal: zero digit of the family
	mandatory int  // decimal: minimum number of digits
	groups    []group
	regular   int // decimal: grouping interval when regular, else 0
	picture   string
}

// group is a grouping separator at a position counted in digits from the
// right.
type group struct {
	pos int
	sep string
}

// digitValue returns the value of decimal digit r and its family's zero.
func digitValue(r rune) (int, rune, bool) {
	if !unicode.IsDigit(r) {
		return 0, 0, false
	}
	start := r
	for start > 0 && unicode.IsDigit(start-1) && r-start < 60 {
		start--
	}
	v := int(r-start) % 10
	return v, r - rune(v), true
}

// parseIntFormat parses a picture with its modifiers.
func parseIntFormat(picture string) (*intFormat, error) {
	f := &intFormat{picture: picture}
	primary := picture
	if i := strings.LastIndexByte(picture, ';'); i >= 0 {
		primary = picture[:i]
		mod := picture[i+1:]
		if strings.HasPrefix(mod, "o") {
			f.ordinal = true
		}
	}
	switch primary {
	case "a", "A":
		f.kind, f.upper = 'a', primary == "A"
		return f, nil
	case "i", "I":
		f.kind, f.upper = 'i', primary == "I"
		return f, nil
	case "w", "W", "Ww":
		f.kind, f.upper, f.title = 'w', primary == "W", primary == "Ww"
		return f, nil
	}
	f.kind = 'd'
	// decimal digit pattern, read right to left
	runes := []rune(primary)
	digits := 0
	var zero rune = -1
	for i := len(runes) - 1; i >= 0; i-- {
		r := runes[i]
		if v, z, ok := digitValue(r); ok {
			_ = v
			if zero >= 0 && z != zero {
				return nil, newError("D3131", 0, "", Undefined)
			}
			zero = z
			f.mandatory++
			digits++
			continue
		}
		if r == '#' {
			digits++
			continue
		}
		f.groups = append(f.groups, group{pos: digits, sep: string(r)})
	}
	if zero < 0 {
		first, _ := utf8.DecodeRuneInString(primary)
		return nil, newError("D3130", 0, "", string(first))
	}
	f.zero = zero
	if len(f.groups) > 0 {
		g := f.groups[0].pos
		regular := g > 0
		for i, gr := range f.groups {
			if gr.sep != f.groups[0].sep || gr.pos != g*(i+1) {
				regular = false
			}
		}
		if regular {
			f.regular = g
		}
	}
	return f, nil
}

// format renders n.
func (f *intFormat) format(n float64) string {
	neg := n < 0
	n = math.Abs(n)
	n = math.Floor(n)
	var s string
	switch f.kind {
	case 'a':
		s = toLetters(int64(n), f.upper)
	case 'i':
		s = toRoman(int64(n))
		if f.upper {
			s = strings.ToUpper(s)
		}
	case 'w':
		s = toWords(n, f.ordinal)
		switch {
		case f.upper:
			s = strings.ToUpper(s)
		case f.title:
			s = titleWords(s)
		}
	default:
		s = f.formatDecimal(n)
		if f.ordinal {
			s += ordinalSuffix(int64(n))
		}
	}
	if neg {
		return "-" + s
	}
	return s
}

func (f *intFormat) formatDecimal(n float64) string {
	digits := []rune(formatFixed(n))
	for len(digits) < f.mandatory {
		digits = append([]rune{'0'}, digits...)
	}
	var b []rune
	count := 0
	gi := 0
	for i := len(digits) - 1; i >= 0; i-- {
		if count > 0 {
			if f.regular > 0 && count%f.regular == 0 {
				b = append(b, []rune(reverse(f.groups[0].sep))...)
			} else if f.regular == 0 && gi < len(f.groups) && f.groups[gi].pos == count {
				b = append(b, []rune(reverse(f.groups[gi].sep))...)
				gi++
			}
		}
		b = append(b, f.zero+(digits[i]-'0'))
		count++
	}
	return reverse(string(b))
}

// formatFixed renders a non-negative integral number without exponent.
func formatFixed(n float64) string {
	return fmtF(n)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func ordinalSuffix(n int64) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

func toLetters(n int64, upper bool) string {
	base := 'a'
	if upper {
		base = 'A'
	}
	var out []rune
	for n > 0 {
		n--
		out = append([]rune{base + rune(n%26)}, out...)
		n /= 26
	}
	return string(out)
}

func fromLetters(s string, upper bool) float64 {
	base := 'a'
	if upper {
		base = 'A'
	}
	n := 0.0
	for _, r := range s {
		n = n*26 + float64(r-base+1)
	}
	return n
}

var romanNumerals = []struct {
	v int64
	s string
}{
	{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"},
	{50, "l"}, {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"},
}

func toRoman(n int64) string {
	var b strings.Builder
	for _, r := range romanNumerals {
		for n >= r.v {
			b.WriteString(r.s)
			n -= r.v
		}
	}
	return b.String()
}

func fromRoman(s string) float64 {
	s = strings.ToLower(s)
	vals := map[byte]int{'i': 1, 'v': 5, 'x': 10, 'l': 50, 'c': 100, 'd': 500, 'm': 1000}
	total := 0
	for i := 0; i < len(s); i++ {
		v := vals[s[i]]
		if i+1 < len(s) && vals[s[i+1]] > v {
			total -= v
		} else {
			total += v
		}
	}
	return float64(total)
}

var (
	smallWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tensWords  = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	scaleWords = []struct {
		v float64
		s string
	}{{1e12, "trillion"}, {1e9, "billion"}, {1e6, "million"}, {1e3, "thousand"}}
	ordinalWords = map[string]string{
		"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
		"nine": "ninth", "twelve": "twelfth",
	}
)

// toWords spells a non-negative integer in English.
func toWords(n float64, ordinal bool) string {
	s := spell(n)
	if !ordinal {
		return s
	}
	i := strings.LastIndexAny(s, " -")
	last := s[i+1:]
	switch {
	case ordinalWords[last] != "":
		last = ordinalWords[last]
	case strings.HasSuffix(last, "y"):
		last = strings.TrimSuffix(last, "y") + "ieth"
	default:
		last += "th"
	}
	return s[:i+1] + last
}

func spell(n float64) string {
	switch {
	case n < 20:
		return smallWords[int(n)]
	case n < 100:
		s := tensWords[int(n)/10]
		if r := int(n) % 10; r != 0 {
			s += "-" + smallWords[r]
		}
		return s
	case n < 1000:
		s := smallWords[int(n)/100] + " hundred"
		if r := int(n) % 100; r != 0 {
			s += " and " + spell(float64(r))
		}
		return s
	}
	for _, sc := range scaleWords {
		if n >= sc.v {
			q := math.Floor(n / sc.v)
			r := n - q*sc.v
			s := spell(q) + " " + sc.s
			if r > 0 {
				if r < 100 {
					s += " and "
				} else {
					s += ", "
				}
				s += spell(r)
			}
			return s
		}
	}
	return ""
}

// titleWords capitalises each word except "and".
func titleWords(s string) string {
	out := []rune(s)
	start := true
	for i, r := range out {
		if start && r != 'a' || start && !strings.HasPrefix(string(out[i:]), "and ") {
			out[i] = unicode.ToUpper(r)
		}
		start = r == ' ' || r == '-'
	}
	return string(out)
}

// fromWords parses English number words (cardinal or ordinal).
func fromWords(s string) float64 {
	s = strings.ToLower(s)
	s = strings.NewReplacer(",", " ", "-", " ").Replace(s)
	var toks []string
	for _, w := range strings.Fields(s) {
		if w != "and" {
			toks = append(toks, w)
		}
	}
	return wordsValue(toks)
}

func wordValue(w string) (float64, bool) {
	for i, sw := range smallWords {
		if w == sw {
			return float64(i), true
		}
	}
	for i, tw := range tensWords {
		if tw != "" && w == tw {
			return float64(10 * i), true
		}
	}
	for k, v := range ordinalWords {
		if w == v {
			return wordValue(k)
		}
	}
	if strings.HasSuffix(w, "ieth") {
		return wordValue(strings.TrimSuffix(w, "ieth") + "y")
	}
	if strings.HasSuffix(w, "th") {
		return wordValue(strings.TrimSuffix(w, "th"))
	}
	return 0, false
}

func scaleOf(w string) float64 {
	w = strings.TrimSuffix(w, "th")
	switch w {
	case "hundred":
		return 100
	case "thousand":
		return 1e3
	case "million":
		return 1e6
	case "billion":
		return 1e9
	case "trillion":
		return 1e12
	}
	return 0
}

func wordsValue(toks []string) float64 {
	if len(toks) == 0 {
		return 0
	}
	// split at the rightmost occurrence of the largest scale
	best, at := 0.0, -1
	for i, t := range toks {
		if s := scaleOf(t); s > 0 && s >= best {
			best, at = s, i
		}
	}
	if at >= 0 {
		left := wordsValue(toks[:at])
		if at == 0 {
			left = 1
		}
		return left*best + wordsValue(toks[at+1:])
	}
	total := 0.0
	for _, t := range toks {
		if v, ok := wordValue(t); ok {
			total += v
		}
	}
	return total
}

// parse reads a number formatted with the picture.
func (f *intFormat) parse(s string) (float64, error) {
	switch f.kind {
	case 'a':
		return fromLetters(s, f.upper), nil
	case 'i':
		return fromRoman(s), nil
	case 'w':
		return fromWords(s), nil
	}
	if f.mandatory == 0 {
		return 0, newError("D3130", 0, "", f.picture)
	}
	n := 0.0
	for _, r := range s {
		if v, _, ok := digitValue(r); ok {
			n = n*10 + float64(v)
		}
	}
	return n, nil
}

func fnFormatInteger(ev *evaluator, c *callCtx, args []any) (any, error) {
	n, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	pic, _ := arg(args, 1).(string)
	f, err := parseIntFormat(pic)
	if err != nil {
		return nil, err
	}
	return f.format(n), nil
}

func fnParseInteger(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	pic, _ := arg(args, 1).(string)
	f, err := parseIntFormat(pic)
	if err != nil {
		return nil, err
	}
	return f.parse(s)
}
