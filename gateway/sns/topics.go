package sns

import (
	"context"

	"github.com/signalbox/signalbox/integrations/topic"
)

// The actions on topics: create, delete, list, attributes, and the tags of
// a topic (SNS's tagging actions take any resource ARN; topics are the
// only resources Signalbox tags).

// empty is the answer of an action without a result: no <ActionResult>.
type empty struct{}

// emptyResult is the answer of an action whose result has no members: an
// empty <ActionResult/>, as AWS writes TagResource's.
type emptyResult struct{}

type createTopicInput struct {
	Name                 string
	Attributes           map[string]string
	Tags                 []tag
	DataProtectionPolicy string
}

type topicARNResult struct {
	TopicARN string `xml:"TopicArn"`
}

func createTopic(s *API, ctx context.Context, in *createTopicInput) (*topicARNResult, error) {
	if in.Name == "" {
		return nil, missing("Name")
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	t, err := s.t().CreateTopic(ctx, &topic.CreateTopicInput{Name: in.Name, Attributes: in.Attributes, Tags: tags,
		DataProtectionPolicy: in.DataProtectionPolicy})
	if err != nil {
		return nil, err
	}
	return &topicARNResult{TopicARN: t.ARN}, nil
}

type topicARNInput struct {
	TopicARN string `query:"TopicArn"`
}

func deleteTopic(s *API, ctx context.Context, in *topicARNInput) (*empty, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	return &empty{}, s.t().DeleteTopic(ctx, in.TopicARN)
}

type nextTokenInput struct {
	NextToken string
}

type listTopicsResult struct {
	Topics    members[topicARNResult] `xml:"Topics"`
	NextToken string                  `xml:"NextToken,omitempty"`
}

func listTopics(s *API, ctx context.Context, in *nextTokenInput) (*listTopicsResult, error) {
	page, err := s.t().ListTopics(ctx, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listTopicsResult{Topics: make(members[topicARNResult], 0, len(page.ARNs)), NextToken: page.NextToken}
	for _, arn := range page.ARNs {
		out.Topics = append(out.Topics, topicARNResult{TopicARN: arn})
	}
	return out, nil
}

type attributesResult struct {
	Attributes entryMap `xml:"Attributes"`
}

func getTopicAttributes(s *API, ctx context.Context, in *topicARNInput) (*attributesResult, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	attrs, err := s.t().GetTopicAttributes(ctx, in.TopicARN)
	if err != nil {
		return nil, err
	}
	return &attributesResult{Attributes: attrs}, nil
}

type setTopicAttributesInput struct {
	TopicARN       string `query:"TopicArn"`
	AttributeName  string
	AttributeValue string // optional: none is ""
}

func setTopicAttributes(s *API, ctx context.Context, in *setTopicAttributesInput) (*empty, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	if in.AttributeName == "" {
		return nil, missing("AttributeName")
	}
	return &empty{}, s.t().SetTopicAttribute(ctx, in.TopicARN, in.AttributeName, in.AttributeValue)
}

type tagResourceInput struct {
	ResourceARN string `query:"ResourceArn"`
	Tags        []tag
}

func tagResource(s *API, ctx context.Context, in *tagResourceInput) (*emptyResult, error) {
	if in.ResourceARN == "" {
		return nil, missing("ResourceArn")
	}
	if in.Tags == nil {
		return nil, missing("Tags")
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	return &emptyResult{}, s.t().TagResource(ctx, in.ResourceARN, tags)
}

type untagResourceInput struct {
	ResourceARN string `query:"ResourceArn"`
	TagKeys     []string
}

func untagResource(s *API, ctx context.Context, in *untagResourceInput) (*emptyResult, error) {
	if in.ResourceARN == "" {
		return nil, missing("ResourceArn")
	}
	if in.TagKeys == nil {
		return nil, missing("TagKeys")
	}
	return &emptyResult{}, s.t().UntagResource(ctx, in.ResourceARN, in.TagKeys)
}

// The data protection policy of a topic: kept and shown by the topic
// router, not applied (no message is inspected for sensitive data).

type dataProtectionPolicyResult struct {
	DataProtectionPolicy string `xml:"DataProtectionPolicy"`
}

func getDataProtectionPolicy(s *API, ctx context.Context, in *resourceARNInput) (*dataProtectionPolicyResult, error) {
	if in.ResourceARN == "" {
		return nil, missing("ResourceArn")
	}
	p, err := s.t().DataProtectionPolicy(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &dataProtectionPolicyResult{DataProtectionPolicy: p}, nil
}

type putDataProtectionPolicyInput struct {
	ResourceARN          string `query:"ResourceArn"`
	DataProtectionPolicy *string
}

func putDataProtectionPolicy(s *API, ctx context.Context, in *putDataProtectionPolicyInput) (*empty, error) {
	if in.ResourceARN == "" {
		return nil, missing("ResourceArn")
	}
	if in.DataProtectionPolicy == nil {
		return nil, missing("DataProtectionPolicy")
	}
	return &empty{}, s.t().SetDataProtectionPolicy(ctx, in.ResourceARN, *in.DataProtectionPolicy)
}

type resourceARNInput struct {
	ResourceARN string `query:"ResourceArn"`
}

type listTagsResult struct {
	Tags members[tag] `xml:"Tags"`
}

func listTagsForResource(s *API, ctx context.Context, in *resourceARNInput) (*listTagsResult, error) {
	if in.ResourceARN == "" {
		return nil, missing("ResourceArn")
	}
	tags, err := s.t().ListTags(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	return &listTagsResult{Tags: tagList(tags)}, nil
}
