package conformance

import (
	"regexp"
	"sort"
	"strings"
)

// Masks are how the recordings hide values that change between runs. Two
// kinds occur, found by scanning every case's expectation:
//
//   - inline masks replace part of a string and are written <name> —
//     <uuid:1>, <ArnPart_0idx>, <ExecArnPart_0idx>, <SyncExecArn_Part1_0idx>,
//     <region>, <partition>, <request_id>, <json-input:1>, <LogResult:1>,
//     <headers-date>, <start-date>, <Etag-file_0.txt>, ... — or are the
//     masked account id 111111111111;
//   - whole-value masks replace an entire string with a bare word: "date",
//     "start-date", "RequestId", "X-Amzn-Trace-Id", "RandomNumberGenerated",
//     ... These words also occur as ordinary text ("date" in "ISO-8601
//     date-time"), so they mask only a string that is exactly the word.
//
// A case lists the masks it uses in placeholder_tokens; the inventory
// below and the <name> shape cover cases recorded with masks not listed.

// accountIDs are masked AWS account ids, inline masks.
var accountIDs = []string{"111111111111"}

// wholeValueMasks are the bare words seen replacing a whole value.
var wholeValueMasks = []string{
	"RandomNumberGenerated",
	"RequestId",
	"X-Amzn-Trace-Id",
	"x-amzn-RequestId",
	"LogResult",
	"a_task_token",
	"date",
	"entered-time",
	"execution-arn",
	"lambda_function_name",
	"sfn_role_arn",
	"snf_role_arn",
	"someNonexistentBucketName",
	"sqs_queue_url",
	"start-date",
	"start-time",
	"state-machine-arn",
	"stop-date",
}

// maskShape is the shape of an inline mask: <name>, the name starting
// with a letter and made of letters, digits and "_-.:".
const maskShape = `<[A-Za-z][A-Za-z0-9_.:\-]*>`

// masks matches masked expected strings against actual ones.
type masks struct {
	whole  map[string]bool // whole-value masks
	inline *regexp.Regexp  // finds inline masks in an expected string
}

// newMasks returns the masks of a case whose placeholder_tokens are tokens.
func newMasks(tokens []string) *masks {
	m := &masks{whole: make(map[string]bool)}
	for _, w := range wholeValueMasks {
		m.whole[w] = true
	}
	inline := append([]string(nil), accountIDs...)
	for _, t := range tokens {
		switch {
		case t == "":
		case isInline(t):
			inline = append(inline, t)
		default:
			m.whole[t] = true
		}
	}
	// Longest first, so that a listed mask wins over a shorter one it
	// contains.
	sort.Slice(inline, func(i, j int) bool { return len(inline[i]) > len(inline[j]) })
	alts := make([]string, 0, len(inline)+1)
	for _, t := range inline {
		alts = append(alts, regexp.QuoteMeta(t))
	}
	alts = append(alts, maskShape)
	m.inline = regexp.MustCompile(strings.Join(alts, "|"))
	return m
}

// isInline reports whether a listed token masks part of a string: it is
// written <name> or is an all-digit account id.
func isInline(t string) bool {
	if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") {
		return true
	}
	return strings.Trim(t, "0123456789") == "" && len(t) == 12
}

// match reports whether got matches the masked expected string exp: exp
// is a whole-value mask and got is not empty, or the literal parts of exp
// match got and each inline mask matches a non-empty run of got.
func (m *masks) match(exp, got string) bool {
	if m.whole[exp] {
		return got != ""
	}
	locs := m.inline.FindAllStringIndex(exp, -1)
	if len(locs) == 0 {
		return false
	}
	var pattern strings.Builder
	pattern.WriteString(`^`)
	last := 0
	for _, loc := range locs {
		pattern.WriteString(regexp.QuoteMeta(exp[last:loc[0]]))
		pattern.WriteString(`(?s:.+)`)
		last = loc[1]
	}
	pattern.WriteString(regexp.QuoteMeta(exp[last:]))
	pattern.WriteString(`$`)
	re, err := regexp.Compile(pattern.String())
	return err == nil && re.MatchString(got)
}
