package sfn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/runtime"
)

// Step Functions' state machine actions.

// maxDefinition is AWS's limit on a definition: 1 MiB of text.
const maxDefinition = 1 << 20

// loggingConfiguration is accepted only when it asks for no logs:
// Signalbox has no CloudWatch Logs to send them to.
type loggingConfiguration struct {
	Level        string            `json:"level"`
	Destinations []json.RawMessage `json:"destinations"`
}

// encryptionConfiguration is accepted only for AWS's default key.
type encryptionConfiguration struct {
	Type string `json:"type"`
}

type tracingConfiguration struct {
	Enabled bool `json:"enabled"`
}

// tracing is the runtime's tracing flag of a configuration; nil for none.
func (t *tracingConfiguration) tracing() *bool {
	if t == nil {
		return nil
	}
	return &t.Enabled
}

// loggingOff is the loggingConfiguration DescribeStateMachine shows: the
// only one Signalbox accepts, AWS's default.
type loggingOff struct {
	Level                string `json:"level"`
	IncludeExecutionData bool   `json:"includeExecutionData"`
}

// checkConfigurations refuses the configurations Signalbox cannot honour.
// Tracing is always on (every execution is one OpenTelemetry trace), so
// tracingConfiguration is accepted either way.
func checkConfigurations(l *loggingConfiguration, e *encryptionConfiguration) error {
	if l != nil && ((l.Level != "" && l.Level != "OFF") || len(l.Destinations) > 0) {
		return notSupported("loggingConfiguration with level %q and %d destinations: there is no CloudWatch Logs to log to", l.Level, len(l.Destinations))
	}
	if e != nil && e.Type != "" && e.Type != "AWS_OWNED_KEY" {
		return notSupported("encryptionConfiguration of type %q", e.Type)
	}
	return nil
}

func checkDefinition(def string) error {
	if len(def) > maxDefinition {
		return tooLong("definition", len(def), maxDefinition)
	}
	return nil
}

// checkRoleARN checks the form of an IAM role ARN (Signalbox keeps it and
// shows it, and assumes no role).
func checkRoleARN(arn string) error {
	p := strings.Split(arn, ":")
	if len(p) < 6 || p[0] != "arn" || p[2] != "iam" {
		return errorf(excInvalidArn, "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

type createStateMachineInput struct {
	Name                    string                   `json:"name"`
	Definition              string                   `json:"definition"`
	RoleARN                 string                   `json:"roleArn"`
	Type                    string                   `json:"type"`
	LoggingConfiguration    *loggingConfiguration    `json:"loggingConfiguration"`
	TracingConfiguration    *tracingConfiguration    `json:"tracingConfiguration"`
	EncryptionConfiguration *encryptionConfiguration `json:"encryptionConfiguration"`
	Tags                    []tag                    `json:"tags"`
	Publish                 bool                     `json:"publish"`
	VersionDescription      string                   `json:"versionDescription"`
}

type createStateMachineOutput struct {
	StateMachineARN        string `json:"stateMachineArn"`
	CreationDate           epoch  `json:"creationDate"`
	StateMachineVersionARN string `json:"stateMachineVersionArn,omitempty"`
}

func createStateMachine(s *API, ctx context.Context, in *createStateMachineInput) (*createStateMachineOutput, error) {
	switch {
	case in.Name == "":
		return nil, required("name")
	case in.Definition == "":
		return nil, required("definition")
	case in.RoleARN == "":
		return nil, required("roleArn")
	}
	if err := checkDefinition(in.Definition); err != nil {
		return nil, err
	}
	if err := checkRoleARN(in.RoleARN); err != nil {
		return nil, err
	}
	if in.Type != "" && in.Type != runtime.TypeStandard && in.Type != runtime.TypeExpress {
		return nil, notInEnum("type", in.Type, "STANDARD", "EXPRESS")
	}
	if err := checkConfigurations(in.LoggingConfiguration, in.EncryptionConfiguration); err != nil {
		return nil, err
	}
	if in.VersionDescription != "" && !in.Publish {
		return nil, errorf(excValidation, "versionDescription can only be set when publish is true")
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	if err := runtime.CheckTags(tags); err != nil {
		return nil, err
	}
	info, err := s.rt().CreateStateMachine(ctx, runtime.StateMachineParams{
		Name: in.Name, Definition: []byte(in.Definition), Type: in.Type, RoleARN: in.RoleARN,
		Tracing: in.TracingConfiguration.tracing(), Publish: in.Publish, VersionDescription: in.VersionDescription,
	})
	if errors.Is(err, runtime.ErrStateMachineAlreadyExists) {
		return nil, errorf(excStateMachineAlreadyExists, "State Machine Already Exists: '%s'", s.rt().StateMachineARN(in.Name))
	}
	if err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.rt().TagResource(ctx, info.ARN, tags); err != nil {
			return nil, err
		}
	}
	s.warnUnhandled(info.ARN, in.Definition)
	return &createStateMachineOutput{StateMachineARN: info.ARN, CreationDate: at(info.Created), StateMachineVersionARN: info.VersionARN}, nil
}

type updateStateMachineInput struct {
	StateMachineARN         string                   `json:"stateMachineArn"`
	Definition              string                   `json:"definition"`
	RoleARN                 string                   `json:"roleArn"`
	LoggingConfiguration    *loggingConfiguration    `json:"loggingConfiguration"`
	TracingConfiguration    *tracingConfiguration    `json:"tracingConfiguration"`
	EncryptionConfiguration *encryptionConfiguration `json:"encryptionConfiguration"`
	Publish                 bool                     `json:"publish"`
	VersionDescription      string                   `json:"versionDescription"`
}

type updateStateMachineOutput struct {
	UpdateDate             epoch  `json:"updateDate"`
	RevisionID             string `json:"revisionId,omitempty"`
	StateMachineVersionARN string `json:"stateMachineVersionArn,omitempty"`
}

func updateStateMachine(s *API, ctx context.Context, in *updateStateMachineInput) (*updateStateMachineOutput, error) {
	ref, err := s.parseStateMachineARN(in.StateMachineARN, "stateMachineArn", false)
	if err != nil {
		return nil, err
	}
	if in.Definition == "" && in.RoleARN == "" && in.LoggingConfiguration == nil && in.TracingConfiguration == nil && in.EncryptionConfiguration == nil {
		return nil, errorf(excMissingRequiredParameter, "Either the definition, the roleArn, the loggingConfiguration, the tracingConfiguration or the encryptionConfiguration must be specified")
	}
	if err := checkDefinition(in.Definition); err != nil {
		return nil, err
	}
	if in.RoleARN != "" {
		if err := checkRoleARN(in.RoleARN); err != nil {
			return nil, err
		}
	}
	if err := checkConfigurations(in.LoggingConfiguration, in.EncryptionConfiguration); err != nil {
		return nil, err
	}
	if in.VersionDescription != "" && !in.Publish {
		return nil, errorf(excValidation, "versionDescription can only be set when publish is true")
	}
	info, err := s.rt().UpdateStateMachine(ctx, runtime.StateMachineParams{
		Name: ref.Name, Definition: []byte(in.Definition), RoleARN: in.RoleARN,
		Tracing: in.TracingConfiguration.tracing(), Publish: in.Publish, VersionDescription: in.VersionDescription,
	})
	if err != nil {
		return nil, err
	}
	if in.Definition != "" {
		s.warnUnhandled(s.rt().StateMachineARN(ref.Name), in.Definition)
	}
	return &updateStateMachineOutput{UpdateDate: at(info.Updated), RevisionID: info.RevisionID, StateMachineVersionARN: info.VersionARN}, nil
}

type deleteStateMachineInput struct {
	StateMachineARN string `json:"stateMachineArn"`
}

type empty struct{}

// deleteStateMachine deletes a state machine with its versions; as on
// AWS, deleting one that does not exist succeeds.
func deleteStateMachine(s *API, ctx context.Context, in *deleteStateMachineInput) (*empty, error) {
	ref, err := s.parseStateMachineARN(in.StateMachineARN, "stateMachineArn", false)
	if err != nil {
		return nil, err
	}
	return &empty{}, s.rt().DeleteStateMachine(ctx, ref.Name)
}

type describeStateMachineInput struct {
	StateMachineARN string `json:"stateMachineArn"`
	IncludedData    string `json:"includedData"`
}

type describeStateMachineOutput struct {
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	Definition      string `json:"definition,omitempty"`
	RoleARN         string `json:"roleArn"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
	RevisionID      string `json:"revisionId,omitempty"`
	Description     string `json:"description,omitempty"`

	LoggingConfiguration loggingOff           `json:"loggingConfiguration"`
	TracingConfiguration tracingConfiguration `json:"tracingConfiguration"`
}

// describeStateMachine describes a state machine, or one of its versions
// (by version ARN: that version's definition, date and description).
func describeStateMachine(s *API, ctx context.Context, in *describeStateMachineInput) (*describeStateMachineOutput, error) {
	ref, err := s.parseStateMachineARN(in.StateMachineARN, "stateMachineArn", true)
	if err != nil {
		return nil, err
	}
	metadataOnly, err := includedData(in.IncludedData)
	if err != nil {
		return nil, err
	}
	if ref.Alias != "" {
		return nil, errorf(excValidation, "%s is an alias ARN: use DescribeStateMachineAlias", in.StateMachineARN)
	}
	info, err := s.rt().DescribeStateMachine(ctx, ref.Name)
	if err != nil {
		return nil, err
	}
	out := &describeStateMachineOutput{
		StateMachineARN: info.ARN, Name: info.Name, Status: "ACTIVE", Definition: string(info.Definition),
		RoleARN: info.RoleARN, Type: info.Type, CreationDate: at(info.Created), RevisionID: info.RevisionID,
		LoggingConfiguration: loggingOff{Level: "OFF"}, TracingConfiguration: tracingConfiguration{Enabled: info.Tracing},
	}
	if ref.Version > 0 {
		v, err := s.rt().DescribeStateMachineVersion(ctx, ref.Name, ref.Version)
		if err != nil {
			return nil, notFound(err, excStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", in.StateMachineARN)
		}
		out.StateMachineARN, out.Definition, out.CreationDate = in.StateMachineARN, string(v.Definition), at(v.Created)
		out.Description, out.RevisionID = v.Description, ""
	}
	if metadataOnly {
		out.Definition = ""
	}
	return out, nil
}

// includedData reads an includedData member: ALL_DATA (the default) or
// METADATA_ONLY.
func includedData(v string) (metadataOnly bool, err error) {
	switch v {
	case "", "ALL_DATA":
		return false, nil
	case "METADATA_ONLY":
		return true, nil
	}
	return false, notInEnum("includedData", v, "ALL_DATA", "METADATA_ONLY")
}

type listStateMachinesInput struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type stateMachineListItem struct {
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Type            string `json:"type"`
	CreationDate    epoch  `json:"creationDate"`
}

type listStateMachinesOutput struct {
	StateMachines []stateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

func listStateMachines(s *API, ctx context.Context, in *listStateMachinesInput) (*listStateMachinesOutput, error) {
	limit, after, err := page(in.MaxResults, "stateMachines", in.NextToken)
	if err != nil {
		return nil, err
	}
	list, next, err := s.rt().Inspector().ListStateMachines(ctx, after, limit)
	if err != nil {
		return nil, err
	}
	out := &listStateMachinesOutput{StateMachines: []stateMachineListItem{}, NextToken: encodeToken("stateMachines", next)}
	for _, sm := range list {
		out.StateMachines = append(out.StateMachines, stateMachineListItem{
			StateMachineARN: sm.ARN, Name: sm.Name, Type: sm.Type, CreationDate: at(sm.Created),
		})
	}
	return out, nil
}

type validateStateMachineDefinitionInput struct {
	Definition string `json:"definition"`
	Type       string `json:"type"`
	Severity   string `json:"severity"`
	MaxResults int    `json:"maxResults"`
}

type validationDiagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
}

type validateStateMachineDefinitionOutput struct {
	Result      string                 `json:"result"`
	Diagnostics []validationDiagnostic `json:"diagnostics"`
	Truncated   bool                   `json:"truncated"`
}

// validateStateMachineDefinition reports every problem asl finds, each an
// ERROR with its code and JSON-pointer location (asl reports no warnings).
func validateStateMachineDefinition(s *API, ctx context.Context, in *validateStateMachineDefinitionInput) (*validateStateMachineDefinitionOutput, error) {
	if in.Definition == "" {
		return nil, required("definition")
	}
	if err := checkDefinition(in.Definition); err != nil {
		return nil, err
	}
	if in.Type != "" && in.Type != runtime.TypeStandard && in.Type != runtime.TypeExpress {
		return nil, notInEnum("type", in.Type, "STANDARD", "EXPRESS")
	}
	if in.Severity != "" && in.Severity != "ERROR" && in.Severity != "WARNING" {
		return nil, notInEnum("severity", in.Severity, "ERROR", "WARNING")
	}
	if in.MaxResults < 0 || in.MaxResults > 100 {
		return nil, errorf(excValidation, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 100", in.MaxResults)
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 100
	}
	out := &validateStateMachineDefinitionOutput{Result: "OK", Diagnostics: []validationDiagnostic{}}
	for _, d := range asl.Validate([]byte(in.Definition)) {
		out.Result = "FAIL"
		if len(out.Diagnostics) == limit {
			out.Truncated = true
			break
		}
		out.Diagnostics = append(out.Diagnostics, validationDiagnostic{Severity: "ERROR", Code: d.Code, Message: d.Message, Location: d.Path})
	}
	if in.Severity == "WARNING" && !out.Truncated {
		out.Diagnostics, out.Truncated = s.unhandledDiagnostics(in.Definition, out.Diagnostics, limit)
	}
	return out, nil
}

type describeStateMachineForExecutionInput struct {
	ExecutionARN string `json:"executionArn"`
	IncludedData string `json:"includedData"`
}

type describeStateMachineForExecutionOutput struct {
	StateMachineARN string `json:"stateMachineArn"`
	Name            string `json:"name"`
	Definition      string `json:"definition,omitempty"`
	RoleARN         string `json:"roleArn"`
	UpdateDate      epoch  `json:"updateDate,omitzero"`
	RevisionID      string `json:"revisionId,omitempty"`

	LoggingConfiguration loggingOff           `json:"loggingConfiguration"`
	TracingConfiguration tracingConfiguration `json:"tracingConfiguration"`
}

// describeStateMachineForExecution describes the state machine as the
// execution runs it: with the definition it started with.
func describeStateMachineForExecution(s *API, ctx context.Context, in *describeStateMachineForExecutionInput) (*describeStateMachineForExecutionOutput, error) {
	ref, err := s.parseExecutionARN(in.ExecutionARN, "executionArn")
	if err != nil {
		return nil, err
	}
	metadataOnly, err := includedData(in.IncludedData)
	if err != nil {
		return nil, err
	}
	info, err := s.rt().DescribeStateMachineForExecution(ctx, ref.ARN)
	if err != nil {
		return nil, err
	}
	out := &describeStateMachineForExecutionOutput{
		StateMachineARN: info.ARN, Name: info.Name, Definition: string(info.Definition), RoleARN: info.RoleARN,
		UpdateDate: at(info.Updated), RevisionID: info.RevisionID,
		LoggingConfiguration: loggingOff{Level: "OFF"}, TracingConfiguration: tracingConfiguration{Enabled: info.Tracing},
	}
	if metadataOnly {
		out.Definition = ""
	}
	return out, nil
}
