package conformance

// Check compares got with the case's expectation and returns nil when they
// match, or a *Mismatch describing the first difference.
//
// The status must be equal. Outputs are compared as JSON by value: numbers
// numerically (1 equals 1.0), objects regardless of key order but with the
// same keys, arrays in order. A string holding the JSON text of an object
// or array is compared as JSON when the other side's string parses too.
// When the case has Placeholders, an expected string holding masks matches
// an actual string whose literal parts are equal, each mask standing for a
// non-empty run (see masks); a mask never matches a value of another JSON
// type. Error and cause compare as strings under the same rules; a null
// error or cause is the empty string.
func (c *Case) Check(got Result) error {
	m := &matcher{}
	if c.Placeholders {
		m.masks = newMasks(c.PlaceholderTokens)
	}
	if d := m.result(c.Expected, got); d != nil {
		return d
	}
	return nil
}

// result compares two results field by field.
func (m *matcher) result(exp, got Result) *Mismatch {
	if exp.Status != got.Status {
		d := &Mismatch{Pointer: "/status", Problem: ProblemDiffers, Expected: render(exp.Status), Actual: render(got.Status)}
		if got.Error != "" || got.Cause != "" {
			d.Note = "error " + render(got.Error) + ", cause " + render(got.Cause)
		}
		return d
	}
	expOut := exp.HasOutput || exp.Output != nil
	gotOut := got.HasOutput || got.Output != nil
	switch {
	case expOut && !gotOut:
		return &Mismatch{Pointer: "/output", Problem: ProblemMissing, Expected: render(exp.Output)}
	case !expOut && gotOut:
		return &Mismatch{Pointer: "/output", Problem: ProblemUnexpected, Actual: render(got.Output)}
	case expOut:
		if d := m.equal("/output", exp.Output, got.Output); d != nil {
			return d
		}
	}
	if d := m.text("/error", exp.Error, got.Error); d != nil {
		return d
	}
	return m.text("/cause", exp.Cause, got.Cause)
}

// text compares an error or cause, "" standing for none.
func (m *matcher) text(ptr, exp, got string) *Mismatch {
	switch {
	case exp == "" && got == "":
		return nil
	case got == "":
		return &Mismatch{Pointer: ptr, Problem: ProblemMissing, Expected: render(exp)}
	case exp == "":
		return &Mismatch{Pointer: ptr, Problem: ProblemUnexpected, Actual: render(got)}
	}
	return m.matchStrings(ptr, exp, got)
}
