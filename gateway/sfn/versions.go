package sfn

import (
	"context"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/runtime"
)

// Step Functions' version and alias actions. A version is an immutable
// published definition ("...:stateMachine:<name>:<n>"); an alias routes
// executions to one or two versions by weight ("...:stateMachine:<name>:<alias>").

type publishStateMachineVersionInput struct {
	StateMachineARN string `json:"stateMachineArn"`
	RevisionID      string `json:"revisionId"`
	Description     string `json:"description"`
}

type publishStateMachineVersionOutput struct {
	CreationDate           epoch  `json:"creationDate"`
	StateMachineVersionARN string `json:"stateMachineVersionArn"`
}

// publishStateMachineVersion publishes the state machine's current
// definition; with revisionId, only if that is still its revision.
func publishStateMachineVersion(s *API, ctx context.Context, in *publishStateMachineVersionInput) (*publishStateMachineVersionOutput, error) {
	ref, err := s.parseStateMachineARN(in.StateMachineARN, "stateMachineArn", false)
	if err != nil {
		return nil, err
	}
	if in.RevisionID != "" {
		sm, err := s.rt().DescribeStateMachine(ctx, ref.Name)
		if err != nil {
			return nil, err
		}
		if sm.RevisionID != in.RevisionID {
			return nil, &awsproto.Error{Status: 409, Code: excConflict,
				Message: "the state machine's revision is " + sm.RevisionID + ", not " + in.RevisionID + ": it was updated since"}
		}
	}
	arn, created, err := s.rt().PublishStateMachineVersion(ctx, in.StateMachineARN, in.Description)
	if err != nil {
		return nil, err
	}
	return &publishStateMachineVersionOutput{CreationDate: at(created), StateMachineVersionARN: arn}, nil
}

// routingConfig is one route of an alias.
type routingConfig struct {
	StateMachineVersionARN string `json:"stateMachineVersionArn"`
	Weight                 int    `json:"weight"`
}

func toRoutes(in []routingConfig) []runtime.AliasRoute {
	if in == nil {
		return nil
	}
	out := make([]runtime.AliasRoute, len(in))
	for i, r := range in {
		out[i] = runtime.AliasRoute{VersionARN: r.StateMachineVersionARN, Weight: r.Weight}
	}
	return out
}

func fromRoutes(in []runtime.AliasRoute) []routingConfig {
	out := make([]routingConfig, len(in))
	for i, r := range in {
		out[i] = routingConfig{StateMachineVersionARN: r.VersionARN, Weight: r.Weight}
	}
	return out
}

type createStateMachineAliasInput struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description"`
	RoutingConfiguration []routingConfig `json:"routingConfiguration"`
}

type createStateMachineAliasOutput struct {
	StateMachineAliasARN string `json:"stateMachineAliasArn"`
	CreationDate         epoch  `json:"creationDate"`
}

func createStateMachineAlias(s *API, ctx context.Context, in *createStateMachineAliasInput) (*createStateMachineAliasOutput, error) {
	if in.Name == "" {
		return nil, required("name")
	}
	if len(in.RoutingConfiguration) == 0 {
		return nil, required("routingConfiguration")
	}
	a, err := s.rt().CreateStateMachineAlias(ctx, in.Name, in.Description, toRoutes(in.RoutingConfiguration))
	if err != nil {
		return nil, err
	}
	return &createStateMachineAliasOutput{StateMachineAliasARN: a.ARN, CreationDate: at(a.Created)}, nil
}

type aliasARNInput struct {
	StateMachineAliasARN string `json:"stateMachineAliasArn"`
}

type describeStateMachineAliasOutput struct {
	StateMachineAliasARN string          `json:"stateMachineAliasArn"`
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	RoutingConfiguration []routingConfig `json:"routingConfiguration"`
	CreationDate         epoch           `json:"creationDate"`
	UpdateDate           epoch           `json:"updateDate,omitzero"`
}

func describeStateMachineAlias(s *API, ctx context.Context, in *aliasARNInput) (*describeStateMachineAliasOutput, error) {
	if in.StateMachineAliasARN == "" {
		return nil, required("stateMachineAliasArn")
	}
	a, err := s.rt().DescribeStateMachineAlias(ctx, in.StateMachineAliasARN)
	if err != nil {
		return nil, err
	}
	return &describeStateMachineAliasOutput{
		StateMachineAliasARN: a.ARN, Name: a.Name, Description: a.Description,
		RoutingConfiguration: fromRoutes(a.Routing), CreationDate: at(a.Created), UpdateDate: at(a.Updated),
	}, nil
}

type updateStateMachineAliasInput struct {
	StateMachineAliasARN string          `json:"stateMachineAliasArn"`
	Description          string          `json:"description"`
	RoutingConfiguration []routingConfig `json:"routingConfiguration"`
}

type updateStateMachineAliasOutput struct {
	UpdateDate epoch `json:"updateDate"`
}

func updateStateMachineAlias(s *API, ctx context.Context, in *updateStateMachineAliasInput) (*updateStateMachineAliasOutput, error) {
	if in.StateMachineAliasARN == "" {
		return nil, required("stateMachineAliasArn")
	}
	a, err := s.rt().UpdateStateMachineAlias(ctx, in.StateMachineAliasARN, in.Description, toRoutes(in.RoutingConfiguration))
	if err != nil {
		return nil, err
	}
	return &updateStateMachineAliasOutput{UpdateDate: at(a.Updated)}, nil
}

func deleteStateMachineAlias(s *API, ctx context.Context, in *aliasARNInput) (*empty, error) {
	if in.StateMachineAliasARN == "" {
		return nil, required("stateMachineAliasArn")
	}
	return &empty{}, s.rt().DeleteStateMachineAlias(ctx, in.StateMachineAliasARN)
}

type deleteStateMachineVersionInput struct {
	StateMachineVersionARN string `json:"stateMachineVersionArn"`
}

// deleteStateMachineVersion deletes a published version; one an alias
// routes to is a ConflictException, one that does not exist nothing.
func deleteStateMachineVersion(s *API, ctx context.Context, in *deleteStateMachineVersionInput) (*empty, error) {
	ref, err := s.parseStateMachineARN(in.StateMachineVersionARN, "stateMachineVersionArn", true)
	if err != nil {
		return nil, err
	}
	if ref.Version == 0 {
		return nil, errorf(excValidation, "'stateMachineVersionArn' must be a state machine version ARN, got %s", in.StateMachineVersionARN)
	}
	return &empty{}, s.rt().DeleteStateMachineVersion(ctx, in.StateMachineVersionARN)
}

type listStateMachineAliasesInput struct {
	StateMachineARN string `json:"stateMachineArn"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type stateMachineAliasListItem struct {
	StateMachineAliasARN string `json:"stateMachineAliasArn"`
	CreationDate         epoch  `json:"creationDate"`
}

type listStateMachineAliasesOutput struct {
	StateMachineAliases []stateMachineAliasListItem `json:"stateMachineAliases"`
	NextToken           string                      `json:"nextToken,omitempty"`
}

// listStateMachineAliases lists a state machine's aliases (or a version's:
// those that route to it), newest first.
func listStateMachineAliases(s *API, ctx context.Context, in *listStateMachineAliasesInput) (*listStateMachineAliasesOutput, error) {
	if in.StateMachineARN == "" {
		return nil, required("stateMachineArn")
	}
	kind := "aliases/" + in.StateMachineARN
	limit, cursor, err := page(in.MaxResults, kind, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, next, err := s.rt().ListStateMachineAliases(ctx, in.StateMachineARN, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &listStateMachineAliasesOutput{StateMachineAliases: make([]stateMachineAliasListItem, len(list)), NextToken: encodeToken(kind, next)}
	for i, a := range list {
		out.StateMachineAliases[i] = stateMachineAliasListItem{StateMachineAliasARN: a.ARN, CreationDate: at(a.Created)}
	}
	return out, nil
}

type listStateMachineVersionsInput struct {
	StateMachineARN string `json:"stateMachineArn"`
	MaxResults      int    `json:"maxResults"`
	NextToken       string `json:"nextToken"`
}

type stateMachineVersionListItem struct {
	StateMachineVersionARN string `json:"stateMachineVersionArn"`
	CreationDate           epoch  `json:"creationDate"`
}

type listStateMachineVersionsOutput struct {
	StateMachineVersions []stateMachineVersionListItem `json:"stateMachineVersions"`
	NextToken            string                        `json:"nextToken,omitempty"`
}

// listStateMachineVersions lists a state machine's published versions,
// newest first.
func listStateMachineVersions(s *API, ctx context.Context, in *listStateMachineVersionsInput) (*listStateMachineVersionsOutput, error) {
	ref, err := s.parseStateMachineARN(in.StateMachineARN, "stateMachineArn", false)
	if err != nil {
		return nil, err
	}
	kind := "versions/" + ref.Name
	limit, cursor, err := page(in.MaxResults, kind, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, next, err := s.rt().ListStateMachineVersions(ctx, ref.Name, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &listStateMachineVersionsOutput{StateMachineVersions: make([]stateMachineVersionListItem, len(list)), NextToken: encodeToken(kind, next)}
	for i, v := range list {
		out.StateMachineVersions[i] = stateMachineVersionListItem{StateMachineVersionARN: v.ARN, CreationDate: at(v.Created)}
	}
	return out, nil
}
