package function

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// The management plane: a Service keeps functions in the store (store/
// function.go) with AWS Lambda's semantics and validation, serves the
// Lambda API's management operations (gateway/lambda decodes them into
// these calls) and resolves a FunctionName to the Config an Invoker runs
// (Resolver).
//
// A function is one of three kinds, told by its Runtime:
//
//   - a deployment package (any Lambda runtime name, such as
//     provided.al2023): Code.ZipFile, unpacked under Options.DataDir; it
//     runs its bootstrap, or the file its Handler names, through the
//     Runtime API;
//   - Runtime "http" (Signalbox's): an HTTP function, whose Handler is the
//     endpoint's URL; Code is empty;
//   - Runtime "executable" (Signalbox's): a program on the server's disk,
//     whose Handler is the program's absolute path; it runs through the
//     Runtime API in its directory; Code is empty.
//
// docs/functions.md says why the extension takes that shape.

// The runtimes of Signalbox's extension.
const (
	RuntimeHTTP       = "http"
	RuntimeExecutable = "executable"
)

// The kinds of function a record holds.
const (
	kindZip  = "zip"
	kindHTTP = "http"
	kindExec = "exec"
)

// Lambda's limits the Service applies (Lambda quotas; CreateFunction's
// and CreateAlias's API reference).
const (
	minTimeout, maxTimeout, defaultTimeout = 1, 900, 3
	minMemory, maxMemory, defaultMemory    = 128, 10240, 128
	maxDescription                         = 256
	maxHandler                             = 128
	maxEnvBytes                            = 4096 // every variable's name and value together
	maxTags, maxTagKey, maxTagValue        = 50, 128, 256
	maxListItems, defaultListItems         = 10000, 50
	// maxEndpoint bounds the URL of an HTTP function and the path of an
	// executable, which take the Handler's place (Lambda's Handler is at
	// most 128 characters; a URL needs more).
	maxEndpoint = 2048
	// maxAliases bounds the aliases of a function (Lambda has no such
	// quota; the store lists a function's aliases whole).
	maxAliases = 1000
	// defaultConcurrencyLimit is Lambda's default account concurrency,
	// less the 100 it keeps unreserved: the most one function reserves.
	defaultConcurrencyLimit = 900
)

var (
	handlerRE = regexp.MustCompile(`^[^\s]+$`)
	runtimeRE = regexp.MustCompile(`^[a-z][a-z0-9.]{0,31}$`)
	roleRE    = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envKeyRE  = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
)

// reservedEnv are the variables Lambda sets itself, which a function's
// Environment may not name.
var reservedEnv = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
	"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR"}

// Options configure a Service.
type Options struct {
	Region    string // default "us-east-1"
	AccountID string // default "123456789012"
	// DataDir is where deployment packages are unpacked
	// (<DataDir>/functions/<name>/<package sha256>); the processes that
	// run a package's function must see the same directory. Default: the
	// user's cache directory's signalbox/.
	DataDir string
	// Now is the clock of every date written; time.Now when nil.
	Now func() time.Time
	// Rand picks an alias's version by its weights: a number in [0, 1);
	// math/rand's when nil.
	Rand func() float64
	// ConcurrencyLimit is the most one function may reserve
	// (PutFunctionConcurrency); default 900, Lambda's default account
	// limit (1,000) less the 100 kept unreserved.
	ConcurrencyLimit int
	Logger           *slog.Logger
}

// Service is the management plane of functions. It is safe for
// concurrent use.
type Service struct {
	st *store.Client
	o  Options
}

var _ Resolver = (*Service)(nil)

// NewService returns the functions kept in st.
func NewService(st *store.Client, o Options) *Service {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.ConcurrencyLimit <= 0 {
		o.ConcurrencyLimit = defaultConcurrencyLimit
	}
	if o.DataDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		o.DataDir = filepath.Join(dir, "signalbox")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{st: st, o: o}
}

// FunctionARN is the unqualified ARN of the function name.
func (s *Service) FunctionARN(name string) string {
	return "arn:aws:lambda:" + s.o.Region + ":" + s.o.AccountID + ":function:" + name
}

// CreateFunction creates a function (and publishes its version 1 when
// Publish).
func (s *Service) CreateFunction(ctx context.Context, in *CreateFunctionInput) (*FunctionConfiguration, error) {
	r, conc, err := s.newRecord(in)
	if err != nil {
		return nil, err
	}
	if _, err := s.st.FunctionGet(ctx, in.FunctionName); err == nil {
		return nil, conflict("Function already exist: %s", in.FunctionName)
	}
	if err := s.setCode(in.FunctionName, r, in.Code); err != nil {
		return nil, err
	}
	err = s.st.FunctionCreate(ctx, in.FunctionName, r.encode(), conc, in.Tags, s.o.Now())
	if errors.Is(err, store.ErrConflict) {
		return nil, conflict("Function already exist: %s", in.FunctionName)
	}
	if err != nil {
		return nil, err
	}
	if in.Publish {
		return s.publish(ctx, in.FunctionName, "", "", nil)
	}
	return s.configuration(in.FunctionName, latest, r), nil
}

// CheckFunction checks a CreateFunction request as CreateFunction does,
// writing nothing: a package is read, not unpacked.
func (s *Service) CheckFunction(in *CreateFunctionInput) error {
	r, _, err := s.newRecord(in)
	if err != nil || r.Kind != kindZip {
		return err
	}
	if in.Code == nil || len(in.Code.ZipFile) == 0 {
		return invalidParam("Code.ZipFile is required: the function's .zip deployment package")
	}
	if len(in.Code.ZipFile) > MaxZipBytes {
		return apiErr(CodeRequestTooLarge, http.StatusRequestEntityTooLarge, "Request must be smaller than %d bytes for the CreateFunction operation", MaxZipBytes)
	}
	if _, err := zip.NewReader(bytes.NewReader(in.Code.ZipFile), int64(len(in.Code.ZipFile))); err != nil {
		return invalidZip("Please check your file, then try to upload again: %v", err)
	}
	return nil
}

// newRecord is the $LATEST record a CreateFunction request makes, checked,
// without its code; and the reserved concurrency (-1: none).
func (s *Service) newRecord(in *CreateFunctionInput) (*record, int, error) {
	if err := checkName(in.FunctionName); err != nil {
		return nil, 0, err
	}
	if err := s.checkUnsupported(in); err != nil {
		return nil, 0, err
	}
	r := &record{Runtime: in.Runtime, Handler: in.Handler, Role: in.Role, Timeout: defaultTimeout, MemorySize: defaultMemory,
		LastModified: s.o.Now().UnixMilli(), RevisionID: integrations.NewUUID(), Architectures: in.Architectures}
	if in.Description != nil {
		r.Description = *in.Description
	}
	r.setSettings(in.Timeout, in.MemorySize, in.Environment, in.TracingConfig, in.EphemeralStorage)
	if r.Role == "" {
		r.Role = "arn:aws:iam::" + s.o.AccountID + ":role/signalbox"
	}
	if err := s.checkConfig(r); err != nil {
		return nil, 0, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, 0, err
	}
	conc := -1
	if in.ReservedConcurrency != nil && *in.ReservedConcurrency >= 0 {
		conc = *in.ReservedConcurrency
		if err := s.checkConcurrency(conc); err != nil {
			return nil, 0, err
		}
	}
	return r, conc, nil
}

// setCode sets a record's code from a request's Code: a package is
// unpacked into the function's directory (once per package: the
// directory is named by its hash); an HTTP function's code is its
// endpoint and an executable's its path, whose hash is CodeSha256.
func (s *Service) setCode(name string, r *record, code *FunctionCode) error {
	if code == nil {
		code = &FunctionCode{}
	}
	switch {
	case code.S3Bucket != "" || code.S3Key != "" || code.S3ObjectVersion != "":
		return notSupported("Code.S3Bucket (give the package as Code.ZipFile)")
	case code.ImageURI != "":
		return notSupported("Code.ImageUri (container images)")
	}
	if r.Kind != kindZip {
		if len(code.ZipFile) > 0 {
			return invalidParam("A function of Runtime %q has no deployment package: its Handler is its code", r.Runtime)
		}
		r.CodeSha256, r.CodeSize, r.Executable, r.CodeDir = codeSha256([]byte(r.Handler)), 0, "", ""
		if r.Kind == kindExec {
			r.Executable, r.CodeDir = r.Handler, filepath.Dir(r.Handler)
			if fi, err := os.Stat(r.Handler); err == nil {
				r.CodeSize = fi.Size()
			}
		}
		return nil
	}
	if len(code.ZipFile) == 0 {
		return invalidParam("Code.ZipFile is required: the function's .zip deployment package")
	}
	dir := filepath.Join(s.o.DataDir, "functions", name, codeDirName(code.ZipFile))
	if _, err := os.Stat(dir); err != nil {
		// unpacked beside, then renamed: a directory that exists is whole
		tmp := dir + ".tmp-" + integrations.NewUUID()
		if err := Unzip(code.ZipFile, tmp); err != nil {
			return err
		}
		if err := os.Rename(tmp, dir); err != nil {
			_ = os.RemoveAll(tmp)
			if _, serr := os.Stat(dir); serr != nil { // not another request's rename first
				return fmt.Errorf("function: code directory: %w", err)
			}
		}
	}
	exe, err := findExecutable(dir, r.Handler)
	if err != nil {
		return err
	}
	r.Executable, r.CodeDir = exe, dir
	r.CodeSha256, r.CodeSize = codeSha256(code.ZipFile), int64(len(code.ZipFile))
	return nil
}

// GetFunctionConfiguration answers a version's configuration.
func (s *Service) GetFunctionConfiguration(ctx context.Context, name, qualifier string) (*FunctionConfiguration, error) {
	ref, err := s.ref(name, qualifier)
	if err != nil {
		return nil, err
	}
	v, r, err := s.version(ctx, ref.Name, ref.Qualifier)
	if err != nil {
		return nil, err
	}
	return s.configuration(ref.Name, v, r), nil
}

// GetFunction answers a version's configuration, its code's location,
// the function's tags and its reserved concurrency.
func (s *Service) GetFunction(ctx context.Context, name, qualifier string) (*GetFunctionOutput, error) {
	ref, err := s.ref(name, qualifier)
	if err != nil {
		return nil, err
	}
	v, r, err := s.version(ctx, ref.Name, ref.Qualifier)
	if err != nil {
		return nil, err
	}
	out := &GetFunctionOutput{Configuration: s.configuration(ref.Name, v, r), Code: CodeLocation{RepositoryType: "S3"}}
	switch r.Kind {
	case kindHTTP:
		out.Code.Location = r.Handler
	default:
		out.Code.Location = "file://" + filepath.ToSlash(r.CodeDir)
	}
	if out.Tags, err = s.st.FunctionTags(ctx, ref.Name); err != nil {
		return nil, err
	}
	f, err := s.st.FunctionGet(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	if f.ReservedConcurrency >= 0 {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: &f.ReservedConcurrency}
	}
	return out, nil
}

// ListFunctions answers a page of the functions' $LATEST configurations,
// by name. FunctionVersion ALL is not supported (ListVersionsByFunction
// lists a function's versions).
func (s *Service) ListFunctions(ctx context.Context, marker string, maxItems int, functionVersion string) (*ListFunctionsOutput, error) {
	limit, err := listLimit(maxItems)
	if err != nil {
		return nil, err
	}
	if functionVersion != "" {
		if functionVersion != "ALL" {
			return nil, validation("1 validation error detected: Value '%s' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]", clip(functionVersion))
		}
		return nil, notSupported("ListFunctions with FunctionVersion ALL: list a function's versions with ListVersionsByFunction")
	}
	after, err := decodeMarker(marker)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionsOutput{Functions: []*FunctionConfiguration{}}
	for {
		names, next, err := s.st.FunctionList(ctx, after, limit-len(out.Functions))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if _, r, err := s.function(ctx, n); err == nil {
				out.Functions = append(out.Functions, s.configuration(n, latest, r))
			} // else deleted since: the index lags
			after = n
		}
		if next == "" {
			return out, nil
		}
		if len(out.Functions) == limit {
			out.NextMarker = encodeMarker(after)
			return out, nil
		}
	}
}

// DeleteFunction deletes a function with its versions and aliases, or
// (qualifier) one version, which no alias may route to.
func (s *Service) DeleteFunction(ctx context.Context, name, qualifier string) error {
	ref, err := s.ref(name, qualifier)
	if err != nil {
		return err
	}
	if _, _, err := s.function(ctx, ref.Name); err != nil {
		return err
	}
	switch {
	case ref.Qualifier == "":
		if err := s.st.FunctionDelete(ctx, ref.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		// the packages go with the function (a process still running one
		// keeps its open files)
		if err := os.RemoveAll(filepath.Join(s.o.DataDir, "functions", ref.Name)); err != nil {
			s.o.Logger.Warn("function: removing the packages of a deleted function", "function", ref.Name, "err", err)
		}
		return nil
	case ref.Qualifier == latest:
		return invalidParam("$LATEST version cannot be deleted without deleting the function.")
	case !isVersion(ref.Qualifier):
		return invalidParam("Deletion of aliases is not supported with DeleteFunction: use DeleteAlias")
	}
	n, _ := parseVersion(ref.Qualifier)
	err = s.st.FunctionVersionDelete(ctx, ref.Name, n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("Function not found: %s:%s", s.FunctionARN(ref.Name), ref.Qualifier)
	case errors.Is(err, store.ErrConflict):
		return conflict("Unable to delete version because the following aliases reference it: %s", strings.TrimPrefix(err.Error(), store.ErrConflict.Error()+": "))
	}
	return err
}

// UpdateFunctionCode replaces $LATEST's package (and publishes a version
// when Publish). A function of the runtimes http and executable has none:
// its Handler is its code (UpdateFunctionConfiguration).
func (s *Service) UpdateFunctionCode(ctx context.Context, in *UpdateFunctionCodeInput) (*FunctionConfiguration, error) {
	ref, err := s.ref(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if ref.Qualifier != "" {
		return nil, invalidParam("UpdateFunctionCode changes $LATEST: the FunctionName has no qualifier")
	}
	for {
		f, r, err := s.function(ctx, ref.Name)
		if err != nil {
			return nil, err
		}
		if in.RevisionID != "" && in.RevisionID != r.RevisionID {
			return nil, precondition("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
		}
		if r.Kind != kindZip {
			return nil, invalidParam("A function of Runtime %q has no deployment package: change its Handler with UpdateFunctionConfiguration", r.Runtime)
		}
		n := *r
		if len(in.Architectures) > 0 {
			n.Architectures = in.Architectures
			if err := s.checkConfig(&n); err != nil {
				return nil, err
			}
		}
		if err := s.setCode(ref.Name, &n, &FunctionCode{ZipFile: in.ZipFile, S3Bucket: in.S3Bucket, S3Key: in.S3Key,
			S3ObjectVersion: in.S3ObjectVersion, ImageURI: in.ImageURI}); err != nil {
			return nil, err
		}
		if in.DryRun {
			return s.configuration(ref.Name, latest, &n), nil
		}
		n.LastModified, n.RevisionID = s.o.Now().UnixMilli(), integrations.NewUUID()
		err = s.st.FunctionSwapLatest(ctx, ref.Name, f.Latest, n.encode())
		if errors.Is(err, store.ErrStale) {
			continue // another update came first: apply this one on it
		}
		if err != nil {
			return nil, err
		}
		if in.Publish {
			return s.publish(ctx, ref.Name, "", "", nil)
		}
		return s.configuration(ref.Name, latest, &n), nil
	}
}

// UpdateFunctionConfiguration changes $LATEST's configuration. A
// function's kind does not change: Runtime moves between Lambda's
// runtimes, and http and executable stay what they are.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *UpdateFunctionConfigurationInput) (*FunctionConfiguration, error) {
	ref, err := s.ref(in.FunctionName, "")
	if err != nil {
		return nil, err
	}
	if ref.Qualifier != "" {
		return nil, invalidParam("UpdateFunctionConfiguration changes $LATEST: the FunctionName has no qualifier")
	}
	if err := s.checkUnsupported(&CreateFunctionInput{Layers: in.Layers, FileSystemConfigs: in.FileSystemConfigs, ImageConfig: in.ImageConfig}); err != nil {
		return nil, err
	}
	for {
		f, r, err := s.function(ctx, ref.Name)
		if err != nil {
			return nil, err
		}
		if in.RevisionID != "" && in.RevisionID != r.RevisionID {
			return nil, precondition("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
		}
		n := *r
		set := func(p *string, to *string) {
			if p != nil {
				*to = *p
			}
		}
		set(in.Runtime, &n.Runtime)
		set(in.Role, &n.Role)
		set(in.Handler, &n.Handler)
		set(in.Description, &n.Description)
		n.setSettings(in.Timeout, in.MemorySize, in.Environment, in.TracingConfig, in.EphemeralStorage)
		if kindOf(n.Runtime) != r.Kind {
			return nil, invalidParam("A function's Runtime cannot change between a .zip package's runtimes and %q or %q: create the function again", RuntimeHTTP, RuntimeExecutable)
		}
		if err := s.checkConfig(&n); err != nil {
			return nil, err
		}
		switch n.Kind {
		case kindZip:
			if n.Handler != r.Handler && n.CodeDir != "" {
				exe, err := findExecutable(n.CodeDir, n.Handler)
				if err != nil {
					return nil, err
				}
				n.Executable = exe
			}
		default:
			if err := s.setCode(ref.Name, &n, nil); err != nil {
				return nil, err
			}
		}
		n.LastModified, n.RevisionID = s.o.Now().UnixMilli(), integrations.NewUUID()
		err = s.st.FunctionSwapLatest(ctx, ref.Name, f.Latest, n.encode())
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return s.configuration(ref.Name, latest, &n), nil
	}
}
