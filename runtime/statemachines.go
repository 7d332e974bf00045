package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// State machine types.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// ErrStateMachineDoesNotExist is AWS's StateMachineDoesNotExist.
var ErrStateMachineDoesNotExist = errors.New("StateMachineDoesNotExist")

// StateMachineParams create or update a state machine.
type StateMachineParams struct {
	Name       string
	Definition []byte
	Type       string // STANDARD (default) or EXPRESS; create only
	RoleARN    string
	// Tracing is the tracingConfiguration's enabled flag; nil leaves it
	// (off for a new state machine).
	Tracing *bool
	// Publish publishes the definition as a new version.
	Publish            bool
	VersionDescription string
}

// StateMachineInfo is what DescribeStateMachine returns.
type StateMachineInfo struct {
	ARN        string
	Name       string
	Definition []byte
	Type       string
	RoleARN    string
	Created    time.Time
	Updated    time.Time
	RevisionID string
	// Tracing is the tracingConfiguration's enabled flag.
	Tracing bool
	// Description is a version's description (DescribeStateMachineVersion).
	Description string
	// VersionARN is set when the call published a version.
	VersionARN string
}

// CreateStateMachine validates and stores a state machine (AWS's
// CreateStateMachine: idempotent for the same definition, type and role).
func (d *Durable) CreateStateMachine(ctx context.Context, p StateMachineParams) (_ *StateMachineInfo, err error) {
	defer func() { err = fromStore(err) }()
	if err := CheckExecutionName(p.Name); err != nil {
		return nil, err
	}
	typ := cmpOr(p.Type, TypeStandard)
	if typ != TypeStandard && typ != TypeExpress {
		return nil, fmt.Errorf("%w: the type must be STANDARD or EXPRESS, got %q", ErrInvalidInput, p.Type)
	}
	sha, err := d.putDefinition(ctx, p.Definition)
	if err != nil {
		return nil, err
	}
	defer d.forgetStateMachine(p.Name)
	if _, _, err := d.store.StateMachineCreate(ctx, &store.StateMachineCreateParams{
		Name: p.Name, DefinitionSHA: sha, Type: typ, RoleARN: cmp.Or(p.RoleARN, d.defaultRoleARN()), RevisionID: newRevision(), Now: d.now(),
		Tracing: p.Tracing != nil && *p.Tracing,
	}); err != nil {
		return nil, err
	}
	return d.afterPut(ctx, p)
}

// UpdateStateMachine changes a state machine's definition or role: new
// executions use the new definition, running ones keep theirs.
func (d *Durable) UpdateStateMachine(ctx context.Context, p StateMachineParams) (_ *StateMachineInfo, err error) {
	defer func() { err = fromStore(err) }()
	sha := ""
	if len(p.Definition) > 0 {
		var err error
		if sha, err = d.putDefinition(ctx, p.Definition); err != nil {
			return nil, err
		}
	}
	if p.Publish {
		if err := d.versionRoom(ctx, p.Name); err != nil {
			return nil, err
		}
	}
	defer d.forgetStateMachine(p.Name)
	_, err = d.store.StateMachineUpdate(ctx, &store.StateMachineUpdateParams{Name: p.Name, DefinitionSHA: sha, RoleARN: p.RoleARN, RevisionID: newRevision(), Now: d.now(), Tracing: p.Tracing})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, d.StateMachineARN(p.Name))
	}
	if err != nil {
		return nil, err
	}
	return d.afterPut(ctx, p)
}

func (d *Durable) putDefinition(ctx context.Context, def []byte) (string, error) {
	m, err := asl.Parse(def)
	if err != nil {
		return "", err
	}
	sha, err := d.store.DefinitionPut(ctx, def)
	if err == nil {
		d.cacheDefinition(sha, m)
	}
	return sha, err
}

func (d *Durable) afterPut(ctx context.Context, p StateMachineParams) (*StateMachineInfo, error) {
	info, err := d.DescribeStateMachine(ctx, p.Name)
	if err != nil || !p.Publish {
		return info, err
	}
	v, err := d.store.StateMachineVersionPublish(ctx, p.Name, store.DefinitionSHA(info.Definition), p.VersionDescription, d.now())
	if err != nil {
		return nil, versionLimit(err)
	}
	info.VersionARN = info.ARN + ":" + strconv.Itoa(v)
	return info, nil
}

// versionRoom is ErrServiceQuotaExceeded when the state machine name has
// store.MaxStateMachineVersions versions: an UpdateStateMachine that would
// publish one more is refused before it changes anything. (The publish
// checks again, atomically: a version published meanwhile elsewhere makes
// the update land without its version, and the call fail.)
func (d *Durable) versionRoom(ctx context.Context, name string) error {
	n, err := d.store.StateMachineVersionCount(ctx, name)
	if err != nil {
		return err
	}
	if n >= store.MaxStateMachineVersions {
		return versionLimit(fmt.Errorf("%w: state machine %s", store.ErrLimit, name))
	}
	return nil
}

// versionLimit turns the store's refusal of one more version into AWS's
// ServiceQuotaExceededException.
func versionLimit(err error) error {
	if errors.Is(err, store.ErrLimit) {
		return fmt.Errorf("%w: a state machine has at most %d published versions: delete one (DeleteStateMachineVersion) to publish another",
			ErrServiceQuotaExceeded, store.MaxStateMachineVersions)
	}
	return err
}

// DescribeStateMachine returns a state machine with its definition.
func (d *Durable) DescribeStateMachine(ctx context.Context, name string) (_ *StateMachineInfo, err error) {
	defer func() { err = fromStore(err) }()
	sm, err := d.store.StateMachineGet(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, d.StateMachineARN(name))
	}
	if err != nil {
		return nil, err
	}
	def, err := d.store.DefinitionGet(ctx, sm.DefinitionSHA)
	if err != nil {
		return nil, err
	}
	return &StateMachineInfo{ARN: d.StateMachineARN(name), Name: name, Definition: def, Type: sm.Type, RoleARN: cmp.Or(sm.RoleARN, d.defaultRoleARN()),
		Created: sm.Created, Updated: sm.Updated, RevisionID: sm.RevisionID, Tracing: sm.Tracing}, nil
}

// ListStateMachines lists state machine names in lexical order; next is
// the cursor of the following page, "" at the end.
func (d *Durable) ListStateMachines(ctx context.Context, after string, limit int) (names []string, next string, err error) {
	defer func() { err = fromStore(err) }()
	return d.store.StateMachineList(ctx, after, limit)
}

// DeleteStateMachine deletes a state machine and its versions; its
// running executions go on with the definitions they started with.
func (d *Durable) DeleteStateMachine(ctx context.Context, name string) (err error) {
	defer func() { err = fromStore(err) }()
	defer d.forgetStateMachine(name)
	return d.store.StateMachineDelete(ctx, name)
}

// StartExecution starts an execution of a state machine by ARN: the
// state machine's (its latest definition), one of its versions'
// ("...:stateMachine:<name>:<version>") or one of its aliases'
// ("...:stateMachine:<name>:<alias>"), which picks a version by weight.
// The execution records the version and alias (ExecutionOrigin).
//
// An ARN may end in "#TestCase", as Step Functions Local takes it: the
// execution runs under that test case of the mock configuration
// (TestCases). tc is the caller's trace context: the execution joins its
// trace, keeps its tracestate and baggage, and hands them to its calls.
func (d *Durable) StartExecution(ctx context.Context, arn, name string, input any, tc integrations.TraceContext) (_ *Started, err error) {
	return d.startExecution(ctx, arn, name, input, tc, nil)
}

// startExecution is StartExecution of a nested execution when parent is
// set: its end completes the parent's task (nested.go).
func (d *Durable) startExecution(ctx context.Context, arn, name string, input any, tc integrations.TraceContext, parent *integrations.ParentLink) (_ *Started, err error) {
	defer func() { err = fromStore(err) }()
	arn, testCase := splitTestCase(arn)
	arn, via, err := d.route(ctx, arn)
	if err != nil {
		return nil, err
	}
	sm, sha, err := d.resolve(ctx, arn)
	if err != nil {
		return nil, err
	}
	if err := d.checkTestCase(sm.Name, testCase); err != nil {
		return nil, err
	}
	if sm.Type == TypeExpress {
		m, err := d.machine(ctx, sha)
		if err != nil {
			return nil, err
		}
		return d.startExpress(ctx, sm.Name, sha, m, name, input, testCase, tc, parent)
	}
	m, err := d.machine(ctx, sha)
	if err != nil {
		return nil, err
	}
	started, err := d.start(ctx, StartParams{StateMachineName: sm.Name, Name: name, Input: input, TraceParent: tc.Parent, TraceState: tc.State, Baggage: tc.Baggage, RoleARN: sm.RoleARN, TestCase: testCase, Parent: parent}, m, sha)
	if err != nil {
		return nil, err
	}
	if err := d.recordOrigin(ctx, started.ID, via); err != nil {
		return nil, err
	}
	return started, nil
}

// splitTestCase splits a state machine ARN from the "#TestCase" suffix of
// a mocked start.
func splitTestCase(arn string) (string, string) {
	arn, testCase, _ := strings.Cut(arn, "#")
	return arn, testCase
}

// checkTestCase accepts the test case of a start (none, or one TestCases
// accepts).
func (d *Durable) checkTestCase(stateMachine, testCase string) error {
	if testCase == "" {
		return nil
	}
	if d.TestCases == nil {
		return fmt.Errorf("%w: the state machine ARN names the test case %q, and this server has no mock configuration (signalbox serve --mocks FILE, or $SFN_MOCK_CONFIG)", ErrValidation, testCase)
	}
	if err := d.TestCases(stateMachine, testCase); err != nil {
		return fmt.Errorf("%w: %v", ErrValidation, err)
	}
	return nil
}

// resolve finds the state machine a state machine or version ARN names,
// and the hash of the definition it runs.
func (d *Durable) resolve(ctx context.Context, arn string) (*store.StateMachine, string, error) {
	smName, version, err := d.parseStateMachineARN(arn)
	if err != nil {
		return nil, "", err
	}
	sm, err := d.stateMachine(ctx, smName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, arn)
	}
	if err != nil {
		return nil, "", err
	}
	if version == 0 {
		return sm, sm.DefinitionSHA, nil
	}
	v, err := d.store.StateMachineVersionGet(ctx, smName, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, arn)
	}
	if err != nil {
		return nil, "", err
	}
	return sm, v.DefinitionSHA, nil
}

// parseStateMachineARN splits "arn:aws:states:<region>:<account>:stateMachine:<name>[:<version>]".
func (d *Durable) parseStateMachineARN(arn string) (string, int, error) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" || parts[6] == "" {
		return "", 0, fmt.Errorf("%w: invalid state machine ARN %q", ErrInvalidInput, arn)
	}
	if len(parts) == 7 {
		return parts[6], 0, nil
	}
	v, err := strconv.Atoi(parts[7])
	if err != nil || v < 1 {
		return "", 0, fmt.Errorf("%w: invalid version in %q", ErrInvalidInput, arn)
	}
	return parts[6], v, nil
}

func newRevision() string { return newUUID() }

// StartSyncExecution runs an EXPRESS state machine's execution to its end
// in this process, with the in-memory engine, and returns its result, as
// StartSyncExecution does. Nothing is written to the store: like AWS, an
// Express execution keeps no history of its own. ctx bounds it.
func (d *Durable) StartSyncExecution(ctx context.Context, arn, name string, input any, tc integrations.TraceContext) (_ *Result, err error) {
	defer func() { err = fromStore(err) }()
	arn, testCase := splitTestCase(arn)
	arn, _, err = d.route(ctx, arn)
	if err != nil {
		return nil, err
	}
	sm, sha, err := d.resolve(ctx, arn)
	if err != nil {
		return nil, err
	}
	if err := d.checkTestCase(sm.Name, testCase); err != nil {
		return nil, err
	}
	smName := sm.Name
	if sm.Type != TypeExpress {
		return nil, fmt.Errorf("%w: StartSyncExecution runs EXPRESS state machines; %s is %s", ErrInvalidInput, smName, sm.Type)
	}
	m, err := d.machine(ctx, sha)
	if err != nil {
		return nil, err
	}
	if name != "" {
		if err := CheckExecutionName(name); err != nil {
			return nil, err
		}
	}
	if err := checkPayloadValue("execution input", input); err != nil {
		return nil, err
	}
	return d.runExpress(ctx, m, Execution{StateMachineName: smName, Name: name, Input: input, TestCase: testCase, TraceParent: tc.Parent, TraceState: tc.State, Baggage: tc.Baggage}), nil
}
