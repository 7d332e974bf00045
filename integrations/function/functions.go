package function

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
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

// record is a function's $LATEST or one of its versions, as the store
// keeps it (JSON, opaque to the store).
type record struct {
	Kind          string            `json:"kind"`
	Runtime       string            `json:"runtime,omitempty"`
	Handler       string            `json:"handler,omitempty"`
	Role          string            `json:"role,omitempty"`
	Description   string            `json:"description,omitempty"`
	Timeout       int               `json:"timeout"`
	MemorySize    int               `json:"memorySize"`
	Env           map[string]string `json:"env,omitempty"`
	Executable    string            `json:"executable,omitempty"` // kindZip: the program, in CodeDir
	CodeDir       string            `json:"codeDir,omitempty"`
	CodeSha256    string            `json:"codeSha256"`
	CodeSize      int64             `json:"codeSize"`
	LastModified  int64             `json:"lastModified"` // unix ms
	RevisionID    string            `json:"revisionId"`
	Architectures []string          `json:"architectures,omitempty"`
	TracingMode   string            `json:"tracingMode,omitempty"`
	Ephemeral     int               `json:"ephemeralStorage,omitempty"`
}

func (r *record) encode() string {
	b, _ := json.Marshal(r)
	return string(b)
}

func decodeRecord(s string) (*record, error) {
	r := &record{}
	if err := json.Unmarshal([]byte(s), r); err != nil {
		return nil, fmt.Errorf("function: a stored record is not JSON: %w", err)
	}
	return r, nil
}

// digest is what makes two $LATEST states the same version: everything
// but the revision and the date.
func (r *record) digest() string {
	c := *r
	c.RevisionID, c.LastModified, c.Description = "", 0, ""
	sum := sha256.Sum256([]byte(c.encode()))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Environment is a function's variables (CreateFunction's Environment).
type Environment struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// FunctionCode is CreateFunction's Code: a .zip deployment package
// (ZipFile, base64 in JSON). S3 and images are refused.
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageURI        string `json:"ImageUri,omitempty"`
}

// TracingConfig is the X-Ray mode, kept and shown, not acted on.
type TracingConfig struct {
	Mode string `json:"Mode,omitempty"`
}

// EphemeralStorage is /tmp's size, kept and shown, not enforced.
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// CreateFunctionInput is CreateFunction's request, by the API's names.
// The members Signalbox does not implement are refused when set to
// anything but their defaults (Layers, FileSystemConfigs, ImageConfig,
// CodeSigningConfigArn, PackageType Image); the ones it cannot honour but
// that change nothing a function computes are accepted and not kept
// (VpcConfig, KMSKeyArn, DeadLetterConfig, LoggingConfig, SnapStart).
type CreateFunctionInput struct {
	FunctionName         string            `json:"FunctionName"`
	Runtime              string            `json:"Runtime,omitempty"`
	Role                 string            `json:"Role,omitempty"`
	Handler              string            `json:"Handler,omitempty"`
	Code                 *FunctionCode     `json:"Code,omitempty"`
	Description          *string           `json:"Description,omitempty"`
	Timeout              *int              `json:"Timeout,omitempty"`
	MemorySize           *int              `json:"MemorySize,omitempty"`
	Publish              bool              `json:"Publish,omitempty"`
	Environment          *Environment      `json:"Environment,omitempty"`
	Tags                 map[string]string `json:"Tags,omitempty"`
	PackageType          string            `json:"PackageType,omitempty"`
	Architectures        []string          `json:"Architectures,omitempty"`
	TracingConfig        *TracingConfig    `json:"TracingConfig,omitempty"`
	EphemeralStorage     *EphemeralStorage `json:"EphemeralStorage,omitempty"`
	Layers               []string          `json:"Layers,omitempty"`
	FileSystemConfigs    []json.RawMessage `json:"FileSystemConfigs,omitempty"`
	ImageConfig          json.RawMessage   `json:"ImageConfig,omitempty"`
	CodeSigningConfigArn string            `json:"CodeSigningConfigArn,omitempty"`
	// ReservedConcurrency is the config file's (-1 or nil: none); the API
	// sets it with PutFunctionConcurrency.
	ReservedConcurrency *int `json:"-"`
}

// FunctionConfiguration is a function's version as the API shows it.
type FunctionConfiguration struct {
	FunctionName     string               `json:"FunctionName"`
	FunctionArn      string               `json:"FunctionArn"`
	Runtime          string               `json:"Runtime,omitempty"`
	Role             string               `json:"Role,omitempty"`
	Handler          string               `json:"Handler,omitempty"`
	CodeSize         int64                `json:"CodeSize"`
	Description      string               `json:"Description"`
	Timeout          int                  `json:"Timeout"`
	MemorySize       int                  `json:"MemorySize"`
	LastModified     string               `json:"LastModified"`
	CodeSha256       string               `json:"CodeSha256"`
	Version          string               `json:"Version"`
	Environment      *EnvironmentResponse `json:"Environment,omitempty"`
	TracingConfig    TracingConfig        `json:"TracingConfig"`
	RevisionID       string               `json:"RevisionId"`
	State            string               `json:"State"`
	LastUpdateStatus string               `json:"LastUpdateStatus"`
	PackageType      string               `json:"PackageType"`
	Architectures    []string             `json:"Architectures"`
	EphemeralStorage EphemeralStorage     `json:"EphemeralStorage"`
}

// EnvironmentResponse is a configuration's variables.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables"`
}

// lambdaTime is LastModified's form: ISO 8601 with +0000.
const lambdaTime = "2006-01-02T15:04:05.000-0700"

func (s *Service) configuration(name, version string, r *record) *FunctionConfiguration {
	arn := s.FunctionARN(name)
	if version != latest {
		arn += ":" + version
	}
	c := &FunctionConfiguration{FunctionName: name, FunctionArn: arn, Runtime: r.Runtime, Role: r.Role, Handler: r.Handler,
		CodeSize: r.CodeSize, Description: r.Description, Timeout: r.Timeout, MemorySize: r.MemorySize,
		LastModified: time.UnixMilli(r.LastModified).UTC().Format(lambdaTime), CodeSha256: r.CodeSha256, Version: version,
		TracingConfig: TracingConfig{Mode: cmpOr(r.TracingMode, "PassThrough")}, RevisionID: r.RevisionID,
		State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip",
		Architectures: r.Architectures, EphemeralStorage: EphemeralStorage{Size: cmpInt(r.Ephemeral, 512)}}
	if len(c.Architectures) == 0 {
		c.Architectures = []string{"x86_64"}
	}
	if len(r.Env) > 0 {
		c.Environment = &EnvironmentResponse{Variables: r.Env}
	}
	return c
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
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
	if in.Timeout != nil {
		r.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		r.MemorySize = *in.MemorySize
	}
	if in.Environment != nil {
		r.Env = in.Environment.Variables
	}
	if in.TracingConfig != nil {
		r.TracingMode = in.TracingConfig.Mode
	}
	if in.EphemeralStorage != nil {
		r.Ephemeral = in.EphemeralStorage.Size
	}
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

// checkUnsupported refuses what Signalbox does not implement.
func (s *Service) checkUnsupported(in *CreateFunctionInput) error {
	switch {
	case len(in.Layers) > 0:
		return notSupported("Layers (put what a layer holds into the deployment package)")
	case len(in.FileSystemConfigs) > 0:
		return notSupported("FileSystemConfigs")
	case in.PackageType != "" && in.PackageType != "Zip":
		return notSupported("PackageType " + in.PackageType + " (container images): use a .zip package, or the runtimes http and executable")
	case len(in.ImageConfig) > 0 && string(in.ImageConfig) != "null":
		return notSupported("ImageConfig")
	case in.CodeSigningConfigArn != "":
		return notSupported("CodeSigningConfigArn")
	}
	return nil
}

// kindOf is the kind of function a runtime makes.
func kindOf(runtime string) string {
	switch runtime {
	case RuntimeHTTP:
		return kindHTTP
	case RuntimeExecutable:
		return kindExec
	}
	return kindZip
}

// checkConfig checks a record's configuration (not its code) as
// CreateFunction and UpdateFunctionConfiguration do.
func (s *Service) checkConfig(r *record) error {
	r.Kind = kindOf(r.Runtime)
	switch {
	case r.Runtime == "":
		return invalidParam("Runtime is required for a .zip deployment package (Signalbox takes no container images; or give Runtime %q with the endpoint as Handler, or %q with the program's path as Handler)", RuntimeHTTP, RuntimeExecutable)
	case !runtimeRE.MatchString(r.Runtime):
		return validation("1 validation error detected: Value '%s' at 'runtime' failed to satisfy constraint: Member must be a runtime name", clip(r.Runtime))
	case r.Timeout < minTimeout || r.Timeout > maxTimeout:
		return validation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value between %d and %d", r.Timeout, minTimeout, maxTimeout)
	case r.MemorySize < minMemory || r.MemorySize > maxMemory:
		return validation("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value between %d and %d", r.MemorySize, minMemory, maxMemory)
	case len(r.Description) > maxDescription:
		return validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
	case !roleRE.MatchString(r.Role):
		return validation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", clip(r.Role))
	case r.Ephemeral != 0 && (r.Ephemeral < 512 || r.Ephemeral > 10240):
		return validation("1 validation error detected: Value '%d' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between 512 and 10240", r.Ephemeral)
	case r.TracingMode != "" && r.TracingMode != "Active" && r.TracingMode != "PassThrough":
		return validation("1 validation error detected: Value '%s' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]", clip(r.TracingMode))
	}
	for _, a := range r.Architectures {
		if a != "x86_64" && a != "arm64" || len(r.Architectures) > 1 {
			return validation("1 validation error detected: Value '[%s]' at 'architectures' failed to satisfy constraint: Member must have length 1 and be x86_64 or arm64", clip(strings.Join(r.Architectures, ", ")))
		}
	}
	switch r.Kind {
	case kindHTTP:
		if err := checkEndpoint(r.Handler); err != nil {
			return err
		}
	case kindExec:
		if err := checkProgram(r.Handler); err != nil {
			return err
		}
	default:
		if r.Handler != "" && (len(r.Handler) > maxHandler || !handlerRE.MatchString(r.Handler)) {
			return validation("1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+ and have length less than or equal to %d", clip(r.Handler), maxHandler)
		}
	}
	return checkEnv(r.Env)
}

// checkEndpoint checks an HTTP function's URL.
func checkEndpoint(h string) error {
	u, err := url.Parse(h)
	if h == "" || len(h) > maxEndpoint || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return invalidParam("Runtime %q takes the function's endpoint as Handler: an http or https URL of at most %d characters without credentials, got %q", RuntimeHTTP, maxEndpoint, clip(h))
	}
	return nil
}

// checkProgram checks an executable function's program: an absolute
// path to a regular file that may be executed.
func checkProgram(h string) error {
	if h == "" || len(h) > maxEndpoint || !filepath.IsAbs(h) {
		return invalidParam("Runtime %q takes the absolute path of the program as Handler, got %q", RuntimeExecutable, clip(h))
	}
	fi, err := os.Stat(h)
	switch {
	case err != nil:
		return invalidParam("Runtime %q: the program %s: %v", RuntimeExecutable, clip(h), errors.Unwrap(err))
	case !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0:
		return invalidParam("Runtime %q: %s is not an executable file", RuntimeExecutable, clip(h))
	}
	return nil
}

// checkEnv checks a function's variables as Lambda does: names of
// letters, digits and underscores starting with a letter, none Lambda
// sets itself, at most 4 KB in all.
func checkEnv(env map[string]string) error {
	size := 0
	var reserved []string
	for k, v := range env {
		if !envKeyRE.MatchString(k) {
			return validation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
		if slices.Contains(reservedEnv, k) {
			reserved = append(reserved, k)
		}
		size += len(k) + len(v)
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	if size > maxEnvBytes {
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d bytes", size)
	}
	return nil
}

// checkTags checks tags as TagResource does.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return invalidParam("A function has at most %d tags; the request has %d", maxTags, len(tags))
	}
	for k, v := range tags {
		if k == "" || len(k) > maxTagKey || len(v) > maxTagValue || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidParam("A tag's key is 1-%d characters not starting with aws:, its value at most %d: %q", maxTagKey, maxTagValue, clip(k))
		}
	}
	return nil
}

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and %d", clip(name), maxFunctionName)
	}
	return nil
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

// function reads a function's stored record, or ResourceNotFoundException.
func (s *Service) function(ctx context.Context, name string) (*store.FunctionRecord, *record, error) {
	f, err := s.st.FunctionGet(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound("Function not found: %s", s.FunctionARN(name))
	}
	if err != nil {
		return nil, nil, err
	}
	r, err := decodeRecord(f.Latest)
	if err != nil {
		return nil, nil, err
	}
	return f, r, nil
}

// ref parses a FunctionName and Qualifier, and refuses an ARN of another
// region or account (Lambda's functions are per region and account).
func (s *Service) ref(name, qualifier string) (functionRef, error) {
	r, err := parseRef(name, qualifier)
	if err != nil {
		return r, err
	}
	if (r.Region != "" && r.Region != s.o.Region) || (r.Account != "" && r.Account != s.o.AccountID) {
		return r, notFound("Function not found: %s (this server is region %s, account %s)", clip(name), s.o.Region, s.o.AccountID)
	}
	return r, nil
}

// version reads the record a qualifier names: $LATEST, a version or an
// alias (its primary version); it returns the version's name.
func (s *Service) version(ctx context.Context, name, qualifier string) (string, *record, error) {
	_, r, err := s.function(ctx, name)
	if err != nil {
		return "", nil, err
	}
	if qualifier == "" || qualifier == latest {
		return latest, r, nil
	}
	v := qualifier
	if !isVersion(qualifier) {
		a, err := s.st.FunctionAliasGet(ctx, name, qualifier)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, notFound("Function not found: %s:%s", s.FunctionARN(name), qualifier)
		}
		if err != nil {
			return "", nil, err
		}
		v = a.Version
		if v == latest {
			return latest, r, nil
		}
	}
	r, err = s.versionRecord(ctx, name, v)
	return v, r, err
}

func (s *Service) versionRecord(ctx context.Context, name, v string) (*record, error) {
	n, err := parseVersion(v)
	if err != nil {
		return nil, notFound("Function not found: %s:%s", s.FunctionARN(name), v)
	}
	rec, err := s.st.FunctionVersionGet(ctx, name, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Function not found: %s:%s", s.FunctionARN(name), v)
	}
	if err != nil {
		return nil, err
	}
	return decodeRecord(rec)
}

func parseVersion(v string) (int, error) {
	if !isVersion(v) {
		return 0, fmt.Errorf("not a version: %q", v)
	}
	var n int
	_, err := fmt.Sscan(v, &n)
	return n, err
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

// GetFunctionOutput is GetFunction's answer.
type GetFunctionOutput struct {
	Configuration *FunctionConfiguration `json:"Configuration"`
	Code          CodeLocation           `json:"Code"`
	Tags          map[string]string      `json:"Tags,omitempty"`
	Concurrency   *Concurrency           `json:"Concurrency,omitempty"`
}

// CodeLocation is where a version's package is: Signalbox has no URL to
// download it from, and says where it is unpacked instead.
type CodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location,omitempty"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
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

// ListFunctionsOutput is a page of ListFunctions or
// ListVersionsByFunction.
type ListFunctionsOutput struct {
	Functions  []*FunctionConfiguration `json:"Functions,omitempty"`
	Versions   []*FunctionConfiguration `json:"Versions,omitempty"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

// listLimit is a page's size: MaxItems 1-10,000, 50 when absent.
func listLimit(maxItems int) (int, error) {
	if maxItems == 0 {
		return defaultListItems, nil
	}
	if maxItems < 1 || maxItems > maxListItems {
		return 0, validation("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", maxItems, maxListItems)
	}
	return maxItems, nil
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

// A marker is the last name or version of the page before, opaque to
// the caller.
func encodeMarker(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeMarker(m string) (string, error) {
	if m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(b) == 0 || len(b) > 256 {
		return "", invalidParam("Invalid Marker %q: pass the NextMarker of the page before", clip(m))
	}
	return string(b), nil
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

// UpdateFunctionCodeInput is UpdateFunctionCode's request.
type UpdateFunctionCodeInput struct {
	FunctionName    string   `json:"-"`
	ZipFile         []byte   `json:"ZipFile,omitempty"`
	S3Bucket        string   `json:"S3Bucket,omitempty"`
	S3Key           string   `json:"S3Key,omitempty"`
	S3ObjectVersion string   `json:"S3ObjectVersion,omitempty"`
	ImageURI        string   `json:"ImageUri,omitempty"`
	Publish         bool     `json:"Publish,omitempty"`
	DryRun          bool     `json:"DryRun,omitempty"`
	RevisionID      string   `json:"RevisionId,omitempty"`
	Architectures   []string `json:"Architectures,omitempty"`
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

// UpdateFunctionConfigurationInput is UpdateFunctionConfiguration's
// request: the members given change, the others stay.
type UpdateFunctionConfigurationInput struct {
	FunctionName      string            `json:"-"`
	Runtime           *string           `json:"Runtime,omitempty"`
	Role              *string           `json:"Role,omitempty"`
	Handler           *string           `json:"Handler,omitempty"`
	Description       *string           `json:"Description,omitempty"`
	Timeout           *int              `json:"Timeout,omitempty"`
	MemorySize        *int              `json:"MemorySize,omitempty"`
	Environment       *Environment      `json:"Environment,omitempty"`
	RevisionID        string            `json:"RevisionId,omitempty"`
	TracingConfig     *TracingConfig    `json:"TracingConfig,omitempty"`
	EphemeralStorage  *EphemeralStorage `json:"EphemeralStorage,omitempty"`
	Layers            []string          `json:"Layers,omitempty"`
	FileSystemConfigs []json.RawMessage `json:"FileSystemConfigs,omitempty"`
	ImageConfig       json.RawMessage   `json:"ImageConfig,omitempty"`
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
		if in.Timeout != nil {
			n.Timeout = *in.Timeout
		}
		if in.MemorySize != nil {
			n.MemorySize = *in.MemorySize
		}
		if in.Environment != nil {
			n.Env = in.Environment.Variables
		}
		if in.TracingConfig != nil {
			n.TracingMode = in.TracingConfig.Mode
		}
		if in.EphemeralStorage != nil {
			n.Ephemeral = in.EphemeralStorage.Size
		}
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

// PutFunctionConcurrency reserves concurrency for a function (0 stops
// its invocations).
func (s *Service) PutFunctionConcurrency(ctx context.Context, name string, n *int) (*Concurrency, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, validation("ReservedConcurrentExecutions is required.")
	}
	if err := s.checkConcurrency(*n); err != nil {
		return nil, err
	}
	if err := s.st.FunctionSetConcurrency(ctx, ref.Name, *n); errors.Is(err, store.ErrNotFound) {
		return nil, notFound("Function not found: %s", s.FunctionARN(ref.Name))
	} else if err != nil {
		return nil, err
	}
	v := *n
	return &Concurrency{ReservedConcurrentExecutions: &v}, nil
}

func (s *Service) checkConcurrency(n int) error {
	if n < 0 || n > s.o.ConcurrencyLimit {
		return invalidParam("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]: at most %d", s.o.ConcurrencyLimit)
	}
	return nil
}

// GetFunctionConcurrency answers a function's reserved concurrency
// (none: an empty answer).
func (s *Service) GetFunctionConcurrency(ctx context.Context, name string) (*Concurrency, error) {
	ref, err := s.unqualified(name)
	if err != nil {
		return nil, err
	}
	f, _, err := s.function(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	out := &Concurrency{}
	if f.ReservedConcurrency >= 0 {
		out.ReservedConcurrentExecutions = &f.ReservedConcurrency
	}
	return out, nil
}

// DeleteFunctionConcurrency removes a function's reserved concurrency.
func (s *Service) DeleteFunctionConcurrency(ctx context.Context, name string) error {
	ref, err := s.unqualified(name)
	if err != nil {
		return err
	}
	if err := s.st.FunctionSetConcurrency(ctx, ref.Name, -1); errors.Is(err, store.ErrNotFound) {
		return notFound("Function not found: %s", s.FunctionARN(ref.Name))
	} else if err != nil {
		return err
	}
	return nil
}

// unqualified parses a FunctionName that must have no qualifier.
func (s *Service) unqualified(name string) (functionRef, error) {
	ref, err := s.ref(name, "")
	if err == nil && ref.Qualifier != "" {
		err = invalidParam("This operation takes an unqualified FunctionName, got %q", clip(name))
	}
	return ref, err
}

// taggable parses a TagResource/ListTags/UntagResource Resource: a
// function's unqualified ARN.
func (s *Service) taggable(ctx context.Context, arn string) (string, error) {
	if !strings.HasPrefix(arn, arnPrefix) {
		return "", validation("1 validation error detected: Value '%s' at 'resource' failed to satisfy constraint: Member must be a function's ARN", clip(arn))
	}
	ref, err := s.unqualified(arn)
	if err != nil {
		return "", err
	}
	if _, _, err := s.function(ctx, ref.Name); err != nil {
		return "", err
	}
	return ref.Name, nil
}

// TagResource adds tags to a function.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	name, err := s.taggable(ctx, arn)
	if err != nil {
		return err
	}
	if len(tags) == 0 {
		return validation("Tags is required.")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	err = s.st.FunctionTag(ctx, name, tags, nil, maxTags)
	switch {
	case errors.Is(err, store.ErrLimit):
		return invalidParam("A function has at most %d tags", maxTags)
	case errors.Is(err, store.ErrNotFound):
		return notFound("Function not found: %s", s.FunctionARN(name))
	}
	return err
}

// UntagResource removes tags of a function.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	name, err := s.taggable(ctx, arn)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return validation("TagKeys is required.")
	}
	if len(keys) > maxTags {
		return invalidParam("At most %d tag keys", maxTags)
	}
	if err := s.st.FunctionTag(ctx, name, nil, keys, maxTags); errors.Is(err, store.ErrNotFound) {
		return notFound("Function not found: %s", s.FunctionARN(name))
	} else if err != nil {
		return err
	}
	return nil
}

// ListTags answers a function's tags.
func (s *Service) ListTags(ctx context.Context, arn string) (map[string]string, error) {
	name, err := s.taggable(ctx, arn)
	if err != nil {
		return nil, err
	}
	return s.st.FunctionTags(ctx, name)
}

// Resolve finds the version a FunctionName and Qualifier name, as Invoke
// and the Task states do: an alias is its version, or by its routing
// weights the additional one (Options.Rand picks). Errors: ErrNotFound
// (a ResourceNotFoundException) when there is no such function, version
// or alias; another *APIError for a malformed name.
func (s *Service) Resolve(ctx context.Context, name, qualifier string) (*Config, error) {
	ref, err := s.ref(name, qualifier)
	if err != nil {
		return nil, err
	}
	f, r, err := s.function(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	v := latest
	switch q := ref.Qualifier; {
	case q == "" || q == latest:
	case isVersion(q):
		v = q
	default:
		a, err := s.st.FunctionAliasGet(ctx, ref.Name, q)
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound("Function not found: %s:%s", s.FunctionARN(ref.Name), q)
		}
		if err != nil {
			return nil, err
		}
		v = a.Version
		if len(a.Extra) > 0 {
			ar, err := decodeAliasRecord(a.Record)
			if err != nil {
				return nil, err
			}
			if w := ar.Weights[a.Extra[0]]; w > 0 && s.o.Rand() < w {
				v = a.Extra[0]
			}
		}
	}
	if v != latest {
		if r, err = s.versionRecord(ctx, ref.Name, v); err != nil {
			return nil, err
		}
	}
	return s.runConfig(ref.Name, v, r, f.ReservedConcurrency), nil
}

// runConfig is a version as an Invoker runs it.
func (s *Service) runConfig(name, version string, r *record, conc int) *Config {
	c := &Config{Name: name, ARN: s.FunctionARN(name), Version: version, Handler: r.Handler, Runtime: r.Runtime,
		Environment: r.Env, Timeout: time.Duration(r.Timeout) * time.Second, MemorySize: r.MemorySize,
		ReservedConcurrency: conc, Description: r.Description, CodeSha256: r.CodeSha256, CodeSize: r.CodeSize,
		LastModified: time.UnixMilli(r.LastModified), RevisionID: r.RevisionID}
	switch r.Kind {
	case kindHTTP:
		c.Endpoint = r.Handler
	default:
		c.Executable, c.CodeDir = r.Executable, r.CodeDir
	}
	return c
}
