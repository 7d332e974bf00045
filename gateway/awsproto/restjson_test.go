package awsproto_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

// A small Lambda on REST-JSON, enough for the SDK's Lambda client to get a
// function, list them and create an alias: the SDK judges the bindings
// and the error shape.

type getFunctionInput struct {
	FunctionName string `uri:"FunctionName" json:"-"`
	Qualifier    string `querystring:"Qualifier" json:"-"`
}

type functionConfiguration struct {
	FunctionName string
	FunctionArn  string
	Version      string
}

type createAliasInput struct {
	FunctionName    string `uri:"FunctionName" json:"-"`
	Name            string
	FunctionVersion string
	Description     string
}

type listFunctionsInput struct {
	MaxItems *int   `querystring:"MaxItems" json:"-"`
	Marker   string `querystring:"Marker" json:"-"`
}

func fakeLambda() http.Handler {
	mux := http.NewServeMux()
	fail := func(w http.ResponseWriter, err error) {
		e, ok := awsproto.As(err)
		if !ok {
			e = &awsproto.Error{Status: http.StatusInternalServerError, Code: "ServiceException", Message: err.Error()}
		}
		awsproto.WriteRESTError(w, e, awsproto.NewRequestID())
	}
	fn := func(name, version string) functionConfiguration {
		return functionConfiguration{FunctionName: name, FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + name, Version: version}
	}
	mux.HandleFunc("GET /2015-03-31/functions/{FunctionName}", func(w http.ResponseWriter, r *http.Request) {
		var in getFunctionInput
		if err := awsproto.DecodeREST(r, map[string]string{"FunctionName": r.PathValue("FunctionName")}, nil, &in); err != nil {
			fail(w, err)
			return
		}
		if in.FunctionName != "resize" {
			fail(w, &awsproto.Error{Status: http.StatusNotFound, Code: "ResourceNotFoundException", Message: "Function not found: " + in.FunctionName})
			return
		}
		_ = awsproto.WriteREST(w, http.StatusOK, map[string]any{"Configuration": fn(in.FunctionName, in.Qualifier)}, awsproto.NewRequestID())
	})
	mux.HandleFunc("GET /2015-03-31/functions/", func(w http.ResponseWriter, r *http.Request) {
		var in listFunctionsInput
		if err := awsproto.DecodeREST(r, nil, nil, &in); err != nil {
			fail(w, err)
			return
		}
		_ = awsproto.WriteREST(w, http.StatusOK, map[string]any{"Functions": []functionConfiguration{fn("resize", "$LATEST")},
			"NextMarker": in.Marker + "-next"}, awsproto.NewRequestID())
	})
	mux.HandleFunc("POST /2015-03-31/functions/{FunctionName}/aliases", func(w http.ResponseWriter, r *http.Request) {
		body, err := awsproto.ReadBody(r, 1<<20)
		if err != nil {
			fail(w, err)
			return
		}
		var in createAliasInput
		if err := awsproto.DecodeREST(r, map[string]string{"FunctionName": r.PathValue("FunctionName")}, body, &in); err != nil {
			fail(w, err)
			return
		}
		_ = awsproto.WriteREST(w, http.StatusCreated, map[string]any{"Name": in.Name, "FunctionVersion": in.FunctionVersion,
			"Description": in.Description, "AliasArn": fn(in.FunctionName, "").FunctionArn + ":" + in.Name}, "")
	})
	return mux
}

func TestRESTJSONServesTheSDKsLambdaClient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(fakeLambda())
	t.Cleanup(srv.Close)
	ctx := context.Background()
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})

	got, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("resize"), Qualifier: aws.String("7")})
	require.NoError(t, err)
	require.Equal(t, "resize", aws.ToString(got.Configuration.FunctionName))
	require.Equal(t, "7", aws.ToString(got.Configuration.Version), "the query string's member")

	list, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(5), Marker: aws.String("m")})
	require.NoError(t, err)
	require.Len(t, list.Functions, 1)
	require.Equal(t, "m-next", aws.ToString(list.NextMarker))

	alias, err := client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("resize"), Name: aws.String("live"),
		FunctionVersion: aws.String("3"), Description: aws.String("the live one")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:resize:live", aws.ToString(alias.AliasArn))
	require.Equal(t, "3", aws.ToString(alias.FunctionVersion))
	require.Equal(t, "the live one", aws.ToString(alias.Description))

	_, err = client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("gone")})
	var nf *lambdatypes.ResourceNotFoundException
	require.ErrorAs(t, err, &nf, "%v", err)
	require.Equal(t, "Function not found: gone", nf.ErrorMessage())
}

func TestDecodeRESTBindsHeadersAndRefusesBadMembers(t *testing.T) {
	t.Parallel()
	var in struct {
		Type    string   `header:"X-Amz-Invocation-Type" json:"-"`
		Log     *bool    `header:"X-Amz-Log-Type" json:"-"`
		Limit   int      `querystring:"Limit" json:"-"`
		Tags    []string `querystring:"tag" json:"-"`
		Payload string   `json:"payload"`
	}
	r := httptest.NewRequest(http.MethodPost, "/x?Limit=3&tag=a&tag=b", nil)
	r.Header.Set("X-Amz-Invocation-Type", "Event")
	r.Header.Set("X-Amz-Log-Type", "true")
	require.NoError(t, awsproto.DecodeREST(r, nil, []byte(`{"payload":"p"}`), &in))
	require.Equal(t, "Event", in.Type)
	require.True(t, *in.Log)
	require.Equal(t, 3, in.Limit)
	require.Equal(t, []string{"a", "b"}, in.Tags)
	require.Equal(t, "p", in.Payload)

	r = httptest.NewRequest(http.MethodGet, "/x?Limit=many", nil)
	err := awsproto.DecodeREST(r, nil, nil, &in)
	e, ok := awsproto.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, awsproto.Serialization, e.Code)
	require.Equal(t, `'Limit' must be an integer, got "many"`, e.Message)

	w := httptest.NewRecorder()
	awsproto.WriteRESTError(w, &awsproto.Error{Status: http.StatusConflict, Code: "ResourceConflictException", Message: "busy"}, "r-1")
	require.Equal(t, http.StatusConflict, w.Code)
	require.Equal(t, "ResourceConflictException", w.Header().Get("X-Amzn-ErrorType"))
	require.Equal(t, "r-1", w.Header().Get("X-Amzn-RequestId"))
	require.JSONEq(t, `{"__type":"ResourceConflictException","message":"busy"}`, w.Body.String())
}
