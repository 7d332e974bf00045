package store

import (
	"fmt"
	"strconv"
	"strings"
)

// fieldMeta holds, in one field of the execution hash, the fields an
// execution never changes after its start (metaFields), packed: each
// value as "<length>:<bytes>", in metaFields' order, trailing empty values
// left out. A field of a hash costs Redis more than its bytes: the
// listpack's lookup of the field, the script's argument, the AOF's
// framing. Measured on the create script of a pass5 start replayed alone
// (valgrind's callgrind on redis-server 7, appendfsync everysec: its
// instructions, which the machine's load does not move): the seven fields
// apart 242,600 instructions a create, packed in one 204,500.
// Executions written before this field existed hold the fields apart;
// ExecutionGet reads either.
const fieldMeta = "m"

// metaFields are the fields fieldMeta packs, in their order there. New
// fields go at the end.
var metaFields = [...]string{
	fieldARN, fieldName, fieldDefinition, fieldStart, fieldTrace, fieldSpan, fieldRole,
	fieldTestCase, fieldHeader, fieldTraceState, fieldBaggage,
	fieldParent, fieldParentToken, fieldParentMode,
}

// packMeta packs values, given in metaFields' order (fewer: the rest
// empty).
func packMeta(values ...string) string {
	for len(values) > 0 && values[len(values)-1] == "" {
		values = values[:len(values)-1]
	}
	n := 0
	for _, v := range values {
		n += len(v) + 4
	}
	var b strings.Builder
	b.Grow(n)
	for _, v := range values {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// unpackMeta sets h's fields from a packed fieldMeta.
func unpackMeta(s string, h map[string]string) error {
	for i := 0; s != ""; i++ {
		if i == len(metaFields) {
			return fmt.Errorf("field %s: more than %d values", fieldMeta, len(metaFields))
		}
		l, rest, ok := strings.Cut(s, ":")
		n, err := strconv.Atoi(l)
		if !ok || err != nil || n < 0 || n > len(rest) {
			return fmt.Errorf("field %s: value %d: bad length %q", fieldMeta, i, l)
		}
		h[metaFields[i]] = rest[:n]
		s = rest[n:]
	}
	return nil
}
