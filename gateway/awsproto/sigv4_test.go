package awsproto_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// verifyServer answers 200 when Verify accepts a request, else the error
// in the JSON protocol's shape.
func verifyServer(t *testing.T, v *awsproto.Verifier) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := v.Verify(r, body); err != nil {
			e, _ := awsproto.As(err)
			w.WriteHeader(e.Status)
			_, _ = w.Write(awsproto.JSONErrorBody(e))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// signed is a request signed by the SDK's signer with secret, at signedAt;
// edit changes it before signing.
func signed(t *testing.T, url, path, body, secret, service string, signedAt time.Time, edit func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	if edit != nil {
		edit(req)
	}
	sum := sha256.Sum256([]byte(body))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", signedAt))
	return req
}

// answer sends req and returns the status and the error's code and
// message ("" when it passed).
func answer(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		require.NoError(t, json.Unmarshal(b, &e), "%s", b)
	}
	return resp.StatusCode, e.Type, e.Message
}

func TestVerifyChecksSignaturesWithTheSDKsSigner(t *testing.T) {
	t.Parallel()
	now := time.Now()
	url := verifyServer(t, &awsproto.Verifier{Credentials: map[string]string{"AKIDTEST": "secret"}, Region: "us-east-1",
		Services: []string{"states", "execute-api"}, Now: func() time.Time { return now }})
	body := `{"maxResults":10}`

	for name, req := range map[string]*http.Request{
		"plain":         signed(t, url, "/", body, "secret", "states", now, nil),
		"escaped path":  signed(t, url, "/api/v1/executions/arn:aws:states:us-east-1:1:execution:m:a%20b", "", "secret", "execute-api", now, nil),
		"query string":  signed(t, url, "/orders?b=2&a=1&a=0&empty=&sp=a%20b", "", "secret", "execute-api", now, nil),
		"spaced header": signed(t, url, "/", body, "secret", "states", now, func(r *http.Request) { r.Header.Set("X-Custom", "  a   b ") }),
		"skewed":        signed(t, url, "/", body, "secret", "states", now.Add(-14*time.Minute), nil),
	} {
		status, typ, msg := answer(t, req)
		require.Equal(t, http.StatusOK, status, "%s: %s %s", name, typ, msg)
	}

	type refusal struct {
		req          *http.Request
		typ, message string
	}
	tampered := signed(t, url, "/", body, "secret", "states", now, nil)
	tampered.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "10", "11", 1)))
	unsignedTarget := signed(t, url, "/", body, "secret", "states", now, nil)
	unsignedTarget.Header.Set("Authorization", strings.Replace(unsignedTarget.Header.Get("Authorization"), ";x-amz-target", "", 1))
	dateOnly := signed(t, url, "/", body, "secret", "states", now, nil)
	dateOnly.Header.Del("X-Amz-Date")
	dateOnly.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	noAuth, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	presigned, _ := http.NewRequest(http.MethodGet, url+"/x?X-Amz-Signature=abc&X-Amz-Credential=a", nil)
	wrongHash := signed(t, url, "/", body, "secret", "states", now, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "00") })
	for name, c := range map[string]refusal{
		"wrong secret":     {signed(t, url, "/", body, "other", "states", now, nil), "InvalidSignatureException", "The request signature we calculated does not match"},
		"tampered body":    {tampered, "InvalidSignatureException", "The request signature we calculated does not match"},
		"expired":          {signed(t, url, "/", body, "secret", "states", now.Add(-16*time.Minute), nil), "InvalidSignatureException", "Signature expired"},
		"future":           {signed(t, url, "/", body, "secret", "states", now.Add(16*time.Minute), nil), "InvalidSignatureException", "Signature not yet current"},
		"other service":    {signed(t, url, "/", body, "secret", "sqs", now, nil), "InvalidSignatureException", "Credential should be scoped to correct service: 'states'."},
		"target unsigned":  {unsignedTarget, "IncompleteSignatureException", "'X-Amz-Target' must be a 'SignedHeader'"},
		"date header only": {dateOnly, "IncompleteSignatureException", "requires existence of a 'X-Amz-Date' header"},
		"no signature":     {noAuth, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		"presigned":        {presigned, "MissingAuthenticationTokenException", "presigned URLs) are not supported"},
		"wrong body hash":  {wrongHash, "InvalidSignatureException", "'x-amz-content-sha256' header does not match"},
	} {
		status, typ, msg := answer(t, c.req)
		require.Equal(t, http.StatusBadRequest, status, name)
		require.Equal(t, c.typ, typ, "%s: %s", name, msg)
		require.Contains(t, msg, c.message, name)
	}
}

// FuzzVerify: any Authorization header and request either verify or give
// one of AWS's signature errors (4xx); never a panic.
func FuzzVerify(f *testing.F) {
	for _, h := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDTEST/20240301/us-east-1/states/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=abcdef",
		"AWS4-HMAC-SHA256 Credential=AKIDTEST//us-east-1/states/aws4_request, SignedHeaders=, Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=0",
		"AWS4-HMAC-SHA256 Credential=AKIDTEST/20240301/us-east-1/states/aws4_request, SignedHeaders=content-length;host;user-agent;x-amz-date;x-amz-target, Signature=0",
		"AWS4-HMAC-SHA256", "", "Bearer x", "AWS4-HMAC-SHA256 ,,,===",
	} {
		f.Add(h, "20240301T120000Z", "AWSStepFunctions.ListStateMachines", "/?a=b&c")
	}
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	v := &awsproto.Verifier{Credentials: map[string]string{"AKIDTEST": "secret"}, Region: "us-east-1",
		Services: []string{"states", "execute-api"}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, auth, date, target, path string) {
		r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1"+path, bytes.NewReader(nil))
		if err != nil {
			return
		}
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		r.Header.Set("X-Amz-Target", target)
		if err := v.Verify(r, []byte("{}")); err != nil {
			if e, ok := awsproto.As(err); !ok || e.Status >= 500 {
				t.Fatalf("a signature error that is not a 4xx of AWS's: %v", err)
			}
		}
	})
}

// FuzzDecodeJSON: any body decodes into an input or is a
// SerializationException; never a panic or another error.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:m","name":"e","input":"{\"a\":\"\\ud83c\\udd97\"}"}`,
		`{"name":1}`, `[]`, `{"input":null}`, "\xff", `{"a":1} x`, `{"maxResults":1e400}`, ``,
	} {
		f.Add([]byte(s))
	}
	type input struct {
		StateMachineARN string                 `json:"stateMachineArn"`
		Name            string                 `json:"name"`
		Input           *string                `json:"input"`
		MaxResults      int                    `json:"maxResults"`
		Tags            []struct{ Key string } `json:"tags"`
		Routing         map[string]float64     `json:"routing"`
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := awsproto.DecodeJSON(body, &input{}); err != nil {
			if e, ok := awsproto.As(err); !ok || e.Code != awsproto.Serialization {
				t.Fatalf("DecodeJSON(%q): %v", body, err)
			}
		}
	})
}
