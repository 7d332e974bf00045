// Package schemas is the schema registry: the EventBridge Schemas API's
// semantics (registries, schemas with versions, search and export,
// discoverers that infer the schemas of the events a bus carries into the
// discovered-schemas registry, code bindings) on the store, with its own
// keys (store/keys.go, hash tag {sr:<registry>} per registry) and scripts
// (store/schemas.go).
//
// The Service speaks in names, ARNs and the Schemas API's field names; it
// knows no wire protocol: gateway/schemas decodes the REST-JSON protocol
// into these calls and renders their answers (the result types carry the
// API's JSON names). Errors are *Error with the API's error codes
// (NotFoundException, ConflictException, BadRequestException,
// ForbiddenException, ...).
//
// Discovery: the Service is the bus's Observer (bus.Observer): the bus hands
// it the events of each put; it queues them (bounded, dropping with a
// count when full) and a background loop infers their schemas (infer.go)
// for buses with a STARTED discoverer.
package schemas

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Timestamp is a date in the API's ISO 8601 form (UTC, milliseconds).
type Timestamp time.Time

// MarshalJSON writes the date as the REST-JSON protocol does.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

// Registry is a registry as DescribeRegistry, CreateRegistry and
// UpdateRegistry answer it.
type Registry struct {
	Description  string            `json:"Description,omitempty"`
	RegistryArn  string            `json:"RegistryArn"`
	RegistryName string            `json:"RegistryName"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// RegistryList is a page of ListRegistries.
type RegistryList struct {
	NextToken  string     `json:"NextToken,omitempty"`
	Registries []Registry `json:"Registries"`
}

// Schema is a schema version as DescribeSchema answers it (Content ""
// for CreateSchema's and UpdateSchema's answers, which have none).
type Schema struct {
	Content            string            `json:"Content,omitempty"`
	Description        string            `json:"Description,omitempty"`
	LastModified       Timestamp         `json:"LastModified"`
	SchemaArn          string            `json:"SchemaArn"`
	SchemaName         string            `json:"SchemaName"`
	SchemaVersion      string            `json:"SchemaVersion"`
	Tags               map[string]string `json:"tags,omitempty"`
	Type               string            `json:"Type"`
	VersionCreatedDate Timestamp         `json:"VersionCreatedDate"`
}

// SchemaSummary is a schema in ListSchemas.
type SchemaSummary struct {
	LastModified Timestamp         `json:"LastModified"`
	SchemaArn    string            `json:"SchemaArn"`
	SchemaName   string            `json:"SchemaName"`
	Tags         map[string]string `json:"tags,omitempty"`
	VersionCount int64             `json:"VersionCount"`
}

// SchemaList is a page of ListSchemas.
type SchemaList struct {
	NextToken string          `json:"NextToken,omitempty"`
	Schemas   []SchemaSummary `json:"Schemas"`
}

// VersionSummary is a version in ListSchemaVersions.
type VersionSummary struct {
	SchemaArn     string `json:"SchemaArn"`
	SchemaName    string `json:"SchemaName"`
	SchemaVersion string `json:"SchemaVersion"`
	Type          string `json:"Type"`
}

// VersionList is a page of ListSchemaVersions.
type VersionList struct {
	NextToken      string           `json:"NextToken,omitempty"`
	SchemaVersions []VersionSummary `json:"SchemaVersions"`
}

// SearchVersion is a version in a search's answer.
type SearchVersion struct {
	CreatedDate   Timestamp `json:"CreatedDate"`
	SchemaVersion string    `json:"SchemaVersion"`
	Type          string    `json:"Type"`
}

// SearchSummary is a schema a search found.
type SearchSummary struct {
	RegistryName   string          `json:"RegistryName"`
	SchemaArn      string          `json:"SchemaArn"`
	SchemaName     string          `json:"SchemaName"`
	SchemaVersions []SearchVersion `json:"SchemaVersions"`
}

// SearchList is a page of SearchSchemas.
type SearchList struct {
	NextToken string          `json:"NextToken,omitempty"`
	Schemas   []SearchSummary `json:"Schemas"`
}

// Export is ExportSchema's answer.
type Export struct {
	Content       string `json:"Content"`
	SchemaArn     string `json:"SchemaArn"`
	SchemaName    string `json:"SchemaName"`
	SchemaVersion string `json:"SchemaVersion"`
	Type          string `json:"Type"`
}

// The discoverer states.
const (
	StateStarted = "STARTED"
	StateStopped = "STOPPED"
)

// Discoverer is a discoverer as the API answers it.
type Discoverer struct {
	CrossAccount  bool              `json:"CrossAccount"`
	Description   string            `json:"Description,omitempty"`
	DiscovererArn string            `json:"DiscovererArn"`
	DiscovererID  string            `json:"DiscovererId"`
	SourceArn     string            `json:"SourceArn"`
	State         string            `json:"State"`
	Tags          map[string]string `json:"tags,omitempty"`
}

// DiscovererList is a page of ListDiscoverers.
type DiscovererList struct {
	Discoverers []Discoverer `json:"Discoverers"`
	NextToken   string       `json:"NextToken,omitempty"`
}

// DiscovererState is StartDiscoverer's and StopDiscoverer's answer.
type DiscovererState struct {
	DiscovererID string `json:"DiscovererId"`
	State        string `json:"State"`
}

// The code binding statuses.
const (
	BindingInProgress = "CREATE_IN_PROGRESS"
	BindingComplete   = "CREATE_COMPLETE"
	BindingFailed     = "CREATE_FAILED"
)

// CodeBinding is PutCodeBinding's and DescribeCodeBinding's answer.
type CodeBinding struct {
	CreationDate  Timestamp `json:"CreationDate"`
	LastModified  Timestamp `json:"LastModified"`
	SchemaVersion string    `json:"SchemaVersion"`
	Status        string    `json:"Status"`
}

// The Schemas API's error codes and their statuses.
const (
	CodeBadRequest   = "BadRequestException"          // 400
	CodeUnauthorized = "UnauthorizedException"        // 401
	CodeForbidden    = "ForbiddenException"           // 403
	CodeNotFound     = "NotFoundException"            // 404
	CodeConflict     = "ConflictException"            // 409
	CodeGone         = "GoneException"                // 410
	CodePrecondition = "PreconditionFailedException"  // 412
	CodeTooMany      = "TooManyRequestsException"     // 429
	CodeInternal     = "InternalServerErrorException" // 500
	CodeUnavailable  = "ServiceUnavailableException"  // 503
)

// Error is a Schemas API error: Code as AWS spells it and the HTTP status.
type Error struct {
	Code    string
	Message string
	Status  int
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func badRequest(format string, a ...any) *Error {
	return &Error{Code: CodeBadRequest, Message: fmt.Sprintf(format, a...), Status: http.StatusBadRequest}
}

func notFound(format string, a ...any) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf(format, a...), Status: http.StatusNotFound}
}

func conflict(format string, a ...any) *Error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, a...), Status: http.StatusConflict}
}

func forbidden(format string, a ...any) *Error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(format, a...), Status: http.StatusForbidden}
}

// clip shortens user text quoted in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
