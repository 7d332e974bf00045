package gateway

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AWS Signature Version 4, checked on the AWS-protocol endpoints when
// Options.Credentials holds access keys: the Authorization header's
// signature must be the one the key's secret gives over the request's
// canonical form (method, path, query, signed headers, body hash).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	sigV4Service   = "states"
	sigV4TimeFmt   = "20060102T150405Z"
	// sigV4MaxSkew is how far a request's date may be from the server's
	// clock, either way.
	sigV4MaxSkew = 15 * time.Minute
)

// sigV4Auth is a parsed Authorization header.
type sigV4Auth struct {
	AccessKey     string
	Date          string // yyyymmdd, from the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

func (a sigV4Auth) scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/aws4_request"
}

// verifySigV4 checks the request's signature against the secrets of
// credentials (access key id → secret), for region, at now. The errors
// are AWS's: MissingAuthenticationTokenException (no signature),
// IncompleteSignatureException (a malformed one),
// UnrecognizedClientException (an unknown key), InvalidSignatureException
// (a wrong signature, scope or date).
//
// services are the signing services accepted (default "states"): the
// management API and user routes also take "execute-api", API Gateway's.
func verifySigV4(r *http.Request, body []byte, credentials map[string]string, region string, now time.Time, services ...string) error {
	if len(services) == 0 {
		services = []string{sigV4Service}
	}
	header := r.Header.Get("Authorization")
	if header == "" {
		if presigned(r) {
			return errorf(excMissingAuthToken, "Missing Authentication Token: %s", presignedNotSupported)
		}
		return errorf(excMissingAuthToken, "Missing Authentication Token")
	}
	auth, err := parseSigV4Auth(header)
	if err != nil {
		return err
	}
	secret, ok := credentials[auth.AccessKey]
	if !ok {
		return errorf(excUnrecognizedClient, "The security token included in the request is invalid.")
	}
	if !slices.Contains(auth.SignedHeaders, "host") {
		return errorf(excIncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	dateHeader := "x-amz-date"
	if amzDate == "" {
		amzDate, dateHeader = r.Header.Get("Date"), "date"
	}
	if amzDate == "" {
		return errorf(excIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=%s", header)
	}
	if !slices.Contains(auth.SignedHeaders, dateHeader) {
		return errorf(excIncompleteSignature, "'%s' must be a 'SignedHeader' in the AWS Authorization.", dateHeader)
	}
	// The action must be covered by the signature: otherwise a signed
	// request could be replayed as another action.
	if r.Header.Get("X-Amz-Target") != "" && !slices.Contains(auth.SignedHeaders, "x-amz-target") {
		return errorf(excIncompleteSignature, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
	}
	signedAt, err := time.Parse(sigV4TimeFmt, amzDate)
	if err != nil {
		if signedAt, err = http.ParseTime(amzDate); err != nil {
			return errorf(excIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'.", amzDate)
		}
	}
	switch {
	case !slices.Contains(services, auth.Service):
		return errorf(excInvalidSignature, "Credential should be scoped to correct service: '%s'.", services[0])
	case auth.Region != region:
		return errorf(excInvalidSignature, "Credential should be scoped to a valid region. ")
	case auth.Date != signedAt.UTC().Format("20060102"):
		return errorf(excInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			auth.Date, signedAt.UTC().Format("20060102"), amzDate)
	case signedAt.Before(now.Add(-sigV4MaxSkew)):
		return errorf(excInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signedAt.UTC().Format(sigV4TimeFmt), now.Add(-sigV4MaxSkew).UTC().Format(sigV4TimeFmt), now.UTC().Format(sigV4TimeFmt))
	case signedAt.After(now.Add(sigV4MaxSkew)):
		return errorf(excInvalidSignature, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signedAt.UTC().Format(sigV4TimeFmt), now.Add(sigV4MaxSkew).UTC().Format(sigV4TimeFmt), now.UTC().Format(sigV4TimeFmt))
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return errorf(excInvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	canonical := canonicalRequest(r, auth.SignedHeaders, payloadHash)
	crSum := sha256.Sum256([]byte(canonical))
	toSign := sigV4Algorithm + "\n" + amzDate + "\n" + auth.scope() + "\n" + hex.EncodeToString(crSum[:])
	key := hmacSHA256([]byte("AWS4"+secret), auth.Date)
	key = hmacSHA256(key, auth.Region)
	key = hmacSHA256(key, auth.Service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(auth.Signature))) {
		return errorf(excInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

// presignedNotSupported says that a signature in the query string (a
// presigned URL, X-Amz-Signature) is not checked: it is refused, not
// ignored.
const presignedNotSupported = "signatures in the query string (presigned URLs) are not supported; sign the Authorization header"

// presigned reports whether r carries a query-string signature.
func presigned(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("X-Amz-Signature") || q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential")
}

// parseSigV4Auth parses
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b;c, Signature=hex".
func parseSigV4Auth(header string) (sigV4Auth, error) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	if algorithm != sigV4Algorithm {
		return sigV4Auth{}, errorf(excIncompleteSignature, "Unsupported AWS 'algorithm': '%s'. Only %s is supported.", algorithm, sigV4Algorithm)
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok {
			fields[k] = v
		}
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[k] == "" {
			return sigV4Auth{}, errorf(excIncompleteSignature, "Authorization header requires '%s' parameter. Authorization=%s", k, header)
		}
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[0] == "" || cred[4] != "aws4_request" {
		return sigV4Auth{}, errorf(excIncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", fields["Credential"])
	}
	signed := strings.Split(strings.ToLower(fields["SignedHeaders"]), ";")
	return sigV4Auth{
		AccessKey: cred[0], Date: cred[1], Region: cred[2], Service: cred[3],
		SignedHeaders: signed, Signature: fields["Signature"],
	}, nil
}

// canonicalRequest is SigV4's canonical form of r.
func canonicalRequest(r *http.Request, signedHeaders []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	// Every service but S3 escapes the already escaped path once more.
	b.WriteString(escapePath(path))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r.URL.Query()))
	b.WriteByte('\n')
	for _, h := range signedHeaders {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalHeaderValue is a header's values, trimmed, inner runs of
// spaces collapsed, joined by commas. Go keeps Host and Content-Length
// apart from the header map.
func canonicalHeaderValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values("Content-Length")
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	default:
		values = r.Header.Values(name)
	}
	for i, v := range values {
		values[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(values, ",")
}

func canonicalQuery(q url.Values) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, pair{uriEncode(k, true), uriEncode(v, true)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func escapePath(p string) string { return uriEncode(p, false) }

// uriEncode percent-encodes every byte but the unreserved characters
// (and '/' unless encodeSlash), as SigV4 asks.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
