package choice

// instant is a point in time: seconds since the Unix epoch, and
// nanoseconds within the second.
type instant struct {
	sec  int64
	nsec int32
}

func compareInstants(a, b instant) int {
	if c := compareInts(a.sec, b.sec); c != 0 {
		return c
	}
	return compareInts(int64(a.nsec), int64(b.nsec))
}

// parseTimestamp parses an ISO-8601 extended offset date-time, the format
// AWS accepts for timestamps (Java's ISO_OFFSET_DATE_TIME, strict):
//
//	2016-08-18T17:33:00Z
//	2016-08-18T17:33:00.123456789+01:00
//	2016-08-18T17:33Z              (seconds are optional)
//	2016-08-18t17:33:00z           (letters are case-insensitive)
//
// An offset (Z, ±HH, ±HH:MM or ±HH:MM:SS, at most 18 hours) is required;
// dates are checked against the calendar (no 2023-02-29, no hour 24, no
// leap second). Years have four digits, or a sign and up to nine digits.
// It does not allocate.
func parseTimestamp(s string) (instant, bool) {
	p := tsParser{s: s}
	year, ok := p.year()
	if !ok || !p.lit('-') {
		return instant{}, false
	}
	month, ok := p.digits(2)
	if !ok || month < 1 || month > 12 || !p.lit('-') {
		return instant{}, false
	}
	day, ok := p.digits(2)
	if !ok || day < 1 || day > daysIn(year, int(month)) {
		return instant{}, false
	}
	if !p.litFold('T') {
		return instant{}, false
	}
	hour, ok := p.digits(2)
	if !ok || hour > 23 || !p.lit(':') {
		return instant{}, false
	}
	minute, ok := p.digits(2)
	if !ok || minute > 59 {
		return instant{}, false
	}
	var second, nsec int64
	if p.lit(':') {
		if second, ok = p.digits(2); !ok || second > 59 {
			return instant{}, false
		}
		if p.lit('.') {
			if nsec, ok = p.fraction(); !ok {
				return instant{}, false
			}
		}
	}
	offset, ok := p.offset()
	if !ok || p.i != len(s) {
		return instant{}, false
	}
	days := daysFromCivil(year, int(month), int(day))
	sec := days*86400 + hour*3600 + minute*60 + second - offset
	return instant{sec: sec, nsec: int32(nsec)}, true
}

// tsParser reads a timestamp left to right.
type tsParser struct {
	s string
	i int
}

func (p *tsParser) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// litFold matches an upper-case ASCII letter in either case.
func (p *tsParser) litFold(c byte) bool {
	return p.lit(c) || p.lit(c+'a'-'A')
}

// digits reads exactly n decimal digits.
func (p *tsParser) digits(n int) (int64, bool) {
	if len(p.s)-p.i < n {
		return 0, false
	}
	var v int64
	for k := 0; k < n; k++ {
		c := p.s[p.i+k]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	p.i += n
	return v, true
}

// run counts the decimal digits starting at the current position.
func (p *tsParser) run() int {
	n := 0
	for p.i+n < len(p.s) && p.s[p.i+n] >= '0' && p.s[p.i+n] <= '9' {
		n++
	}
	return n
}

// year reads four digits, or a '-' and four to nine digits, or a '+' and
// five to nine digits (Java's strict SignStyle.EXCEEDS_PAD).
func (p *tsParser) year() (int64, bool) {
	neg, signed := false, false
	switch {
	case p.lit('-'):
		neg, signed = true, true
	case p.lit('+'):
		signed = true
	}
	n := p.run()
	switch {
	case !signed && n != 4,
		signed && (n < 4 || n > 9),
		signed && !neg && n == 4:
		return 0, false
	}
	y, _ := p.digits(n)
	if neg {
		y = -y
	}
	return y, true
}

// fraction reads one to nine digits of a fraction of a second, as
// nanoseconds.
func (p *tsParser) fraction() (int64, bool) {
	n := p.run()
	if n < 1 || n > 9 {
		return 0, false
	}
	f, _ := p.digits(n)
	for ; n < 9; n++ {
		f *= 10
	}
	return f, true
}

// offset reads Z, or ±HH[:MM[:SS]], and returns it in seconds east of UTC.
func (p *tsParser) offset() (int64, bool) {
	if p.litFold('Z') {
		return 0, true
	}
	var sign int64
	switch {
	case p.lit('+'):
		sign = 1
	case p.lit('-'):
		sign = -1
	default:
		return 0, false
	}
	h, ok := p.digits(2)
	if !ok || h > 18 {
		return 0, false
	}
	var m, s int64
	if p.lit(':') {
		if m, ok = p.digits(2); !ok || m > 59 {
			return 0, false
		}
		if p.lit(':') {
			if s, ok = p.digits(2); !ok || s > 59 {
				return 0, false
			}
		}
	}
	total := h*3600 + m*60 + s
	if total > 18*3600 {
		return 0, false
	}
	return sign * total, true
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(year int64, month int) int64 {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// date of the proleptic Gregorian calendar.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400                         // [0, 399]
	doy := int64((153*((m+9)%12)+2)/5 + d - 1) // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy     // [0, 146096]
	return era*146097 + doe - 719468
}
