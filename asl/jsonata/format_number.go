package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decimalFormat holds the symbols of $formatNumber (XPath format-number),
// each overridable through the options argument.
type decimalFormat struct {
	decimal, grouping, exponent, minus, percent, permille string
	infinity, nan                                         string
	zero                                                  rune
	digit, pattern                                        string
}

func defaultDecimalFormat() decimalFormat {
	return decimalFormat{
		decimal: ".", grouping: ",", exponent: "e", minus: "-", percent: "%", permille: "‰",
		infinity: "Infinity", nan: "NaN", zero: '0', digit: "#", pattern: ";",
	}
}

// subPicture is an analysed sub-picture of a format-number picture.
type subPicture struct {
	prefix, suffix    string
	hasDecimal        bool
	hasExponent       bool
	percent, permille bool
	minInt, scale     int
	minFrac, maxFrac  int
	minExp            int
	intGroups         []int // positions from the decimal separator
	regularGroup      int
	fracGroups        []int
}

func fmtF(n float64) string { return strconv.FormatFloat(n, 'f', -1, 64) }

func fnFormatNumber(ev *evaluator, c *callCtx, args []any) (any, error) {
	n, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	picture, _ := arg(args, 1).(string)
	df := defaultDecimalFormat()
	if opts := arg(args, 2); isObject(opts) {
		objectRange(opts, func(k string, v any) bool {
			s, _ := v.(string)
			switch k {
			case "decimal-separator":
				df.decimal = s
			case "grouping-separator":
				df.grouping = s
			case "exponent-separator":
				df.exponent = s
			case "minus-sign":
				df.minus = s
			case "percent":
				df.percent = s
			case "per-mille":
				df.permille = s
			case "infinity":
				df.infinity = s
			case "NaN":
				df.nan = s
			case "zero-digit":
				if r, _ := utf8.DecodeRuneInString(s); r != utf8.RuneError {
					df.zero = r
				}
			case "digit":
				df.digit = s
			case "pattern-separator":
				df.pattern = s
			}
			return true
		})
	}
	pics := strings.Split(picture, df.pattern)
	if len(pics) > 2 {
		return nil, newError("D3080", c.pos, "formatNumber", Undefined)
	}
	subs := make([]*subPicture, len(pics))
	for i, p := range pics {
		sp, err := df.analyse(p)
		if err != nil {
			return nil, withPosition(err, c.pos, "formatNumber")
		}
		subs[i] = sp
	}
	if math.IsNaN(n) {
		return df.nan, nil
	}
	sp := subs[0]
	prefix := sp.prefix
	if n < 0 {
		if len(subs) > 1 {
			sp = subs[1]
			prefix = sp.prefix
		} else {
			prefix = df.minus + sp.prefix
		}
		n = -n
	}
	if sp.percent {
		n *= 100
	} else if sp.permille {
		n *= 1000
	}
	if math.IsInf(n, 0) {
		return prefix + df.infinity + sp.suffix, nil
	}
	return prefix + df.render(sp, n) + sp.suffix, nil
}

// isDigit reports whether r is in the picture's decimal digit family.
func (df *decimalFormat) isDigit(r rune) bool { return r >= df.zero && r <= df.zero+9 }

// analyse validates a sub-picture and extracts its formatting parameters.
func (df *decimalFormat) analyse(pic string) (*subPicture, error) {
	runes := []rune(pic)
	// classify: 'd' digit, '#' optional digit, '.' decimal, ',' grouping,
	// 'e' exponent candidate, 'p' passive; with multi-character symbols
	type tok struct {
		class byte
		text  string
	}
	var toks []tok
	symbols := []struct {
		s string
		c byte
	}{{df.decimal, '.'}, {df.grouping, ','}, {df.digit, '#'}, {df.percent, '%'}, {df.permille, 'm'}, {df.exponent, 'e'}}
	for i := 0; i < len(runes); {
		matched := false
		for _, sym := range symbols {
			sr := []rune(sym.s)
			if len(sr) > 0 && i+len(sr) <= len(runes) && string(runes[i:i+len(sr)]) == sym.s {
				toks = append(toks, tok{sym.c, sym.s})
				i += len(sr)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if df.isDigit(runes[i]) {
			toks = append(toks, tok{'d', string(runes[i])})
		} else {
			toks = append(toks, tok{'p', string(runes[i])})
		}
		i++
	}
	active := func(c byte) bool { return c == 'd' || c == '#' || c == '.' || c == ',' }
	// an exponent separator is active only between active characters
	for i := range toks {
		if toks[i].class == 'e' {
			if i > 0 && i+1 < len(toks) && active(toks[i-1].class) && active(toks[i+1].class) {
				toks[i].class = 'E'
			} else {
				toks[i].class = 'p'
			}
		}
	}
	isActive := func(c byte) bool { return active(c) || c == 'E' }
	sp := &subPicture{}
	counts := map[byte]int{}
	for _, t := range toks {
		counts[t.class]++
	}
	if counts['.'] > 1 {
		return nil, newError("D3081", 0, "", Undefined)
	}
	if counts['%'] > 1 {
		return nil, newError("D3082", 0, "", Undefined)
	}
	if counts['m'] > 1 {
		return nil, newError("D3083", 0, "", Undefined)
	}
	if counts['%'] > 0 && counts['m'] > 0 {
		return nil, newError("D3084", 0, "", Undefined)
	}
	sp.percent, sp.permille = counts['%'] > 0, counts['m'] > 0
	first, last := -1, -1
	for i, t := range toks {
		if isActive(t.class) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	var b strings.Builder
	if first < 0 {
		first, last = len(toks), len(toks)-1
	}
	for _, t := range toks[:first] {
		b.WriteString(t.text)
	}
	sp.prefix = b.String()
	b.Reset()
	for _, t := range toks[last+1:] {
		b.WriteString(t.text)
	}
	sp.suffix = b.String()
	var mantissa, exponent []byte
	inExp := false
	for _, t := range toks[first : last+1] {
		if !isActive(t.class) {
			return nil, newError("D3086", 0, "", Undefined)
		}
		if t.class == 'E' {
			inExp = true
			sp.hasExponent = true
			continue
		}
		if inExp {
			exponent = append(exponent, t.class)
		} else {
			mantissa = append(mantissa, t.class)
		}
	}
	digits := 0
	for _, c := range mantissa {
		if c == 'd' || c == '#' {
			digits++
		}
	}
	if digits == 0 {
		return nil, newError("D3085", 0, "", Undefined)
	}
	intPart, fracPart := mantissa, []byte(nil)
	for i, c := range mantissa {
		if c == '.' {
			intPart, fracPart = mantissa[:i], mantissa[i+1:]
			sp.hasDecimal = true
			if (i > 0 && mantissa[i-1] == ',') || (i+1 < len(mantissa) && mantissa[i+1] == ',') {
				return nil, newError("D3087", 0, "", Undefined)
			}
		}
	}
	if len(intPart) > 0 && intPart[len(intPart)-1] == ',' {
		return nil, newError("D3088", 0, "", Undefined)
	}
	for i := 1; i < len(mantissa); i++ {
		if mantissa[i] == ',' && mantissa[i-1] == ',' {
			return nil, newError("D3089", 0, "", Undefined)
		}
	}
	seenDigit := false
	for _, c := range intPart {
		if c == 'd' {
			seenDigit = true
		} else if c == '#' && seenDigit {
			return nil, newError("D3090", 0, "", Undefined)
		}
	}
	seenOpt := false
	for _, c := range fracPart {
		if c == '#' {
			seenOpt = true
		} else if c == 'd' && seenOpt {
			return nil, newError("D3091", 0, "", Undefined)
		}
	}
	if sp.hasExponent && (sp.percent || sp.permille) {
		return nil, newError("D3092", 0, "", Undefined)
	}
	for _, c := range exponent {
		if c != 'd' {
			return nil, newError("D3093", 0, "", Undefined)
		}
	}
	// sizes
	optInt := false
	pos := 0
	for i := len(intPart) - 1; i >= 0; i-- {
		switch intPart[i] {
		case 'd':
			sp.minInt++
			pos++
		case '#':
			optInt = true
			pos++
		case ',':
			sp.intGroups = append(sp.intGroups, pos)
		}
	}
	pos = 0
	for _, c := range fracPart {
		switch c {
		case 'd':
			sp.minFrac++
			sp.maxFrac++
			pos++
		case '#':
			sp.maxFrac++
			pos++
		case ',':
			sp.fracGroups = append(sp.fracGroups, pos)
		}
	}
	sp.minExp = len(exponent)
	sp.scale = sp.minInt
	if sp.minInt == 0 && !sp.hasDecimal && !sp.hasExponent {
		sp.minInt = 1
	}
	if sp.minInt == 0 && sp.maxFrac == 0 {
		sp.minFrac, sp.maxFrac = 1, 1
	}
	if sp.hasExponent && sp.minInt == 0 && optInt {
		sp.minInt = 1
	}
	if len(sp.intGroups) > 0 {
		g := sp.intGroups[0]
		regular := g > 0
		for i, p := range sp.intGroups {
			if p != g*(i+1) {
				regular = false
			}
		}
		if regular {
			sp.regularGroup = g
		}
	}
	return sp, nil
}

// render formats a non-negative finite number with a sub-picture.
func (df *decimalFormat) render(sp *subPicture, n float64) string {
	exp := 0
	if sp.hasExponent && n != 0 {
		// mantissa m with 10^(scale-1) <= m < 10^scale
		exp = int(math.Floor(math.Log10(n))) + 1 - sp.scale
		n = shiftDecimal(n, -exp)
		// rounding may carry into another digit
		if r := roundDecimalString(n, sp.maxFrac); len(strings.SplitN(r, ".", 2)[0]) > sp.scale && sp.scale > 0 {
			exp++
			n = shiftDecimal(n, -1)
		}
	}
	s := roundDecimalString(n, sp.maxFrac)
	intDigits, fracDigits, _ := strings.Cut(s, ".")
	if intDigits == "0" {
		intDigits = ""
	}
	for len(intDigits) < sp.minInt {
		intDigits = "0" + intDigits
	}
	fracDigits = strings.TrimRight(fracDigits, "0")
	for len(fracDigits) < sp.minFrac {
		fracDigits += "0"
	}
	var b strings.Builder
	// integer part with grouping
	for i, d := range intDigits {
		fromRight := len(intDigits) - i
		if i > 0 {
			if sp.regularGroup > 0 && fromRight%sp.regularGroup == 0 {
				b.WriteString(df.grouping)
			} else if sp.regularGroup == 0 {
				for _, g := range sp.intGroups {
					if g == fromRight {
						b.WriteString(df.grouping)
					}
				}
			}
		}
		b.WriteRune(df.zero + (d - '0'))
	}
	if len(fracDigits) > 0 {
		b.WriteString(df.decimal)
		for i, d := range fracDigits {
			for _, g := range sp.fracGroups {
				if g == i && i > 0 {
					b.WriteString(df.grouping)
				}
			}
			b.WriteRune(df.zero + (d - '0'))
		}
	}
	if sp.hasExponent {
		b.WriteString(df.exponent)
		if exp < 0 {
			b.WriteString(df.minus)
			exp = -exp
		}
		es := strconv.Itoa(exp)
		for len(es) < sp.minExp {
			es = "0" + es
		}
		for _, d := range es {
			b.WriteRune(df.zero + (d - '0'))
		}
	}
	return b.String()
}

// roundDecimalString renders n with at most places decimals, rounding half
// to even on its shortest decimal representation.
func roundDecimalString(n float64, places int) string {
	s := fmtF(n)
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) <= places {
		if frac == "" {
			return intPart
		}
		return intPart + "." + frac
	}
	digits := []byte(intPart + frac[:places])
	next := frac[places]
	rest := strings.TrimRight(frac[places+1:], "0")
	up := next > '5' || (next == '5' && (rest != "" || (digits[len(digits)-1]-'0')%2 == 1))
	if up {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	ip := string(digits[:len(digits)-places])
	fp := string(digits[len(digits)-places:])
	if fp == "" {
		return ip
	}
	return ip + "." + fp
}
