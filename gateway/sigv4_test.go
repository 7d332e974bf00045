package gateway_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
)

// withCredentials makes the endpoint require SigV4 with these keys.
func withCredentials(o *gateway.Options) {
	o.Credentials = map[string]string{"AKIDTEST": "secret", "AKIDOTHER": "other-secret"}
}

func TestSigV4AcceptsTheSDKsSignature(t *testing.T) {
	t.Parallel()
	b := newSFN(t, withCredentials)
	ctx := context.Background()
	// b.client signs with AKIDTEST/secret; every kind of request passes.
	sm := b.createMachine(t, "signed", passDef, "")
	b.waitStatus(t, b.start(t, sm, "e", `{"who":"signed"}`), "SUCCEEDED")
	other := sfnClient(b.url, "AKIDOTHER", "other-secret")
	list, err := other.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Len(t, list.StateMachines, 1)
}

func TestSigV4RefusesWrongSignatures(t *testing.T) {
	t.Parallel()
	b := newSFN(t, withCredentials)
	ctx := context.Background()
	create := func(c *sfn.Client) error {
		_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name: aws.String("m"), Definition: aws.String(passDef), RoleArn: aws.String(sfnRole),
		})
		return err
	}
	requireAWSError(t, create(sfnClient(b.url, "AKIDTEST", "wrong-secret")), "InvalidSignatureException")
	requireAWSError(t, create(sfnClient(b.url, "AKIDOTHER", "secret")), "InvalidSignatureException")
	msg := requireAWSError(t, create(sfnClient(b.url, "AKIDUNKNOWN", "secret")), "UnrecognizedClientException")
	require.Contains(t, msg, "security token")

	// Signed for another region.
	eu := sfn.NewFromConfig(aws.Config{Region: "eu-west-1", Credentials: b.client.Options().Credentials, RetryMaxAttempts: 1},
		func(o *sfn.Options) { o.BaseEndpoint = aws.String(b.url) })
	requireAWSError(t, create(eu), "InvalidSignatureException")

	// Unsigned.
	r := rawCall(t, b.url, "AWSStepFunctions.ListStateMachines", `{}`)
	requireRawError(t, r, http.StatusBadRequest, "MissingAuthenticationTokenException")

	body := `{"name":"m","definition":` + quoteJSON(passDef) + `,"roleArn":"` + sfnRole + `"}`
	// Signed right, then the body changed.
	req := signedRequest(t, b.url, body, "secret", time.Now())
	req.Body = io.NopCloser(strings.NewReader(strings.Replace(body, `"m"`, `"n"`, 1)))
	requireSigned(t, req, http.StatusBadRequest, "InvalidSignatureException")
	// Signed right, but an hour ago: expired.
	requireSigned(t, signedRequest(t, b.url, body, "secret", time.Now().Add(-time.Hour)), http.StatusBadRequest, "InvalidSignatureException")
	// A malformed Authorization header.
	req = signedRequest(t, b.url, body, "secret", time.Now())
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20240101/us-east-1/states/aws4_request")
	requireSigned(t, req, http.StatusBadRequest, "IncompleteSignatureException")
	req = signedRequest(t, b.url, body, "secret", time.Now())
	req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS3", 1))
	requireSigned(t, req, http.StatusBadRequest, "IncompleteSignatureException")

	list, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Empty(t, list.StateMachines, "no refused request stored anything")

	// The hand-signed request passes when left alone.
	requireSigned(t, signedRequest(t, b.url, body, "secret", time.Now()), http.StatusOK, "")
	list, err = b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Len(t, list.StateMachines, 1)
}

// signedRequest signs a CreateStateMachine request with the SDK's signer,
// as of signedAt.
func signedRequest(t *testing.T, url, body, secret string, signedAt time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.CreateStateMachine")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: secret}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "states", "us-east-1", signedAt))
	return req
}

// requireSigned sends req and checks its answer: status, and the error
// type unless typ is "".
func requireSigned(t *testing.T, req *http.Request, status int, typ string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, status, resp.StatusCode, "%v", body)
	if typ != "" {
		require.Equal(t, typ, body["__type"], "%v", body)
		require.NotEmpty(t, body["message"])
	}
}
