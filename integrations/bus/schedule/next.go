package schedule

import (
	"math/bits"
	"time"
)

// next is the first minute strictly after after that the cron names. It
// skips by field (year, month, day, hour, minute) rather than scanning
// minutes: every step either lands on a match of that field or moves to
// the next value of a coarser one, so a search ends within a few thousand
// steps even for an expression that never fires (cron(0 0 30 2 ? *) walks
// 230 years x 12 months once).
func (c *cron) next(after time.Time) time.Time {
	t := after.UTC().Truncate(time.Minute).Add(time.Minute)
	year, month, day := t.Date()
	hour, minute := t.Hour(), t.Minute()
	for year <= maxYear {
		if year < minYear || !c.hasYear(year) {
			year = c.nextYear(year + 1)
			if year == 0 {
				return time.Time{}
			}
			month, day, hour, minute = 1, 1, 0, 0
		}
		m := nextBit(c.months, int(month))
		if m < 0 {
			year, month, day, hour, minute = year+1, 1, 1, 0, 0
			continue
		}
		if time.Month(m) != month {
			month, day, hour, minute = time.Month(m), 1, 0, 0
		}
		d := c.days.first(year, month, day)
		if d == 0 {
			month, day, hour, minute = month+1, 1, 0, 0
			if month > 12 {
				year, month = year+1, 1
			}
			continue
		}
		if d != day {
			day, hour, minute = d, 0, 0
		}
		h := nextBit(c.hours, hour)
		if h < 0 {
			day, hour, minute = day+1, 0, 0
			if day > daysIn(year, month) {
				month, day = month+1, 1
				if month > 12 {
					year, month = year+1, 1
				}
			}
			continue
		}
		if h != hour {
			hour, minute = h, 0
		}
		mi := nextBit(c.minutes, minute)
		if mi < 0 {
			hour, minute = hour+1, 0
			if hour > 23 {
				day, hour = day+1, 0
				if day > daysIn(year, month) {
					month, day = month+1, 1
					if month > 12 {
						year, month = year+1, 1
					}
				}
			}
			continue
		}
		return time.Date(year, month, day, hour, mi, 0, 0, time.UTC)
	}
	return time.Time{}
}

// nextBit is the lowest set bit >= from in b, or -1.
func nextBit(b uint64, from int) int {
	if from >= 64 {
		return -1
	}
	b &= ^uint64(0) << from
	if b == 0 {
		return -1
	}
	return bits.TrailingZeros64(b)
}

func (c *cron) hasYear(y int) bool {
	i := y - minYear
	return i >= 0 && y <= maxYear && c.years[i/64]&(1<<(i%64)) != 0
}

// nextYear is the first year >= from the cron names, or 0.
func (c *cron) nextYear(from int) int {
	if from < minYear {
		from = minYear
	}
	for y := from; y <= maxYear; y++ {
		if c.hasYear(y) {
			return y
		}
	}
	return 0
}

// matches reports whether the cron names t's minute (t in UTC).
func (c *cron) matches(t time.Time) bool {
	t = t.UTC()
	y, m, d := t.Date()
	return c.hasYear(y) && c.months&(1<<m) != 0 && c.days.first(y, m, d) == d &&
		c.hours&(1<<t.Hour()) != 0 && c.minutes&(1<<t.Minute()) != 0
}
