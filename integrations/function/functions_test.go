package function

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store/storetest"
)

// The management plane on a real store (embedded, or SIGNALBOX_REDIS_URL's).

type bundle struct {
	svc  *Service
	dir  string
	rand float64
	ctx  context.Context
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{dir: t.TempDir(), ctx: context.Background()}
	now := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	b.svc = NewService(storetest.Open(t, "fn"), Options{Region: "eu-west-1", AccountID: "111122223333", DataDir: b.dir,
		Now: func() time.Time { return now }, Rand: func() float64 { return b.rand }})
	return b
}

// zipOf builds a package: name → content; a name ending in "*" is
// executable.
func zipOf(t testing.TB, files map[string]string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "*") {
			name, mode = strings.TrimSuffix(name, "*"), 0o755
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		f, err := w.CreateHeader(h)
		require.NoError(t, err)
		_, err = f.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var e *APIError
	require.True(t, errors.As(err, &e), "not an *APIError: %v", err)
	return e.Code
}

func (b *bundle) createZip(t *testing.T, name string) *FunctionConfiguration {
	t.Helper()
	c, err := b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: name, Runtime: "provided.al2023", Handler: "h",
		Role: "arn:aws:iam::111122223333:role/r", Code: &FunctionCode{ZipFile: zipOf(t, map[string]string{"bootstrap*": "#!/bin/sh\n", "lib/x.txt": "x"})}})
	require.NoError(t, err)
	return c
}

func (b *bundle) createHTTP(t *testing.T, name, endpoint string) *FunctionConfiguration {
	t.Helper()
	c, err := b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: name, Runtime: RuntimeHTTP, Handler: endpoint})
	require.NoError(t, err)
	return c
}

func TestCreateFromZip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.createZip(t, "fn")
	require.Equal(t, "arn:aws:lambda:eu-west-1:111122223333:function:fn", c.FunctionArn)
	require.Equal(t, "$LATEST", c.Version)
	require.Equal(t, 3, c.Timeout)
	require.Equal(t, 128, c.MemorySize)
	require.Equal(t, "Active", c.State)
	require.Equal(t, "2026-12-07T05:00:00.000+0000", c.LastModified)
	require.NotEmpty(t, c.RevisionID)

	cfg, err := b.svc.Resolve(b.ctx, "fn", "")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(cfg.CodeDir, "bootstrap"), cfg.Executable)
	require.Empty(t, cfg.Endpoint)
	require.Equal(t, -1, cfg.ReservedConcurrency)
	require.Equal(t, 3*time.Second, cfg.Timeout)
	data, err := os.ReadFile(filepath.Join(cfg.CodeDir, "lib", "x.txt"))
	require.NoError(t, err)
	require.Equal(t, "x", string(data))
	require.True(t, strings.HasPrefix(cfg.CodeDir, filepath.Join(b.dir, "functions", "fn")))

	_, err = b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: "fn", Runtime: RuntimeHTTP, Handler: "http://x"})
	require.Equal(t, CodeResourceConflict, apiCode(t, err))

	// a package whose Handler names its program (go1.x's convention),
	// not executable in the zip: made so
	_, err = b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: "go", Runtime: "go1.x", Handler: "main",
		Code: &FunctionCode{ZipFile: zipOf(t, map[string]string{"main": "ELF"})}})
	require.NoError(t, err)
	cfg, err = b.svc.Resolve(b.ctx, "go", "")
	require.NoError(t, err)
	fi, err := os.Stat(cfg.Executable)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&0o100)

	// no program: refused, nothing left behind
	_, err = b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: "py", Runtime: "python3.12", Handler: "app.handler",
		Code: &FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": "def handler(e, c): pass"})}})
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
	_, err = b.svc.GetFunction(b.ctx, "py", "")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	good := func() *CreateFunctionInput {
		return &CreateFunctionInput{FunctionName: "f", Runtime: RuntimeHTTP, Handler: "http://127.0.0.1:1/x"}
	}
	for name, tc := range map[string]struct {
		change func(in *CreateFunctionInput)
		code   string
	}{
		"long name":    {func(in *CreateFunctionInput) { in.FunctionName = strings.Repeat("a", 65) }, CodeValidation},
		"bad name":     {func(in *CreateFunctionInput) { in.FunctionName = "a.b" }, CodeValidation},
		"timeout 0":    {func(in *CreateFunctionInput) { in.Timeout = ptr(0) }, CodeValidation},
		"timeout 901":  {func(in *CreateFunctionInput) { in.Timeout = ptr(901) }, CodeValidation},
		"memory 127":   {func(in *CreateFunctionInput) { in.MemorySize = ptr(127) }, CodeValidation},
		"memory 10241": {func(in *CreateFunctionInput) { in.MemorySize = ptr(10241) }, CodeValidation},
		"description":  {func(in *CreateFunctionInput) { in.Description = ptr(strings.Repeat("d", 257)) }, CodeValidation},
		"role":         {func(in *CreateFunctionInput) { in.Role = "admin" }, CodeValidation},
		"reserved env": {func(in *CreateFunctionInput) {
			in.Environment = &Environment{Variables: map[string]string{"AWS_REGION": "x"}}
		}, CodeInvalidParameter},
		"env key": {func(in *CreateFunctionInput) { in.Environment = &Environment{Variables: map[string]string{"1A": "x"}} }, CodeValidation},
		"env 4KB": {func(in *CreateFunctionInput) {
			in.Environment = &Environment{Variables: map[string]string{"BIG": strings.Repeat("v", 4094)}}
		}, CodeInvalidParameter},
		"endpoint scheme": {func(in *CreateFunctionInput) { in.Handler = "ftp://x" }, CodeInvalidParameter},
		"endpoint creds":  {func(in *CreateFunctionInput) { in.Handler = "http://u:p@x/" }, CodeInvalidParameter},
		"zip for http":    {func(in *CreateFunctionInput) { in.Code = &FunctionCode{ZipFile: []byte("PK")} }, CodeInvalidParameter},
		"s3":              {func(in *CreateFunctionInput) { in.Code = &FunctionCode{S3Bucket: "b", S3Key: "k"} }, CodeInvalidParameter},
		"layers":          {func(in *CreateFunctionInput) { in.Layers = []string{"arn:aws:lambda:eu-west-1:1:layer:x:1"} }, CodeInvalidParameter},
		"image":           {func(in *CreateFunctionInput) { in.PackageType = "Image" }, CodeInvalidParameter},
		"no runtime":      {func(in *CreateFunctionInput) { in.Runtime = "" }, CodeInvalidParameter},
		"zip missing":     {func(in *CreateFunctionInput) { in.Runtime = "provided.al2023"; in.Handler = "h" }, CodeInvalidParameter},
		"not a zip": {func(in *CreateFunctionInput) {
			in.Runtime, in.Code = "provided.al2023", &FunctionCode{ZipFile: []byte("nope")}
		}, CodeInvalidZipFile},
		"relative program": {func(in *CreateFunctionInput) { in.Runtime, in.Handler = RuntimeExecutable, "bin/x" }, CodeInvalidParameter},
		"missing program":  {func(in *CreateFunctionInput) { in.Runtime, in.Handler = RuntimeExecutable, "/nonexistent/x" }, CodeInvalidParameter},
		"many tags": {func(in *CreateFunctionInput) {
			in.Tags = map[string]string{}
			for i := range 51 {
				in.Tags[strings.Repeat("k", i+1)] = "v"
			}
		}, CodeInvalidParameter},
	} {
		in := good()
		tc.change(in)
		_, err := b.svc.CreateFunction(b.ctx, in)
		require.Equal(t, tc.code, apiCode(t, err), name)
	}
	env := map[string]string{"BIG": strings.Repeat("v", 4093)} // 4,096 bytes with its name: the limit
	_, err := b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: "f", Runtime: RuntimeHTTP, Handler: "http://x/",
		Environment: &Environment{Variables: env}, Timeout: ptr(900), MemorySize: ptr(10240)})
	require.NoError(t, err)
}

func TestExecutableRuntime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	prog := filepath.Join(t.TempDir(), "handler")
	require.NoError(t, os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755))
	c, err := b.svc.CreateFunction(b.ctx, &CreateFunctionInput{FunctionName: "e", Runtime: RuntimeExecutable, Handler: prog})
	require.NoError(t, err)
	require.Equal(t, codeSha256([]byte(prog)), c.CodeSha256)
	cfg, err := b.svc.Resolve(b.ctx, "e", "")
	require.NoError(t, err)
	require.Equal(t, prog, cfg.Executable)
	require.Equal(t, filepath.Dir(prog), cfg.CodeDir)
	notExec := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.WriteFile(notExec, nil, 0o644))
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "e", Handler: &notExec})
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "e", Runtime: ptr("provided.al2023")})
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
}

func TestUpdateAndRevisions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.createHTTP(t, "h", "http://127.0.0.1:1/a")
	_, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "h", RevisionID: "other", Timeout: ptr(10)})
	require.Equal(t, CodePreconditionFailed, apiCode(t, err))
	u, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "h", RevisionID: c.RevisionID,
		Timeout: ptr(10), Handler: ptr("http://127.0.0.1:1/b"), Environment: &Environment{Variables: map[string]string{"AB": "1"}}})
	require.NoError(t, err)
	require.NotEqual(t, c.RevisionID, u.RevisionID)
	require.NotEqual(t, c.CodeSha256, u.CodeSha256)
	cfg, err := b.svc.Resolve(b.ctx, "arn:aws:lambda:eu-west-1:111122223333:function:h", "")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:1/b", cfg.Endpoint)
	require.Equal(t, 10*time.Second, cfg.Timeout)
	require.Equal(t, map[string]string{"AB": "1"}, cfg.Environment)

	_, err = b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: "h", ZipFile: []byte("x")})
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))

	z := b.createZip(t, "z")
	dry, err := b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: "z", DryRun: true,
		ZipFile: zipOf(t, map[string]string{"bootstrap*": "#!/bin/sh\necho 2\n"})})
	require.NoError(t, err)
	require.NotEqual(t, z.CodeSha256, dry.CodeSha256)
	got, err := b.svc.GetFunctionConfiguration(b.ctx, "z", "")
	require.NoError(t, err)
	require.Equal(t, z.CodeSha256, got.CodeSha256)
	pub, err := b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: "z", Publish: true,
		ZipFile: zipOf(t, map[string]string{"bootstrap*": "#!/bin/sh\necho 2\n"})})
	require.NoError(t, err)
	require.Equal(t, "1", pub.Version)
	require.Equal(t, dry.CodeSha256, pub.CodeSha256)
}

func TestVersions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.createHTTP(t, "v", "http://127.0.0.1:1/1")
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "v", CodeSha256: "AAAA"})
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "v", RevisionID: "nope"})
	require.Equal(t, CodePreconditionFailed, apiCode(t, err))
	v1, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "v", CodeSha256: c.CodeSha256, Description: ptr("first")})
	require.NoError(t, err)
	require.Equal(t, "1", v1.Version)
	require.Equal(t, "first", v1.Description)
	require.Equal(t, c.FunctionArn+":1", v1.FunctionArn)
	again, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "v"})
	require.NoError(t, err)
	require.Equal(t, "1", again.Version, "an unchanged $LATEST publishes no new version")
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "v", Handler: ptr("http://127.0.0.1:1/2")})
	require.NoError(t, err)
	v2, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "v"})
	require.NoError(t, err)
	require.Equal(t, "2", v2.Version)

	cfg, err := b.svc.Resolve(b.ctx, "v:1", "")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:1/1", cfg.Endpoint)
	require.Equal(t, "1", cfg.Version)
	cfg, err = b.svc.Resolve(b.ctx, "v", "2")
	require.NoError(t, err)
	require.Equal(t, "http://127.0.0.1:1/2", cfg.Endpoint)
	_, err = b.svc.Resolve(b.ctx, "v:1", "2")
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
	_, err = b.svc.Resolve(b.ctx, "v", "9")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = b.svc.Resolve(b.ctx, "arn:aws:lambda:us-east-1:111122223333:function:v", "")
	require.ErrorIs(t, err, ErrNotFound, "another region's function")

	page, err := b.svc.ListVersionsByFunction(b.ctx, "v", "", 2)
	require.NoError(t, err)
	require.Equal(t, []string{"$LATEST", "1"}, versionsOf(page.Versions))
	page, err = b.svc.ListVersionsByFunction(b.ctx, "v", page.NextMarker, 2)
	require.NoError(t, err)
	require.Equal(t, []string{"2"}, versionsOf(page.Versions))
	require.Empty(t, page.NextMarker)

	require.Equal(t, CodeInvalidParameter, apiCode(t, b.svc.DeleteFunction(b.ctx, "v", "$LATEST")))
	require.NoError(t, b.svc.DeleteFunction(b.ctx, "v", "1"))
	require.ErrorIs(t, b.svc.DeleteFunction(b.ctx, "v", "1"), ErrNotFound)
	require.NoError(t, b.svc.DeleteFunction(b.ctx, "v", ""))
	require.ErrorIs(t, b.svc.DeleteFunction(b.ctx, "v", ""), ErrNotFound)
}

func versionsOf(cs []*FunctionConfiguration) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Version)
	}
	return out
}

func TestAliases(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.createHTTP(t, "a", "http://127.0.0.1:1/1")
	_, err := b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "a"})
	require.NoError(t, err)
	_, err = b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "a", Handler: ptr("http://127.0.0.1:1/2")})
	require.NoError(t, err)
	_, err = b.svc.PublishVersion(b.ctx, &PublishVersionInput{FunctionName: "a"})
	require.NoError(t, err)

	_, err = b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "live", FunctionVersion: ptr("7")})
	require.ErrorIs(t, err, ErrNotFound)
	_, err = b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "123", FunctionVersion: ptr("1")})
	require.Equal(t, CodeValidation, apiCode(t, err))
	_, err = b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "x", FunctionVersion: ptr("$LATEST"),
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.5}}})
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
	_, err = b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "x", FunctionVersion: ptr("1"),
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 1.5}}})
	require.Equal(t, CodeValidation, apiCode(t, err))

	live, err := b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "live", FunctionVersion: ptr("1"), Description: ptr("d"),
		RoutingConfig: &AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.25}}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:lambda:eu-west-1:111122223333:function:a:live", live.AliasArn)
	_, err = b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "live", FunctionVersion: ptr("1")})
	require.Equal(t, CodeResourceConflict, apiCode(t, err))

	// weighted routing, by the injected random source
	b.rand = 0.24
	cfg, err := b.svc.Resolve(b.ctx, "a:live", "")
	require.NoError(t, err)
	require.Equal(t, "2", cfg.Version)
	b.rand = 0.25
	cfg, err = b.svc.Resolve(b.ctx, "a", "live")
	require.NoError(t, err)
	require.Equal(t, "1", cfg.Version)
	require.Equal(t, "http://127.0.0.1:1/1", cfg.Endpoint)

	// a version an alias routes to cannot go
	err = b.svc.DeleteFunction(b.ctx, "a", "2")
	require.Equal(t, CodeResourceConflict, apiCode(t, err))
	require.Contains(t, err.Error(), "live")

	_, err = b.svc.UpdateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "live", RevisionID: "old"})
	require.Equal(t, CodePreconditionFailed, apiCode(t, err))
	up, err := b.svc.UpdateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "live", RevisionID: live.RevisionID,
		FunctionVersion: ptr("2"), RoutingConfig: &AliasRoutingConfiguration{}})
	require.NoError(t, err)
	require.Equal(t, "2", up.FunctionVersion)
	require.Nil(t, up.RoutingConfig)
	require.Equal(t, "d", up.Description)
	require.NoError(t, b.svc.DeleteFunction(b.ctx, "a", "1"))

	_, err = b.svc.CreateAlias(b.ctx, &AliasInput{FunctionName: "a", Name: "dev", FunctionVersion: ptr("$LATEST")})
	require.NoError(t, err)
	list, err := b.svc.ListAliases(b.ctx, "a", "", "", 1)
	require.NoError(t, err)
	require.Len(t, list.Aliases, 1)
	require.Equal(t, "dev", list.Aliases[0].Name)
	list, err = b.svc.ListAliases(b.ctx, "a", "", list.NextMarker, 1)
	require.NoError(t, err)
	require.Equal(t, "live", list.Aliases[0].Name)
	require.Empty(t, list.NextMarker)
	list, err = b.svc.ListAliases(b.ctx, "a", "$LATEST", "", 0)
	require.NoError(t, err)
	require.Len(t, list.Aliases, 1)
	cfg, err = b.svc.Resolve(b.ctx, "a:dev", "")
	require.NoError(t, err)
	require.Equal(t, "$LATEST", cfg.Version)

	require.NoError(t, b.svc.DeleteAlias(b.ctx, "a", "live"))
	require.NoError(t, b.svc.DeleteAlias(b.ctx, "a", "live"))
	_, err = b.svc.GetAlias(b.ctx, "a", "live")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = b.svc.Resolve(b.ctx, "a:live", "")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestListConcurrencyTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, n := range []string{"c", "a", "b"} {
		b.createHTTP(t, n, "http://127.0.0.1:1/"+n)
	}
	page, err := b.svc.ListFunctions(b.ctx, "", 2, "")
	require.NoError(t, err)
	require.Len(t, page.Functions, 2)
	require.Equal(t, "a", page.Functions[0].FunctionName)
	page, err = b.svc.ListFunctions(b.ctx, page.NextMarker, 2, "")
	require.NoError(t, err)
	require.Len(t, page.Functions, 1)
	require.Equal(t, "c", page.Functions[0].FunctionName)
	require.Empty(t, page.NextMarker)
	_, err = b.svc.ListFunctions(b.ctx, "", 10001, "")
	require.Equal(t, CodeValidation, apiCode(t, err))
	_, err = b.svc.ListFunctions(b.ctx, "!!", 0, "")
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))

	_, err = b.svc.PutFunctionConcurrency(b.ctx, "a", ptr(901))
	require.Equal(t, CodeInvalidParameter, apiCode(t, err))
	got, err := b.svc.PutFunctionConcurrency(b.ctx, "a", ptr(5))
	require.NoError(t, err)
	require.Equal(t, 5, *got.ReservedConcurrentExecutions)
	cfg, err := b.svc.Resolve(b.ctx, "a", "")
	require.NoError(t, err)
	require.Equal(t, 5, cfg.ReservedConcurrency)
	fn, err := b.svc.GetFunction(b.ctx, "a", "")
	require.NoError(t, err)
	require.Equal(t, 5, *fn.Concurrency.ReservedConcurrentExecutions)
	require.NoError(t, b.svc.DeleteFunctionConcurrency(b.ctx, "a"))
	got, err = b.svc.GetFunctionConcurrency(b.ctx, "a")
	require.NoError(t, err)
	require.Nil(t, got.ReservedConcurrentExecutions)
	_, err = b.svc.PutFunctionConcurrency(b.ctx, "zz", ptr(1))
	require.ErrorIs(t, err, ErrNotFound)

	arn := b.svc.FunctionARN("a")
	require.NoError(t, b.svc.TagResource(b.ctx, arn, map[string]string{"team": "x", "env": "dev"}))
	require.NoError(t, b.svc.UntagResource(b.ctx, arn, []string{"env"}))
	tags, err := b.svc.ListTags(b.ctx, arn)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "x"}, tags)
	require.Equal(t, CodeValidation, apiCode(t, b.svc.TagResource(b.ctx, "a", map[string]string{"k": "v"})))
	require.Equal(t, CodeInvalidParameter, apiCode(t, b.svc.TagResource(b.ctx, arn+":1", map[string]string{"k": "v"})))
	require.ErrorIs(t, b.svc.TagResource(b.ctx, b.svc.FunctionARN("zz"), map[string]string{"k": "v"}), ErrNotFound)
}

func TestDeleteRemovesPackages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.createZip(t, "d")
	cfg, err := b.svc.Resolve(b.ctx, "d", "")
	require.NoError(t, err)
	require.DirExists(t, cfg.CodeDir)
	require.NoError(t, b.svc.DeleteFunction(b.ctx, "d", ""))
	require.NoDirExists(t, filepath.Join(b.dir, "functions", "d"))
}

// Two updates of $LATEST at once, one of its code and one of its
// configuration: both are kept (each a compare-and-set, the loser applied
// again on the winner's record), whichever comes first.
func TestConcurrentUpdatesKeepBoth(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.createZip(t, "c")
	for i := range 5 {
		zip := zipOf(t, map[string]string{"bootstrap*": "#!/bin/sh\necho " + strings.Repeat("x", i+1) + "\n"})
		timeout := 10 + i
		errs := make(chan error, 2)
		go func() {
			_, err := b.svc.UpdateFunctionCode(b.ctx, &UpdateFunctionCodeInput{FunctionName: "c", ZipFile: zip})
			errs <- err
		}()
		go func() {
			_, err := b.svc.UpdateFunctionConfiguration(b.ctx, &UpdateFunctionConfigurationInput{FunctionName: "c", Timeout: &timeout})
			errs <- err
		}()
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
		got, err := b.svc.GetFunctionConfiguration(b.ctx, "c", "")
		require.NoError(t, err)
		require.Equal(t, codeSha256(zip), got.CodeSha256)
		require.Equal(t, timeout, got.Timeout)
	}
}
