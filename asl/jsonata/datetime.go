package jsonata

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Dates are formatted and parsed with XPath picture strings such as
// "[Y0001]-[M01]-[D01]": each [marker] names a component (Y year, M month,
// D day, d day of year, F day of week, W ISO week, w week of month, X ISO
// week-year, x month of the week, H hour, h hour of 12, P am/pm, m minute,
// s second, f fraction of a second, Z and z timezone, C calendar, E era),
// followed by a presentation (a decimal picture, a, A, i, I, w, W, Ww, or N,
// n, Nn for names), modifiers (o ordinal, t Z for UTC) and a width
// (",min-max").

// defaultDatePicture is the ISO 8601 format of $fromMillis and $now.
const defaultDatePicture = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

// datePart is a literal or a component marker of a picture.
type datePart struct {
	literal   string
	component byte
	pres      string // presentation, e.g. "0001", "Nn", "w"
	modifier  byte   // 'o', 't', 'c' or 0
	minWidth  int    // -1 when unspecified
	maxWidth  int    // -1 when unspecified
	intFmt    *intFormat
}

func (p *datePart) isName() bool {
	return p.pres == "N" || p.pres == "n" || p.pres == "Nn"
}

var widthPattern = regexp.MustCompile(`^(\*|[0-9]+)(-(\*|[0-9]+))?$`)

// parseDatePicture splits a picture into literals and markers.
func parseDatePicture(picture string) ([]datePart, error) {
	for i := 0; i < len(picture); i++ {
		if picture[i] == '[' {
			if i+1 < len(picture) && picture[i+1] == '[' {
				i++
				continue
			}
			end := strings.IndexByte(picture[i:], ']')
			if end < 0 {
				return nil, newError("D3135", 0, "", Undefined)
			}
			i += end
		}
	}
	var parts []datePart
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, datePart{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(picture); i++ {
		c := picture[i]
		switch {
		case c == '[' && i+1 < len(picture) && picture[i+1] == '[':
			lit.WriteByte('[')
			i++
		case c == ']' && i+1 < len(picture) && picture[i+1] == ']':
			lit.WriteByte(']')
			i++
		case c == '[':
			end := strings.IndexByte(picture[i:], ']')
			if end < 0 {
				return nil, newError("D3135", 0, "", Undefined)
			}
			flush()
			marker := strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, picture[i+1:i+end])
			p, err := parseMarker(marker)
			if err != nil {
				return nil, err
			}
			parts = append(parts, p)
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return parts, nil
}

// maxPictureWidth bounds the widths of a picture's markers: wider ones
// would only pad with zeros, and without a bound "[X,0300000000000]" would
// pad without end (the fuzzer found it).
const maxPictureWidth = 1000

// pictureWidth reads a width of a marker, at most maxPictureWidth.
func pictureWidth(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n > maxPictureWidth {
		return maxPictureWidth
	}
	return n
}

func parseMarker(marker string) (datePart, error) {
	p := datePart{minWidth: -1, maxWidth: -1}
	if marker == "" {
		return p, newError("D3132", 0, "", marker)
	}
	p.component = marker[0]
	if !strings.ContainsRune("YMDdFWwXxHhPmsfZzCE", rune(p.component)) {
		return p, newError("D3132", 0, "", string(p.component))
	}
	rest := marker[1:]
	if i := strings.LastIndexByte(rest, ','); i >= 0 && widthPattern.MatchString(rest[i+1:]) {
		m := widthPattern.FindStringSubmatch(rest[i+1:])
		if m[1] != "*" {
			p.minWidth = pictureWidth(m[1])
		}
		if m[3] != "" && m[3] != "*" {
			p.maxWidth = pictureWidth(m[3])
		}
		rest = rest[:i]
	}
	if len(rest) > 1 {
		switch last := rest[len(rest)-1]; last {
		case 'o', 't', 'c':
			p.modifier = last
			rest = rest[:len(rest)-1]
		}
	}
	if rest == "" {
		switch p.component {
		case 'F', 'P', 'C', 'E':
			rest = "n"
		case 'm', 's':
			rest = "01"
		case 'Z', 'z':
			rest = "01:01"
		default:
			rest = "1"
		}
		if p.component == 'x' {
			rest = "1"
		}
	}
	p.pres = rest
	if p.isName() {
		switch p.component {
		case 'M', 'F', 'P', 'x', 'C', 'E':
		default:
			return p, newError("D3133", 0, "", string(p.component))
		}
		return p, nil
	}
	if p.component == 'Z' || p.component == 'z' {
		digits := 0
		for _, r := range rest {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits > 4 {
			return p, newError("D3134", 0, "", rest)
		}
		return p, nil
	}
	if p.component == 'C' || p.component == 'E' {
		return p, nil
	}
	pic := rest
	if p.modifier == 'o' {
		pic += ";o"
	}
	f, err := parseIntFormat(pic)
	if err != nil {
		return p, err
	}
	if f.kind == 'd' && p.minWidth > f.mandatory {
		f.mandatory = p.minWidth
	}
	if f.kind == 'd' && p.maxWidth > 0 && f.mandatory > p.maxWidth {
		f.mandatory = p.maxWidth
	}
	p.intFmt = f
	return p, nil
}

// formatDate renders t (already shifted to the wanted offset, offMin
// minutes east of UTC) with a picture.
func formatDate(t time.Time, offMin int, parts []datePart) (string, error) {
	var b strings.Builder
	for i := range parts {
		p := &parts[i]
		if p.component == 0 {
			b.WriteString(p.literal)
			continue
		}
		s, err := formatComponent(t, offMin, p)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// isoWeek returns the year-or-month and week number of t's week, counted by
// the week's Thursday; byMonth selects week of month instead of ISO week.
func weekOf(t time.Time, byMonth bool) (time.Time, int) {
	wd := (int(t.Weekday()) + 6) % 7 // Monday 0
	thursday := t.AddDate(0, 0, 3-wd)
	if byMonth {
		return thursday, (thursday.Day()-1)/7 + 1
	}
	return thursday, (thursday.YearDay()-1)/7 + 1
}

func formatComponent(t time.Time, offMin int, p *datePart) (string, error) {
	var value int
	switch p.component {
	case 'Y':
		value = t.Year()
	case 'M':
		value = int(t.Month())
	case 'D':
		value = t.Day()
	case 'd':
		value = t.YearDay()
	case 'F':
		value = (int(t.Weekday())+6)%7 + 1
	case 'W':
		_, value = weekOf(t, false)
	case 'X':
		th, _ := weekOf(t, false)
		value = th.Year()
	case 'w':
		_, value = weekOf(t, true)
	case 'x':
		th, _ := weekOf(t, true)
		value = int(th.Month())
	case 'H':
		value = t.Hour()
	case 'h':
		value = t.Hour() % 12
		if value == 0 {
			value = 12
		}
	case 'P':
		s := "am"
		if t.Hour() >= 12 {
			s = "pm"
		}
		return nameCase(s, p), nil
	case 'm':
		value = t.Minute()
	case 's':
		value = t.Second()
	case 'f':
		return formatFraction(t.Nanosecond()/1e6, p), nil
	case 'Z', 'z':
		return formatZone(offMin, p), nil
	case 'C', 'E':
		return "ISO", nil
	}
	if p.isName() {
		var name string
		switch p.component {
		case 'M', 'x':
			name = monthNames[value-1]
		case 'F':
			name = dayNames[value-1]
		}
		return nameCase(name, p), nil
	}
	f := p.intFmt
	n := float64(value)
	if p.component == 'Y' && f.kind == 'd' {
		if p.maxWidth > 0 {
			n = math.Mod(n, math.Pow10(p.maxWidth))
		} else if f.mandatory == 2 {
			n = math.Mod(n, 100)
		}
	}
	return f.format(n), nil
}

// nameCase renders a name in the case the presentation asks for, cut to
// the maximum width.
func nameCase(name string, p *datePart) string {
	switch p.pres {
	case "N":
		name = strings.ToUpper(name)
	case "n":
		name = strings.ToLower(name)
	}
	if p.maxWidth > 0 && len(name) > p.maxWidth {
		name = name[:p.maxWidth]
	}
	return name
}

func formatFraction(ms int, p *datePart) string {
	digits := 1
	if p.intFmt != nil && p.intFmt.kind == 'd' {
		digits = p.intFmt.mandatory
	}
	if p.maxWidth > 0 {
		digits = p.maxWidth
	}
	s := strconv.Itoa(ms)
	s = strings.Repeat("0", 3-len(s)) + s
	if digits <= 3 {
		return s[:digits]
	}
	return s + strings.Repeat("0", digits-3)
}

func formatZone(offMin int, p *datePart) string {
	if p.modifier == 't' && offMin == 0 {
		return "Z"
	}
	prefix := ""
	if p.component == 'z' {
		prefix = "GMT"
	}
	sign := "+"
	if offMin < 0 {
		sign = "-"
		offMin = -offMin
	}
	h, m := offMin/60, offMin%60
	digits := 0
	sep := ""
	for _, r := range p.pres {
		if unicode.IsDigit(r) {
			digits++
		} else if digits > 0 {
			sep = string(r)
		}
	}
	if digits <= 2 {
		s := prefix + sign + pad(h, digits)
		if m != 0 {
			s += ":" + pad(m, 2)
		}
		return s
	}
	return prefix + sign + pad(h, digits-2) + sep + pad(m, 2)
}

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// parseOffset reads a timezone argument such as "+0530" or "-05:00", in
// minutes east of UTC.
func parseOffset(tz string) (int, bool) {
	tz = strings.ReplaceAll(tz, ":", "")
	if len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		if len(tz) == 4 {
			tz = "+" + tz
		} else {
			return 0, false
		}
	}
	h, err1 := strconv.Atoi(tz[1:3])
	m, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	off := h*60 + m
	if tz[0] == '-' {
		off = -off
	}
	return off, true
}

// fromMillis formats milliseconds since the epoch.
func fromMillis(ms float64, picture string, tz string) (any, error) {
	if picture == "" {
		picture = defaultDatePicture
	}
	dp := datePictureOf(picture)
	if dp.err != nil {
		return nil, dp.err
	}
	parts := dp.parts
	off := 0
	if tz != "" {
		if o, ok := parseOffset(tz); ok {
			off = o
		}
	}
	ims := int64(math.Floor(ms))
	t := time.UnixMilli(ims).UTC().Add(time.Duration(off) * time.Minute)
	s, err := formatDate(t, off, parts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func fnFromMillis(ev *evaluator, c *callCtx, args []any) (any, error) {
	ms, ok := numberArg(args, 0)
	if !ok {
		return Undefined, nil
	}
	pic, _ := arg(args, 1).(string)
	tz, _ := arg(args, 2).(string)
	return fromMillis(ms, pic, tz)
}

// nowTime returns the evaluation's timestamp: the clock is read once per
// evaluation so that every $now() and $millis() agree.
func (ev *evaluator) nowTime(c *callCtx, name string) (time.Time, error) {
	if ev.now == nil {
		return time.Time{}, newError("U2001", c.pos, name, Undefined)
	}
	if !ev.nowSet {
		ev.nowValue = ev.now()
		ev.nowSet = true
	}
	return ev.nowValue, nil
}

func fnNow(ev *evaluator, c *callCtx, args []any) (any, error) {
	t, err := ev.nowTime(c, "now")
	if err != nil {
		return nil, err
	}
	pic, _ := arg(args, 0).(string)
	tz, _ := arg(args, 1).(string)
	return fromMillis(float64(t.UnixMilli()), pic, tz)
}

func fnMillis(ev *evaluator, c *callCtx, args []any) (any, error) {
	t, err := ev.nowTime(c, "millis")
	if err != nil {
		return nil, err
	}
	return float64(t.UnixMilli()), nil
}

var isoTimestamp = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$`)

// parseISO parses an ISO 8601 timestamp to milliseconds.
func parseISO(s string) (float64, bool) {
	m := isoTimestamp.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	num := func(i, def int) int {
		if m[i] == "" {
			return def
		}
		n, _ := strconv.Atoi(m[i])
		return n
	}
	ms := 0
	if m[7] != "" {
		frac := (m[7] + "000")[:3]
		ms, _ = strconv.Atoi(frac)
	}
	t := time.Date(num(1, 0), time.Month(num(2, 1)), num(3, 1), num(4, 0), num(5, 0), num(6, 0), ms*1e6, time.UTC)
	if m[8] != "" && m[8] != "Z" {
		off, ok := parseOffset(m[8])
		if !ok {
			return 0, false
		}
		t = t.Add(-time.Duration(off) * time.Minute)
	}
	return float64(t.UnixMilli()), true
}

func fnToMillis(ev *evaluator, c *callCtx, args []any) (any, error) {
	s, ok := arg(args, 0).(string)
	if !ok {
		return Undefined, nil
	}
	pic, ok := arg(args, 1).(string)
	if !ok {
		ms, ok := parseISO(s)
		if !ok {
			return nil, newError("D3110", c.pos, "toMillis", s)
		}
		return ms, nil
	}
	return ev.parseDate(c, s, pic)
}
