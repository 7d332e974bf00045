package events

import (
	"context"

	"github.com/signalbox/signalbox/integrations/bus"
)

type putRuleIn struct {
	Name               string `json:"Name"`
	EventBusName       string `json:"EventBusName"`
	EventPattern       string `json:"EventPattern"`
	ScheduleExpression string `json:"ScheduleExpression"`
	State              string `json:"State"`
	Description        string `json:"Description"`
	RoleArn            string `json:"RoleArn"`
	Tags               []tag  `json:"Tags"`
}

type putRuleOut struct {
	RuleArn string `json:"RuleArn"`
}

func putRule(s *API, ctx context.Context, in *putRuleIn) (*putRuleOut, error) {
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	arn, err := s.b().PutRule(ctx, &bus.PutRuleInput{Name: in.Name, EventBusName: in.EventBusName, EventPattern: in.EventPattern,
		ScheduleExpression: in.ScheduleExpression, State: in.State, Description: in.Description, RoleArn: in.RoleArn, Tags: tags})
	if err != nil {
		return nil, err
	}
	return &putRuleOut{RuleArn: arn}, nil
}

// rule is a rule as DescribeRule and ListRules show it.
type rule struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventBusName       string `json:"EventBusName"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	ManagedBy          string `json:"ManagedBy,omitempty"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

func toRule(r *bus.Rule, account string) rule {
	return rule{Name: r.Name, Arn: r.Arn, EventBusName: r.EventBusName, EventPattern: r.EventPattern,
		ScheduleExpression: r.ScheduleExpression, State: r.State, Description: r.Description, RoleArn: r.RoleArn,
		ManagedBy: r.ManagedBy, CreatedBy: account}
}

type ruleIn struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName"`
	Force        bool   `json:"Force"`
}

func describeRule(s *API, ctx context.Context, in *ruleIn) (*rule, error) {
	r, err := s.b().DescribeRule(ctx, in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	out := toRule(r, s.b().AccountID())
	return &out, nil
}

func deleteRule(s *API, ctx context.Context, in *ruleIn) (*empty, error) {
	return &empty{}, s.b().DeleteRule(ctx, in.Name, in.EventBusName, in.Force)
}

func enableRule(s *API, ctx context.Context, in *ruleIn) (*empty, error) {
	return &empty{}, s.b().EnableRule(ctx, in.Name, in.EventBusName)
}

func disableRule(s *API, ctx context.Context, in *ruleIn) (*empty, error) {
	return &empty{}, s.b().DisableRule(ctx, in.Name, in.EventBusName)
}

type listRulesIn struct {
	NamePrefix   string `json:"NamePrefix"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        int    `json:"Limit"`
}

type listRulesOut struct {
	Rules     []rule `json:"Rules"`
	NextToken string `json:"NextToken,omitempty"`
}

func listRules(s *API, ctx context.Context, in *listRulesIn) (*listRulesOut, error) {
	out, err := s.b().ListRules(ctx, &bus.ListRulesInput{NamePrefix: in.NamePrefix, EventBusName: in.EventBusName, NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	res := &listRulesOut{Rules: make([]rule, len(out.Rules)), NextToken: out.NextToken}
	for i := range out.Rules {
		res.Rules[i] = toRule(&out.Rules[i], "")
	}
	return res, nil
}

type listRuleNamesByTargetIn struct {
	TargetArn    string `json:"TargetArn"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        int    `json:"Limit"`
}

type listRuleNamesByTargetOut struct {
	RuleNames []string `json:"RuleNames"`
	NextToken string   `json:"NextToken,omitempty"`
}

func listRuleNamesByTarget(s *API, ctx context.Context, in *listRuleNamesByTargetIn) (*listRuleNamesByTargetOut, error) {
	out, err := s.b().ListRuleNamesByTarget(ctx, &bus.ListRuleNamesByTargetInput{TargetArn: in.TargetArn, EventBusName: in.EventBusName, NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return &listRuleNamesByTargetOut{RuleNames: out.RuleNames, NextToken: out.NextToken}, nil
}

type putTargetsIn struct {
	Rule         string       `json:"Rule"`
	EventBusName string       `json:"EventBusName"`
	Targets      []bus.Target `json:"Targets"`
}

type failedEntriesOut struct {
	FailedEntryCount int               `json:"FailedEntryCount"`
	FailedEntries    []bus.FailedEntry `json:"FailedEntries"`
}

func putTargets(s *API, ctx context.Context, in *putTargetsIn) (*failedEntriesOut, error) {
	failed, err := s.b().PutTargets(ctx, &bus.PutTargetsInput{Rule: in.Rule, EventBusName: in.EventBusName, Targets: in.Targets})
	if err != nil {
		return nil, err
	}
	return &failedEntriesOut{FailedEntryCount: len(failed), FailedEntries: failed}, nil
}

type removeTargetsIn struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName"`
	Ids          []string `json:"Ids"`
	Force        bool     `json:"Force"`
}

func removeTargets(s *API, ctx context.Context, in *removeTargetsIn) (*failedEntriesOut, error) {
	failed, err := s.b().RemoveTargets(ctx, &bus.RemoveTargetsInput{Rule: in.Rule, EventBusName: in.EventBusName, IDs: in.Ids, Force: in.Force})
	if err != nil {
		return nil, err
	}
	return &failedEntriesOut{FailedEntryCount: len(failed), FailedEntries: failed}, nil
}

type listTargetsByRuleIn struct {
	Rule         string `json:"Rule"`
	EventBusName string `json:"EventBusName"`
	NextToken    string `json:"NextToken"`
	Limit        int    `json:"Limit"`
}

type listTargetsByRuleOut struct {
	Targets   []bus.Target `json:"Targets"`
	NextToken string       `json:"NextToken,omitempty"`
}

func listTargetsByRule(s *API, ctx context.Context, in *listTargetsByRuleIn) (*listTargetsByRuleOut, error) {
	out, err := s.b().ListTargetsByRule(ctx, &bus.ListTargetsByRuleInput{Rule: in.Rule, EventBusName: in.EventBusName, NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	return &listTargetsByRuleOut{Targets: out.Targets, NextToken: out.NextToken}, nil
}

type tagResourceIn struct {
	ResourceARN string   `json:"ResourceARN"`
	Tags        []tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
}

func tagResource(s *API, ctx context.Context, in *tagResourceIn) (*empty, error) {
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	return &empty{}, s.b().TagResource(ctx, in.ResourceARN, tags)
}

func untagResource(s *API, ctx context.Context, in *tagResourceIn) (*empty, error) {
	return &empty{}, s.b().UntagResource(ctx, in.ResourceARN, in.TagKeys)
}

type listTagsOut struct {
	Tags []tag `json:"Tags"`
}

func listTagsForResource(s *API, ctx context.Context, in *tagResourceIn) (*listTagsOut, error) {
	tags, err := s.b().ListTagsForResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &listTagsOut{Tags: tagList(tags)}, nil
}
