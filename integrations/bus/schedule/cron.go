package schedule

import (
	"strconv"
	"strings"
)

// cron is cron(minutes hours day-of-month month day-of-week year) in UTC,
// AWS's six fields ("Schedule expressions for rules", "Cron expressions"):
//
//	minutes 0-59, hours 0-23, month 1-12 or JAN-DEC, year 1970-2199:  , - * /
//	day-of-month 1-31:  , - * / ? L W (15W, LW)
//	day-of-week 1-7 or SUN-SAT (1 is Sunday):  , - * ? L (6L) # (3#2)
//
// Exactly one of day-of-month and day-of-week is ?: "If you specify a value
// or a * (asterisk) in one of the fields, you must use a ? (question mark)
// in the other."
type cron struct {
	minutes uint64    // bit m
	hours   uint64    // bit h
	months  uint64    // bit m (1-12)
	years   [4]uint64 // bit y-minYear
	days    daySpec
}

const (
	minYear = 1970
	maxYear = 2199
)

// field is one cron field's range and names.
type field struct {
	min, max int
	names    []string // names[i] is min+i
}

var (
	minuteField = field{min: 0, max: 59}
	hourField   = field{min: 0, max: 23}
	domField    = field{min: 1, max: 31}
	monthField  = field{min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}}
	dowField    = field{min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}}
	yearField   = field{min: minYear, max: maxYear}
)

func parseCron(body string) (*cron, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, invalid()
	}
	c := &cron{}
	var err error
	if c.minutes, err = minuteField.bits(f[0]); err != nil {
		return nil, err
	}
	if c.hours, err = hourField.bits(f[1]); err != nil {
		return nil, err
	}
	if c.months, err = monthField.bits(f[3]); err != nil {
		return nil, err
	}
	if c.days, err = parseDays(f[2], f[4]); err != nil {
		return nil, err
	}
	if err := yearField.each(f[5], func(y int) { c.years[(y-minYear)/64] |= 1 << ((y - minYear) % 64) }); err != nil {
		return nil, err
	}
	return c, nil
}

// bits parses a field of at most 64 values into a bit set.
func (fd field) bits(s string) (uint64, error) {
	var b uint64
	err := fd.each(s, func(v int) { b |= 1 << v })
	return b, err
}

// each calls set for every value a plain field (lists of *, values,
// ranges and increments) names.
func (fd field) each(s string, set func(int)) error {
	for _, part := range strings.Split(s, ",") {
		if err := fd.part(part, set); err != nil {
			return err
		}
	}
	return nil
}

// part is one list element: *, v, a-b, */n, v/n or a-b/n. A range whose
// end is below its start wraps around the field (FRI-MON, 22-2), as
// Quartz, whose syntax AWS's is, reads it; a year range may not wrap.
func (fd field) part(s string, set func(int)) error {
	expr, step, stepped := s, 1, false
	if i := strings.IndexByte(s, '/'); i >= 0 {
		n, err := number(s[i+1:])
		if err != nil || n < 1 || n > fd.max-fd.min+1 {
			return invalid()
		}
		expr, step, stepped = s[:i], n, true
	}
	lo, hi := fd.min, fd.max
	switch {
	case expr == "*":
	case strings.IndexByte(expr, '-') > 0:
		i := strings.IndexByte(expr, '-')
		var err error
		if lo, err = fd.value(expr[:i]); err != nil {
			return err
		}
		if hi, err = fd.value(expr[i+1:]); err != nil {
			return err
		}
		if hi < lo && fd.min == minYear {
			return invalid()
		}
	default:
		v, err := fd.value(expr)
		if err != nil {
			return err
		}
		lo = v
		if !stepped {
			hi = v
		}
	}
	span := hi - lo
	if hi < lo {
		span += fd.max - fd.min + 1
	}
	for d := 0; d <= span; d += step {
		v := lo + d
		if v > fd.max {
			v -= fd.max - fd.min + 1
		}
		set(v)
	}
	return nil
}

// value is one number or name of the field.
func (fd field) value(s string) (int, error) {
	for i, n := range fd.names {
		if strings.EqualFold(s, n) {
			return fd.min + i, nil
		}
	}
	v, err := number(s)
	if err != nil || v < fd.min || v > fd.max {
		return 0, invalid()
	}
	return v, nil
}

// number is a short unsigned decimal.
func number(s string) (int, error) {
	if s == "" || len(s) > 4 {
		return 0, invalid()
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, invalid()
		}
	}
	return strconv.Atoi(s)
}
