package schedule

import (
	"strings"
	"time"
)

// daySpec is the day fields: exactly one of day-of-month and day-of-week
// is ? ("Cron expressions": "You can't specify the Day-of-month and
// Day-of-week fields in the same cron expression").
type daySpec struct {
	byWeek bool // day-of-month is ?: the days are day-of-week's

	// day-of-month
	dom         uint64 // bit d
	lastDay     bool   // L: the month's last day
	lastWeekday bool   // LW: the month's last weekday
	nearest     int    // 15W: the weekday nearest the 15th, in the month; 0 for none

	// day-of-week (time.Weekday values: Sunday is 0, AWS's 1)
	dow     uint64       // bit weekday
	lastDow time.Weekday // 6L: the month's last Friday; valid when hasLast
	hasLast bool
	nthDow  time.Weekday // 3#2: the month's second Tuesday; valid when nth > 0
	nth     int
}

func parseDays(dom, dow string) (daySpec, error) {
	var d daySpec
	switch {
	case dom == "?" && dow == "?", dom != "?" && dow != "?":
		return d, invalid()
	case dom == "?":
		d.byWeek = true
		return d, d.parseDow(dow)
	default:
		return d, d.parseDom(dom)
	}
}

func (d *daySpec) parseDom(s string) error {
	switch {
	case s == "L":
		d.lastDay = true
		return nil
	case s == "LW":
		d.lastWeekday = true
		return nil
	case strings.HasSuffix(s, "W"):
		// W names one day: "15W"; lists and ranges of it are refused.
		v, err := domField.value(s[:len(s)-1])
		if err != nil {
			return err
		}
		d.nearest = v
		return nil
	}
	var err error
	d.dom, err = domField.bits(s)
	return err
}

func (d *daySpec) parseDow(s string) error {
	switch {
	case s == "L":
		// L alone is the week's last day, Saturday.
		d.dow = 1 << time.Saturday
		return nil
	case strings.HasSuffix(s, "L"):
		v, err := dowField.value(s[:len(s)-1])
		if err != nil {
			return err
		}
		d.lastDow, d.hasLast = time.Weekday(v-1), true
		return nil
	case strings.Contains(s, "#"):
		i := strings.IndexByte(s, '#')
		v, err := dowField.value(s[:i])
		if err != nil {
			return err
		}
		n, err := number(s[i+1:])
		if err != nil || n < 1 || n > 5 {
			return invalid()
		}
		d.nthDow, d.nth = time.Weekday(v-1), n
		return nil
	}
	return dowField.each(s, func(v int) { d.dow |= 1 << (v - 1) })
}

// daysIn is the number of days of month in year.
func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekday is the weekday of year-month-day.
func weekday(year int, month time.Month, day int) time.Weekday {
	return time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Weekday()
}

// nearestWeekday is the weekday nearest day in the month, never leaving
// it: Saturday the 1st gives Monday the 3rd, Sunday the last gives Friday.
func nearestWeekday(year int, month time.Month, day int) int {
	n := daysIn(year, month)
	if day > n {
		return 0 // 31W in a 30-day month names no day
	}
	switch weekday(year, month, day) {
	case time.Saturday:
		if day == 1 {
			return 3
		}
		return day - 1
	case time.Sunday:
		if day == n {
			return day - 2
		}
		return day + 1
	}
	return day
}

// first is the first day >= from in year-month that the spec names, or 0.
func (d *daySpec) first(year int, month time.Month, from int) int {
	n := daysIn(year, month)
	one := func(day int) int { // a spec that names at most one day
		if day >= from && day <= n && day > 0 {
			return day
		}
		return 0
	}
	switch {
	case !d.byWeek && d.lastDay:
		return one(n)
	case !d.byWeek && d.lastWeekday:
		return one(nearestWeekday(year, month, n))
	case !d.byWeek && d.nearest > 0:
		return one(nearestWeekday(year, month, d.nearest))
	case !d.byWeek:
		for day := from; day <= n; day++ {
			if d.dom&(1<<day) != 0 {
				return day
			}
		}
		return 0
	case d.hasLast:
		last := n - (int(weekday(year, month, n))-int(d.lastDow)+7)%7
		return one(last)
	case d.nth > 0:
		firstOf := 1 + (int(d.nthDow)-int(weekday(year, month, 1))+7)%7
		return one(firstOf + 7*(d.nth-1))
	}
	wd := weekday(year, month, from)
	for day := from; day <= n; day++ {
		if d.dow&(1<<wd) != 0 {
			return day
		}
		wd = (wd + 1) % 7
	}
	return 0
}
