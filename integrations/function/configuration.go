package function

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// The stored records of a function, and the shapes the Lambda API answers.

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

// setSettings sets the settings CreateFunction and
// UpdateFunctionConfiguration both take from what the request gives; nil
// leaves a setting as it is.
func (r *record) setSettings(timeout, memorySize *int, env *Environment, tracing *TracingConfig, eph *EphemeralStorage) {
	if timeout != nil {
		r.Timeout = *timeout
	}
	if memorySize != nil {
		r.MemorySize = *memorySize
	}
	if env != nil {
		r.Env = env.Variables
	}
	if tracing != nil {
		r.TracingMode = tracing.Mode
	}
	if eph != nil {
		r.Ephemeral = eph.Size
	}
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
		TracingConfig: TracingConfig{Mode: cmp.Or(r.TracingMode, "PassThrough")}, RevisionID: r.RevisionID,
		State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip",
		Architectures: r.Architectures, EphemeralStorage: EphemeralStorage{Size: cmp.Or(r.Ephemeral, 512)}}
	if len(c.Architectures) == 0 {
		c.Architectures = []string{"x86_64"}
	}
	if len(r.Env) > 0 {
		c.Environment = &EnvironmentResponse{Variables: r.Env}
	}
	return c
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

// ListFunctionsOutput is a page of ListFunctions or
// ListVersionsByFunction.
type ListFunctionsOutput struct {
	Functions  []*FunctionConfiguration `json:"Functions,omitempty"`
	Versions   []*FunctionConfiguration `json:"Versions,omitempty"`
	NextMarker string                   `json:"NextMarker,omitempty"`
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
