package function

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseFunctionName(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:lambda:us-west-2:123456789012:function:my-function"
	for _, c := range []struct {
		name, qualifier string
		want            FunctionRef
	}{
		{"my-function", "", FunctionRef{Name: "my-function"}},
		{"my-function:v1", "", FunctionRef{Name: "my-function", Qualifier: "v1"}},
		{"my-function", "7", FunctionRef{Name: "my-function", Qualifier: "7"}},
		{"my-function:7", "7", FunctionRef{Name: "my-function", Qualifier: "7"}},
		{"my-function:$LATEST", "", FunctionRef{Name: "my-function", Qualifier: "$LATEST"}},
		{"123456789012:function:my-function", "", FunctionRef{Account: "123456789012", Name: "my-function"}},
		{"123456789012:function:my-function:prod", "", FunctionRef{Account: "123456789012", Name: "my-function", Qualifier: "prod"}},
		{arn, "", FunctionRef{Partition: "aws", Region: "us-west-2", Account: "123456789012", Name: "my-function"}},
		{arn + ":prod", "", FunctionRef{Partition: "aws", Region: "us-west-2", Account: "123456789012", Name: "my-function", Qualifier: "prod"}},
		{"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f_1.x", "", FunctionRef{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012", Name: "f_1.x"}},
	} {
		got, err := ParseFunctionRef(c.name, c.qualifier)
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, got, c.name)
		fn, q, err := ParseFunctionName(c.name, c.qualifier)
		require.NoError(t, err)
		require.Equal(t, c.want.Name, fn)
		require.Equal(t, c.want.Qualifier, q)
		again, err := ParseFunctionRef(got.String(), "")
		require.NoError(t, err, got.String())
		require.Equal(t, got.Name, again.Name)
		require.Equal(t, got.Qualifier, again.Qualifier)
	}

	for _, c := range []struct{ name, qualifier, want string }{
		{"", "", ErrValidation},
		{strings.Repeat("f", 65), "", ErrValidation},
		{strings.Repeat("f", 171), "", ErrValidation},
		{"my function", "", ErrValidation},
		{"f:", "", ErrValidation},
		{"f:v$1", "", ErrValidation},
		{"f:a:b", "", ErrValidation},
		{"12345:function:f", "", ErrValidation},
		{"arn:aws:lambda:us-west-2:123456789012:function:", "", ErrValidation},
		{"arn:aws:s3:us-west-2:123456789012:function:f", "", ErrValidation},
		{"arn:aws:lambda:uswest2:123456789012:function:f", "", ErrValidation},
		{"arn:aws:lambda:us-west-2:123456789012:layer:f", "", ErrValidation},
		{"arn:aws:lambda:us-west-2:123456789012:function:f:1:2", "", ErrValidation},
		{"f", "bad qualifier", ErrValidation},
		{"f", strings.Repeat("q", 129), ErrValidation},
		{"f:1", "2", ErrInvalidParameter},
	} {
		_, _, err := ParseFunctionName(c.name, c.qualifier)
		var fe *Error
		require.True(t, errors.As(err, &fe), "%q %q: %v", c.name, c.qualifier, err)
		require.Equal(t, c.want, fe.Name, "%q %q", c.name, c.qualifier)
	}
}

func FuzzParseFunctionName(f *testing.F) {
	for _, s := range []string{"f", "f:1", "123456789012:function:f:prod", "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:x", ":::", "arn:", "f:", "a:function:b:c:d"} {
		f.Add(s, "")
		f.Add(s, "1")
	}
	f.Fuzz(func(t *testing.T, name, qualifier string) {
		ref, err := ParseFunctionRef(name, qualifier)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.Name == "" || fe.Cause == "" {
				t.Fatalf("%q %q: not an *Error: %v", name, qualifier, err)
			}
			return
		}
		if ref.Name == "" || len(ref.Name) > MaxNameLength || strings.Contains(ref.Name, ":") {
			t.Fatalf("%q: name %q", name, ref.Name)
		}
		if len(ref.Qualifier) > MaxQualifierLength || strings.Contains(ref.Qualifier, ":") {
			t.Fatalf("%q: qualifier %q", name, ref.Qualifier)
		}
		// printed and parsed again, the same function (the qualifier
		// apart: the Qualifier field's pattern takes more than a name's
		// suffix does)
		bare := ref
		bare.Qualifier = ""
		again, err := ParseFunctionRef(bare.String(), ref.Qualifier)
		if err != nil || again != ref && (again.Name != ref.Name || again.Qualifier != ref.Qualifier || again.Account != ref.Account) {
			t.Fatalf("%q -> %q -> %+v, %v", name, bare.String(), again, err)
		}
	})
}
