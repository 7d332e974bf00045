package bucket

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// csvReader reads delimited text as Step Functions' Distributed Map parses
// it ("How Step Functions parses input CSV files"):
//
//   - the delimiter separates fields, a newline (LF or CRLF) records;
//   - a field that starts with a double quote is quoted: it may hold the
//     delimiter and newlines, and "" inside it is one double quote;
//   - "" inside an unquoted field is one double quote too (AWS's example
//     {""MyKey"":""MyValue""} reads as {"MyKey":"MyValue"}); a lone quote
//     inside an unquoted field is kept;
//   - a backslash escapes a backslash, a double quote or the delimiter; a
//     backslash before any other character is dropped;
//   - every field is a string; an empty line is no record.
//
// It reads one record at a time, so a file of any size streams.
type csvReader struct {
	r     *bufio.Reader
	delim byte
	line  int // the line the record being read started on (1-based)
	next  int // the line the next record starts on
	field []byte
	rec   []string
	n     int // bytes of the last record
}

func newCSVReader(r io.Reader, delim byte) *csvReader {
	return &csvReader{r: bufio.NewReaderSize(r, 64<<10), delim: delim, next: 1}
}

// errUnterminated is a quoted field the input ends in.
var errUnterminated = errors.New("a quoted field is not closed before the end of the file")

// Read returns the next record, or io.EOF after the last. The slice is
// reused by the next call.
func (c *csvReader) Read() ([]string, error) {
	for {
		rec, empty, err := c.record()
		if err != nil {
			return nil, err
		}
		if !empty {
			return rec, nil
		}
	}
}

// record reads one line's record; empty reports a line with nothing on it.
func (c *csvReader) record() (rec []string, empty bool, err error) {
	c.line = c.next
	c.rec = c.rec[:0]
	c.field = c.field[:0]
	c.n = 0
	quoted := false   // inside a quoted section
	started := false  // the field has had a character (a quote counts)
	anything := false // the record has had a character
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			if quoted {
				return nil, false, fmt.Errorf("line %d: %w", c.line, errUnterminated)
			}
			if !anything {
				return nil, false, io.EOF
			}
			c.endField()
			return c.rec, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		c.n++
		switch {
		case b == '\\':
			anything, started = true, true
			n, err := c.r.ReadByte()
			if err != nil { // a backslash ending the input: dropped
				continue
			}
			if n == '\\' || n == '"' || n == c.delim {
				c.n++
				c.field = append(c.field, n)
				continue
			}
			_ = c.r.UnreadByte() // dropped; the character is read as itself
		case b == '"':
			anything = true
			if !started && !quoted {
				quoted, started = true, true
				continue
			}
			if p, err := c.r.Peek(1); err == nil && p[0] == '"' {
				c.r.ReadByte()
				c.n++
				c.field = append(c.field, '"')
				continue
			}
			if quoted {
				quoted = false
				continue
			}
			c.field = append(c.field, '"')
		case quoted:
			if b == '\n' {
				c.next++
			}
			c.field = append(c.field, b)
		case b == c.delim:
			anything = true
			c.endField()
			started = false
		case b == '\n':
			c.next++
			if !anything {
				return nil, true, nil
			}
			c.endField()
			return c.rec, false, nil
		case b == '\r':
			if p, err := c.r.Peek(1); err == nil && p[0] == '\n' {
				continue // CRLF: the LF ends the record
			}
			anything, started = true, true
			c.field = append(c.field, b)
		default:
			anything, started = true, true
			c.field = append(c.field, b)
		}
	}
}

func (c *csvReader) endField() {
	c.rec = append(c.rec, string(c.field))
	c.field = c.field[:0]
}
