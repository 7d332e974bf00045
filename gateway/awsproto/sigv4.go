package awsproto

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// AWS Signature Version 4, checked on the endpoints when credentials are
// configured: the Authorization header's signature must be the one the
// key's secret gives over the request's canonical form (method, path,
// query, signed headers, body hash).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//
// The signature a request should carry is computed by the SDK's own
// signer (aws-sdk-go-v2/aws/signer/v4) over a copy of the request that
// holds only the headers the caller signed, and compared in constant
// time: the canonical form is the SDK's, not a second implementation of
// it (which took 250 lines here). What Verifier checks by hand is what the
// signer cannot tell: the header's syntax, the scope, the clock and which
// headers must be signed.

const (
	// Algorithm is the only signing algorithm accepted.
	Algorithm = "AWS4-HMAC-SHA256"
	// MaxSkew is how far a request's date may be from the server's
	// clock, either way.
	MaxSkew = 15 * time.Minute
	timeFmt = "20060102T150405Z"
)

// Verifier checks requests' signatures.
type Verifier struct {
	// Credentials are the access keys (access key id → secret).
	Credentials map[string]string
	// Region is the region a signature's scope must name.
	Region string
	// Services are the signing services accepted; the first is the one
	// error messages name.
	Services []string
	// Now is the clock; default the wall clock.
	Now func() time.Time
}

// sigV4Auth is a parsed Authorization header.
type sigV4Auth struct {
	AccessKey     string
	Date          string // yyyymmdd, from the credential scope
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

// Verify checks r's signature over body. The errors are AWS's:
// MissingAuthenticationTokenException (no signature, or one in the query
// string: presigned URLs are refused, not ignored),
// IncompleteSignatureException (a malformed one),
// UnrecognizedClientException (an unknown key), InvalidSignatureException
// (a wrong signature, scope or date).
//
// The date must be in X-Amz-Date: the SDK's signer always signs that
// header, so a signature over the Date header alone cannot be recomputed
// by it (no AWS SDK or CLI signs that way).
func (v *Verifier) Verify(r *http.Request, body []byte) error {
	header := r.Header.Get("Authorization")
	if header == "" {
		if Presigned(r) {
			return Errorf(MissingAuthToken, "Missing Authentication Token: %s", PresignedNotSupported)
		}
		return Errorf(MissingAuthToken, "Missing Authentication Token")
	}
	auth, err := parseSigV4Auth(header)
	if err != nil {
		return err
	}
	secret, ok := v.Credentials[auth.AccessKey]
	if !ok {
		return Errorf(UnrecognizedClient, "The security token included in the request is invalid.")
	}
	if !slices.Contains(auth.SignedHeaders, "host") {
		return Errorf(IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return Errorf(IncompleteSignature, "Authorization header requires existence of a 'X-Amz-Date' header. Authorization=%s", header)
	}
	if !slices.Contains(auth.SignedHeaders, "x-amz-date") {
		return Errorf(IncompleteSignature, "'x-amz-date' must be a 'SignedHeader' in the AWS Authorization.")
	}
	// The action must be covered by the signature: otherwise a signed
	// request could be replayed as another action.
	if r.Header.Get("X-Amz-Target") != "" && !slices.Contains(auth.SignedHeaders, "x-amz-target") {
		return Errorf(IncompleteSignature, "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
	}
	signedAt, err := time.Parse(timeFmt, amzDate)
	if err != nil {
		return Errorf(IncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '%s'.", amzDate)
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	services := v.Services
	if len(services) == 0 {
		services = []string{"states"}
	}
	switch {
	case !slices.Contains(services, auth.Service):
		return Errorf(InvalidSignature, "Credential should be scoped to correct service: '%s'.", services[0])
	case auth.Region != v.Region:
		return Errorf(InvalidSignature, "Credential should be scoped to a valid region. ")
	case auth.Date != signedAt.UTC().Format("20060102"):
		return Errorf(InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			auth.Date, signedAt.UTC().Format("20060102"), amzDate)
	case signedAt.Before(now.Add(-MaxSkew)):
		return Errorf(InvalidSignature, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
			signedAt.UTC().Format(timeFmt), now.Add(-MaxSkew).UTC().Format(timeFmt), now.UTC().Format(timeFmt))
	case signedAt.After(now.Add(MaxSkew)):
		return Errorf(InvalidSignature, "Signature not yet current: %s is still later than %s (%s + 15 min.)",
			signedAt.UTC().Format(timeFmt), now.Add(MaxSkew).UTC().Format(timeFmt), now.UTC().Format(timeFmt))
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return Errorf(InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	want, err := expectedSignature(r, auth, secret, payloadHash, signedAt)
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(auth.Signature))) != 1 {
		return Errorf(InvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

// expectedSignature signs, with the SDK's signer, a copy of r holding only
// the headers auth names, and returns the signature it computed.
func expectedSignature(r *http.Request, auth sigV4Auth, secret, payloadHash string, signedAt time.Time) (string, error) {
	u := *r.URL
	req := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	for _, h := range auth.SignedHeaders {
		switch h {
		case "host":
		case "content-length":
			// the signer signs the length when it is positive, from
			// the request, not its headers
			req.ContentLength = r.ContentLength
		default:
			if vs := r.Header.Values(h); len(vs) > 0 {
				req.Header[http.CanonicalHeaderKey(h)] = slices.Clone(vs)
			}
		}
	}
	creds := aws.Credentials{AccessKeyID: auth.AccessKey, SecretAccessKey: secret}
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableSessionToken = true }).
		SignHTTP(context.Background(), creds, req, payloadHash, auth.Service, auth.Region, signedAt)
	if err != nil {
		return "", err
	}
	got, err := parseSigV4Auth(req.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	if !slices.Equal(got.SignedHeaders, auth.SignedHeaders) {
		// a header the signer never signs (User-Agent, Expect, ...) or
		// one signed but absent: the signatures cannot agree
		return "", Errorf(InvalidSignature, "signed headers %v, recomputed %v", auth.SignedHeaders, got.SignedHeaders)
	}
	return got.Signature, nil
}

// PresignedNotSupported says that a signature in the query string (a
// presigned URL, X-Amz-Signature) is not checked: it is refused, not
// ignored.
const PresignedNotSupported = "signatures in the query string (presigned URLs) are not supported; sign the Authorization header"

// Presigned reports whether r carries a query-string signature.
func Presigned(r *http.Request) bool {
	q := r.URL.Query()
	return q.Has("X-Amz-Signature") || q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential")
}

// parseSigV4Auth parses
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b;c, Signature=hex".
func parseSigV4Auth(header string) (sigV4Auth, error) {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(header), " ")
	if algorithm != Algorithm {
		return sigV4Auth{}, Errorf(IncompleteSignature, "Unsupported AWS 'algorithm': '%s'. Only %s is supported.", algorithm, Algorithm)
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
			return sigV4Auth{}, Errorf(IncompleteSignature, "Authorization header requires '%s' parameter. Authorization=%s", k, header)
		}
	}
	cred := strings.Split(fields["Credential"], "/")
	if len(cred) != 5 || cred[0] == "" || cred[4] != "aws4_request" {
		return sigV4Auth{}, Errorf(IncompleteSignature, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", fields["Credential"])
	}
	signed := strings.Split(strings.ToLower(fields["SignedHeaders"]), ";")
	return sigV4Auth{
		AccessKey: cred[0], Date: cred[1], Region: cred[2], Service: cred[3],
		SignedHeaders: signed, Signature: fields["Signature"],
	}, nil
}
