package sqs

import (
	"context"
	"slices"

	"github.com/signalbox/signalbox/integrations/queue"
)

// The actions on queues: create, find, list, delete, attributes, purge,
// tags, dead-letter sources.

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"`
	Tags       map[string]string `json:"tags" query:"Tag,flat,key=Key,value=Value"`
}

type queueURLOutput struct {
	QueueURL string `json:"QueueUrl" xml:"QueueUrl"`
}

func createQueue(s *API, ctx context.Context, in *createQueueInput) (*queueURLOutput, error) {
	if in.QueueName == "" {
		return nil, missing("QueueName")
	}
	q, err := s.q().CreateQueue(ctx, &queue.CreateInput{Name: in.QueueName, Attributes: in.Attributes, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueURL: s.urlOf(ctx, q.Name)}, nil
}

type getQueueURLInput struct {
	QueueName              string
	QueueOwnerAWSAccountID string `json:"QueueOwnerAWSAccountId" query:"QueueOwnerAWSAccountId"`
}

func getQueueURL(s *API, ctx context.Context, in *getQueueURLInput) (*queueURLOutput, error) {
	if in.QueueName == "" {
		return nil, missing("QueueName")
	}
	if in.QueueOwnerAWSAccountID != "" && in.QueueOwnerAWSAccountID != s.opts.AccountID {
		return nil, errorf("QueueDoesNotExist", "The specified queue does not exist.")
	}
	q, err := s.q().GetQueue(ctx, in.QueueName)
	if err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueURL: s.urlOf(ctx, q.Name)}, nil
}

type listQueuesInput struct {
	QueueNamePrefix string
	NextToken       string
	MaxResults      *int
}

type listQueuesOutput struct {
	QueueURLs []string `json:"QueueUrls,omitempty" xml:"QueueUrl"`
	NextToken string   `json:",omitempty" xml:",omitempty"`
}

// pageSize checks a MaxResults of ListQueues and
// ListDeadLetterSourceQueues: 1 to 1,000 when given; nil is 0 (no pages).
func pageSize(max *int) (int, error) {
	if max == nil {
		return 0, nil
	}
	if *max < 1 || *max > 1000 {
		return 0, invalidValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *max)
	}
	return *max, nil
}

func listQueues(s *API, ctx context.Context, in *listQueuesInput) (*listQueuesOutput, error) {
	max, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	page, err := s.q().ListQueues(ctx, &queue.ListInput{Prefix: in.QueueNamePrefix, MaxResults: max, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return &listQueuesOutput{QueueURLs: s.urlsOf(ctx, page.Names), NextToken: page.NextToken}, nil
}

func (s *API) urlsOf(ctx context.Context, names []string) []string {
	urls := make([]string, len(names))
	for i, n := range names {
		urls[i] = s.urlOf(ctx, n)
	}
	return urls
}

type queueURLInput struct {
	QueueURL string `json:"QueueUrl" query:"QueueUrl"`
}

func deleteQueue(s *API, ctx context.Context, in *queueURLInput) (*empty, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	return &empty{}, s.q().DeleteQueue(ctx, name)
}

func purgeQueue(s *API, ctx context.Context, in *queueURLInput) (*empty, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	return &empty{}, s.q().PurgeQueue(ctx, name)
}

type getQueueAttributesInput struct {
	QueueURL       string   `json:"QueueUrl" query:"QueueUrl"`
	AttributeNames []string `query:"AttributeName,flat"`
}

type attributesOutput struct {
	Attributes nameValues `json:",omitempty" xml:"Attribute,omitempty"`
}

func getQueueAttributes(s *API, ctx context.Context, in *getQueueAttributesInput) (*attributesOutput, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkNames("AttributeNames", in.AttributeNames); err != nil {
		return nil, err
	}
	attrs, err := s.q().GetAttributes(ctx, name, in.AttributeNames)
	if err != nil {
		return nil, err
	}
	return &attributesOutput{Attributes: attrs}, nil
}

type setQueueAttributesInput struct {
	QueueURL   string            `json:"QueueUrl" query:"QueueUrl"`
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"`
}

func setQueueAttributes(s *API, ctx context.Context, in *setQueueAttributesInput) (*empty, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.Attributes == nil {
		return nil, missing("Attributes")
	}
	return &empty{}, s.q().SetAttributes(ctx, name, in.Attributes)
}

type tagQueueInput struct {
	QueueURL string            `json:"QueueUrl" query:"QueueUrl"`
	Tags     map[string]string `query:"Tag,flat,key=Key,value=Value"`
}

func tagQueue(s *API, ctx context.Context, in *tagQueueInput) (*empty, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, missing("Tags")
	}
	return &empty{}, s.q().TagQueue(ctx, name, in.Tags)
}

type untagQueueInput struct {
	QueueURL string   `json:"QueueUrl" query:"QueueUrl"`
	TagKeys  []string `query:"TagKey,flat"`
}

func untagQueue(s *API, ctx context.Context, in *untagQueueInput) (*empty, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, missing("TagKeys")
	}
	if err := checkNames("TagKeys", in.TagKeys); err != nil {
		return nil, err
	}
	return &empty{}, s.q().UntagQueue(ctx, name, in.TagKeys)
}

type listQueueTagsOutput struct {
	Tags tagMap `json:",omitempty" xml:"Tag,omitempty"`
}

func listQueueTags(s *API, ctx context.Context, in *queueURLInput) (*listQueueTagsOutput, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	tags, err := s.q().ListTags(ctx, name)
	if err != nil {
		return nil, err
	}
	return &listQueueTagsOutput{Tags: tags}, nil
}

type listDeadLetterSourceQueuesInput struct {
	QueueURL   string `json:"QueueUrl" query:"QueueUrl"`
	NextToken  string
	MaxResults *int
}

type listDeadLetterSourceQueuesOutput struct {
	// queueUrls: the one member of SQS's API spelled in lower camel case
	QueueURLs []string `json:"queueUrls" xml:"QueueUrl"`
	NextToken string   `json:",omitempty" xml:",omitempty"`
}

func listDeadLetterSourceQueues(s *API, ctx context.Context, in *listDeadLetterSourceQueuesInput) (*listDeadLetterSourceQueuesOutput, error) {
	name, err := s.parseQueueURL(in.QueueURL)
	if err != nil {
		return nil, err
	}
	max, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	page, err := s.q().DeadLetterSources(ctx, name, &queue.ListInput{MaxResults: max, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	return &listDeadLetterSourceQueuesOutput{QueueURLs: s.urlsOf(ctx, page.Names), NextToken: page.NextToken}, nil
}

// mergeNames is a then the names of b not in a: ReceiveMessage's
// AttributeNames and MessageSystemAttributeNames (one parameter,
// AttributeName.N, in the query protocol).
func mergeNames(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	var out []string
	for _, n := range slices.Concat(a, b) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// maxNames bounds a list of names in a request (attribute names, tag
// keys): SQS has about 20 queue attributes and 10 system attributes, and
// a message at most 10 attributes; a request that lists more than this is
// refused before the queue router sees it.
const maxNames = 1000

// checkNames refuses a list of more than maxNames names.
func checkNames(member string, names []string) error {
	if len(names) > maxNames {
		return invalidValue("Value for parameter %s is invalid. Reason: more than %d names.", member, maxNames)
	}
	return nil
}
