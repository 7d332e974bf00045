package queue

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/signalbox/signalbox/integrations"
)

// payload is a message as the store keeps it (JSON in the messages hash):
// everything a receive returns that never changes.
type payload struct {
	Body      string                      `json:"b"`
	Attrs     map[string]MessageAttribute `json:"a,omitempty"`
	Sys       map[string]MessageAttribute `json:"s,omitempty"`
	MD5Body   string                      `json:"mb"`
	Sent      int64                       `json:"t"` // unix ms
	Sender    string                      `json:"u,omitempty"`
	Group     string                      `json:"g,omitempty"`
	Dedup     string                      `json:"d,omitempty"`
	SourceARN string                      `json:"q,omitempty"` // DeadLetterQueueSourceArn
}

// maxAttributes is the most message attributes a message carries.
const maxAttributes = 10

// validChar reports whether r is in the set AWS allows in a message:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// checkChars returns the first character of s not allowed, if any.
func checkChars(s string) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, false
			}
		}
		if !validChar(r) {
			return r, false
		}
	}
	return 0, true
}

func errInvalidChars(r rune, where string) *Error {
	return errorf("InvalidMessageContents", "Invalid binary character '#x%X' was found in the %s, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r, where)
}

// attrNameRE: alphanumeric, hyphen, underscore, period; AWS also forbids
// a leading or trailing period, two periods in a row and the prefixes
// "AWS." and "Amazon." (checked apart).
var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// checkAttrName validates a message attribute's name.
func checkAttrName(n string) *Error {
	low := strings.ToLower(n)
	if !attrNameRE.MatchString(n) || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".") || strings.Contains(n, "..") ||
		strings.HasPrefix(low, "aws.") || strings.HasPrefix(low, "amazon.") {
		return errInvalidValue("Message (user) attribute name '%s' is invalid. Attribute names can contain only alphanumeric characters, hyphens, underscores and periods, cannot start or end with a period, cannot have consecutive periods and cannot start with AWS. or Amazon.", clip(n, 64))
	}
	return nil
}

// baseType returns a data type's base (String, Number, Binary), or "" when
// the type is not one of them with an optional custom part.
func baseType(t string) string {
	base, custom, dotted := strings.Cut(t, ".")
	if len(t) > 256 || (dotted && (custom == "" || !attrNameRE.MatchString(custom))) {
		return ""
	}
	switch base {
	case "String", "Number", "Binary":
		return base
	}
	return ""
}

// maxNumber bounds a Number attribute: AWS takes up to 38 significant
// digits, from -10^128 to 10^126.
var (
	numberRE  = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	maxNumber = bigNumber("1e126")
	minNumber = bigNumber("-1e128")
)

func bigNumber(s string) *big.Float {
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	return f
}

// checkNumber validates a Number attribute's value.
func checkNumber(v string) bool {
	if len(v) > 256 || !numberRE.MatchString(v) {
		return false
	}
	f, _, err := big.ParseFloat(v, 10, 256, big.ToNearestEven)
	return err == nil && f.Cmp(maxNumber) <= 0 && f.Cmp(minNumber) >= 0 && significant(v) <= 38
}

// significant counts a decimal number's significant digits.
func significant(v string) int {
	mant := strings.TrimLeft(v, "+-")
	if i := strings.IndexAny(mant, "eE"); i >= 0 {
		mant = mant[:i]
	}
	digits := strings.ReplaceAll(mant, ".", "")
	digits = strings.TrimLeft(digits, "0")
	if strings.Contains(mant, ".") {
		digits = strings.TrimRight(digits, "0")
	}
	return len(digits)
}

// checkAttribute validates one message attribute, user (what "user") or
// system.
func checkAttribute(name string, a MessageAttribute, what string) *Error {
	switch baseType(a.DataType) {
	case "String":
		if a.StringValue == "" {
			return errInvalidValue("Message (%s) attribute '%s' must contain a non-empty value of type 'String'.", what, name)
		}
		if r, ok := checkChars(a.StringValue); !ok {
			return errInvalidChars(r, "message attribute "+name)
		}
	case "Number":
		if !checkNumber(a.StringValue) {
			return errInvalidValue("Can't cast the value of message (%s) attribute '%s' to a number.", what, name)
		}
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return errInvalidValue("Message (%s) attribute '%s' must contain a non-empty value of type 'Binary'.", what, name)
		}
	default:
		return errInvalidValue("The type of message (%s) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", what, name)
	}
	return nil
}

// attrsSize is what attributes count toward the message size: each name,
// data type and value.
func attrsSize(attrs map[string]MessageAttribute) int {
	n := 0
	for k, a := range attrs {
		n += len(k) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// md5Hex is the hex MD5 of b.
func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// md5OfAttributes is AWS's MD5 of message attributes: over the attributes
// sorted by name, each encoded as its name, its data type (each a 4-byte
// big-endian length and the bytes), a transport byte (1 for String and
// Number, 2 for Binary) and its value (length-prefixed too). "" for none.
func md5OfAttributes(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	h := md5.New()
	put := func(b []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		put([]byte(name))
		put([]byte(a.DataType))
		if baseType(a.DataType) == "Binary" {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// contentDedupID is content-based deduplication's id: the SHA-256 of the
// body, hex.
func contentDedupID(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

// newUUID returns a random (version 4) UUID.
func newUUID() string { return integrations.NewUUID() }

// groupIDRE: a MessageGroupId or MessageDeduplicationId, 1 to 128
// alphanumeric or punctuation characters.
var groupIDRE = regexp.MustCompile("^[A-Za-z0-9!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]{1,128}$")
