package choice

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseTimestampValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want string // the same instant, in Go's RFC 3339 with nanoseconds
	}{
		{"2016-08-18T17:33:00Z", "2016-08-18T17:33:00Z"},
		{"2012-10-09T19:00:55+01:00", "2012-10-09T18:00:55Z"},
		{"2012-10-09T19:00:55-05:30", "2012-10-10T00:30:55Z"},
		{"2012-10-09T19:00:55.5Z", "2012-10-09T19:00:55.5Z"},
		{"2012-10-09T19:00:55.123456789Z", "2012-10-09T19:00:55.123456789Z"},
		{"2012-10-09T19:00Z", "2012-10-09T19:00:00Z"},
		{"2012-10-09t19:00:55z", "2012-10-09T19:00:55Z"},
		{"2012-10-09T19:00:55+01", "2012-10-09T18:00:55Z"},
		{"2012-10-09T19:00:55+01:00:30", "2012-10-09T18:00:25Z"},
		{"2012-10-09T19:00:55-00:00", "2012-10-09T19:00:55Z"},
		{"2012-10-09T19:00:55+18:00", "2012-10-09T01:00:55Z"},
		{"2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"},
		{"2000-02-29T23:59:59Z", "2000-02-29T23:59:59Z"},
		{"1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"},
		{"0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		got, ok := parseTimestamp(tt.src)
		require.True(t, ok, tt.src)
		want, err := time.Parse(time.RFC3339Nano, tt.want)
		require.NoError(t, err)
		require.Equal(t, instant{sec: want.Unix(), nsec: int32(want.Nanosecond())}, got, tt.src)
	}
}

func TestParseTimestampInvalid(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		"",
		"2012-10-09",
		"2012-10-09T19:00:55",             // no offset
		"2012-10-09 19:00:55Z",            // space separator
		"05-12-2016T21:29:29Z",            // day first
		"2016-13-05T21:29:29Z",            // month 13
		"2016-12-05T25:29:29Z",            // hour 25
		"2016-12-05T24:00:00Z",            // hour 24
		"2016-12-05T21:60:00Z",            // minute 60
		"2016-12-05T21:29:60Z",            // leap second
		"2023-02-29T00:00:00Z",            // not a leap year
		"1900-02-29T00:00:00Z",            // not a leap year either
		"2016-04-31T00:00:00Z",            // April has 30 days
		"2016-00-10T00:00:00Z",            // month 0
		"2016-01-00T00:00:00Z",            // day 0
		"2016-1-05T21:29:29Z",             // one-digit month
		"2016-12-05T21:29:29.Z",           // empty fraction
		"2016-12-05T21:29:29.1234567891Z", // ten fraction digits
		"2016-12-05T21:29.5Z",             // fraction without seconds
		"2016-12-05T21:29:29+19:00",
		"2016-12-05T21:29:29+18:01",
		"2016-12-05T21:29:29+0100", // offset without colon
		"2016-12-05T21:29:29+1",
		"2016-12-05T21:29:29ZZ",
		"2016-12-05T21:29:29Z ",
		" 2016-12-05T21:29:29Z",
		"+2016-12-05T21:29:29Z", // '+' only for years past 9999
		"20160-12-05T21:29:29Z", // five digits need a sign
		"2016-12-05X21:29:29Z",
		"２016-12-05T21:29:29Z",
	} {
		_, ok := parseTimestamp(src)
		require.False(t, ok, src)
	}
}

func TestParseTimestampExtendedYears(t *testing.T) {
	t.Parallel()
	a, ok := parseTimestamp("+10000-01-01T00:00:00Z")
	require.True(t, ok)
	b, ok := parseTimestamp("9999-12-31T23:59:59Z")
	require.True(t, ok)
	require.Equal(t, int64(1), a.sec-b.sec)

	c, ok := parseTimestamp("-0001-12-31T23:59:59Z")
	require.True(t, ok)
	d, ok := parseTimestamp("0000-01-01T00:00:00Z")
	require.True(t, ok)
	require.Equal(t, int64(1), d.sec-c.sec)

	_, ok = parseTimestamp("0000-02-29T00:00:00Z") // year 0 is a leap year
	require.True(t, ok)
	_, ok = parseTimestamp("-0001-02-29T00:00:00Z")
	require.False(t, ok)
	_, ok = parseTimestamp("-0004-02-29T00:00:00Z")
	require.True(t, ok)
}

func TestDaysFromCivil(t *testing.T) {
	t.Parallel()
	for y := -1000; y <= 3000; y += 7 {
		for m := 1; m <= 12; m++ {
			for _, d := range []int{1, 28} {
				// Midnights are whole days from the epoch, so the division is exact.
				want := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
				require.Equal(t, want, daysFromCivil(int64(y), m, d), "%d-%d-%d", y, m, d)
			}
		}
	}
}

func TestCompareInstants(t *testing.T) {
	t.Parallel()
	require.Equal(t, -1, compareInstants(instant{1, 5}, instant{1, 6}))
	require.Equal(t, 1, compareInstants(instant{2, 0}, instant{1, 999999999}))
	require.Equal(t, 0, compareInstants(instant{-3, 7}, instant{-3, 7}))
}
