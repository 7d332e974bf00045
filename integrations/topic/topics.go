package topic

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// The topic attributes a caller may set (CreateTopic, SetTopicAttributes).
// FifoTopic is given at creation only. The delivery-status logging
// attributes (<protocol>SuccessFeedbackRoleArn, ...) are kept and shown,
// and have no effect here: Signalbox logs through OpenTelemetry.
const (
	attrDisplayName      = "DisplayName"
	attrPolicy           = "Policy"
	attrDeliveryPolicy   = "DeliveryPolicy"
	attrKmsKey           = "KmsMasterKeyId"
	attrSignatureVersion = "SignatureVersion"
	attrTracingConfig    = "TracingConfig"
	attrFifo             = "FifoTopic"
	attrContentDedup     = "ContentBasedDeduplication"
	attrThroughputScope  = "FifoThroughputScope"
	attrArchivePolicy    = "ArchivePolicy"
	attrDataProtection   = "DataProtectionPolicy"
)

var feedbackAttrs = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range []string{"Application", "Firehose", "HTTP", "Lambda", "SQS"} {
		m[p+"SuccessFeedbackRoleArn"] = true
		m[p+"SuccessFeedbackSampleRate"] = true
		m[p+"FailureFeedbackRoleArn"] = true
	}
	return m
}()

func validTopicName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > 256 {
		return false
	}
	for _, r := range base {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// checkTopicAttr checks one attribute a caller sets; create says whether
// it is CreateTopic (FifoTopic is settable there only).
func checkTopicAttr(name, v string, fifo, create bool) *Error {
	switch name {
	case attrDisplayName:
		if len(v) > 100 {
			return invalidf("DisplayName")
		}
	case attrPolicy, attrDataProtection:
		if v != "" && !json.Valid([]byte(v)) {
			return invalidf("%s: the policy is not valid JSON", name)
		}
		if len(v) > 30*1024 {
			return invalidf("%s: the policy is longer than 30 KiB", name)
		}
	case attrDeliveryPolicy:
		if v != "" {
			if _, err := parseTopicDeliveryPolicy(v); err != nil {
				if create {
					return policyErrorInAttributes(err)
				}
				return err
			}
		}
	case attrKmsKey:
	case attrSignatureVersion:
		if v != "1" && v != "2" {
			return invalidf("SignatureVersion: must be 1 or 2")
		}
	case attrTracingConfig:
		if v != "PassThrough" && v != "Active" {
			return invalidf("TracingConfig: must be PassThrough or Active")
		}
	case attrFifo:
		if !create {
			return invalidf("AttributeName")
		}
		if v != "true" && v != "false" {
			return invalidf("FifoTopic: must be true or false")
		}
	case attrContentDedup:
		if !fifo {
			return invalidf("ContentBasedDeduplication: Content-based deduplication can only be set for FIFO topics")
		}
		if v != "true" && v != "false" {
			return invalidf("ContentBasedDeduplication: must be true or false")
		}
	case attrThroughputScope:
		if !fifo {
			return invalidf("FifoThroughputScope: can only be set for FIFO topics")
		}
		if v != "Topic" && v != "MessageGroup" {
			return invalidf("FifoThroughputScope: must be Topic or MessageGroup")
		}
	case attrArchivePolicy:
		if !fifo {
			return invalidf("ArchivePolicy: can only be set for FIFO topics")
		}
		if v != "" {
			return errorCode("InvalidParameter", http.StatusBadRequest, "Invalid parameter: ArchivePolicy: message archiving and replay are not supported by Signalbox")
		}
	default:
		if !feedbackAttrs[name] {
			return invalidf("AttributeName")
		}
	}
	return nil
}

func checkTags(tags map[string]string) *Error {
	if len(tags) > maxTags {
		return errorCode("TagLimitExceeded", http.StatusBadRequest, "Could not complete request: tag quota of per resource exceeded")
	}
	for k, v := range tags {
		if k == "" || len(k) > maxTagKey || len(v) > maxTagValue || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidf("Tags: key %q or its value is invalid: keys are 1 to %d characters, not starting with aws:, values up to %d", clip(k, 64), maxTagKey, maxTagValue)
		}
	}
	return nil
}

func (s *Service) CreateTopic(ctx context.Context, in *CreateTopicInput) (*Topic, error) {
	fifo := in.Attributes[attrFifo] == "true"
	if !validTopicName(in.Name) || fifo != strings.HasSuffix(in.Name, ".fifo") {
		if fifo {
			return nil, invalidf("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
		return nil, invalidf("Topic Name")
	}
	for k, v := range in.Attributes {
		if err := checkTopicAttr(k, v, fifo, true); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	given := map[string]string{}
	for k, v := range in.Attributes {
		given[k] = v
	}
	if in.DataProtectionPolicy != "" {
		if err := checkTopicAttr(attrDataProtection, in.DataProtectionPolicy, fifo, true); err != nil {
			return nil, err
		}
		given[attrDataProtection] = in.DataProtectionPolicy
	}
	all := map[string]string{attrDisplayName: "", attrSignatureVersion: "1"}
	if fifo {
		all[attrContentDedup] = "false"
		all[attrThroughputScope] = "Topic"
	}
	for k, v := range given {
		all[k] = v
	}
	delete(all, attrFifo)
	delete(given, attrFifo)
	n, err := s.st.TopicCount(ctx)
	if err != nil {
		return nil, storeError(err, errTopicMissing())
	}
	if n >= int64(s.cfg.MaxTopics) {
		if _, err := s.st.TopicGet(ctx, in.Name); err != nil {
			return nil, errorCode("TopicLimitExceeded", http.StatusForbidden, "Topic already exists")
		}
	}
	_, err = s.st.TopicCreate(ctx, &store.TopicCreateParams{Name: in.Name, FIFO: fifo, Given: given, All: all, Tags: in.Tags, Now: s.now()})
	if errors.Is(err, store.ErrTopicExists) {
		return nil, invalidf("Attributes Reason: Topic already exists with different attributes")
	}
	if err != nil {
		return nil, storeError(err, errTopicMissing())
	}
	if len(in.Tags) > 0 {
		// AWS refuses a create of an existing topic with other tags
		tags, err := s.st.TopicTags(ctx, in.Name)
		if err != nil {
			return nil, storeError(err, errTopicMissing())
		}
		for k, v := range in.Tags {
			if tags[k] != v {
				return nil, invalidf("Tags Reason: Topic already exists with different tags")
			}
		}
	}
	return &Topic{Name: in.Name, ARN: s.TopicARN(in.Name), FIFO: fifo}, nil
}

func (s *Service) DeleteTopic(ctx context.Context, topicARN string) error {
	name, e := s.topicName(topicARN, "TopicArn")
	if e != nil {
		if e.Code == "NotFound" {
			return nil // AWS: deleting a topic that does not exist succeeds
		}
		return e
	}
	s.forget(name)
	return storeError(s.st.TopicDelete(ctx, name), errTopicMissing())
}

// pageToken encodes where a listing continues.
func pageToken(parts ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "\x00")))
}

func parsePageToken(tok string, n int) ([]string, *Error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	parts := strings.Split(string(b), "\x00")
	if err != nil || len(parts) != n {
		return nil, invalidf("NextToken")
	}
	return parts, nil
}

func (s *Service) ListTopics(ctx context.Context, nextToken string) (*ListOutput, error) {
	after := ""
	if nextToken != "" {
		p, err := parsePageToken(nextToken, 1)
		if err != nil {
			return nil, err
		}
		after = p[0]
	}
	names, next, err := s.st.TopicList(ctx, after, listPage)
	if err != nil {
		return nil, storeError(err, errTopicMissing())
	}
	out := &ListOutput{ARNs: make([]string, len(names))}
	for i, n := range names {
		out.ARNs[i] = s.TopicARN(n)
	}
	if next != "" {
		out.NextToken = pageToken(next)
	}
	return out, nil
}

// defaultPolicy is the access policy AWS gives a new topic.
func (s *Service) defaultPolicy(arn string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` +
		arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + s.cfg.AccountID + `"}}}]}`
}

func (s *Service) GetTopicAttributes(ctx context.Context, topicARN string) (map[string]string, error) {
	name, e := s.topicName(topicARN, "TopicArn")
	if e != nil {
		return nil, e
	}
	rec, err := s.st.TopicGet(ctx, name)
	if err != nil {
		return nil, storeError(err, errTopicMissing())
	}
	out := map[string]string{}
	for k, v := range rec.Attributes {
		out[k] = v
	}
	arn := s.TopicARN(name)
	out["TopicArn"] = arn
	out["Owner"] = s.cfg.AccountID
	if out[attrPolicy] == "" {
		out[attrPolicy] = s.defaultPolicy(arn)
	}
	pending, confirmed := 0, 0
	for _, r := range rec.Subscriptions {
		if sub, err := decodeSubscription(r); err == nil && sub.Confirmed {
			confirmed++
		} else {
			pending++
		}
	}
	out["SubscriptionsPending"] = strconv.Itoa(pending)
	out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	out["SubscriptionsDeleted"] = "0"
	out["EffectiveDeliveryPolicy"] = effectiveTopicDeliveryPolicy(out[attrDeliveryPolicy])
	if rec.FIFO {
		out[attrFifo] = "true"
	}
	if out[attrDeliveryPolicy] == "" {
		delete(out, attrDeliveryPolicy)
	}
	delete(out, attrDataProtection)
	return out, nil
}

func (s *Service) SetTopicAttribute(ctx context.Context, topicARN, name, value string) error {
	topic, e := s.topicName(topicARN, "TopicArn")
	if e != nil {
		return e
	}
	if name == "" {
		return invalidf("AttributeName")
	}
	if name == attrFifo {
		return invalidf("AttributeName: FifoTopic can only be set when the topic is created")
	}
	if err := checkTopicAttr(name, value, strings.HasSuffix(topic, ".fifo"), false); err != nil {
		return err
	}
	s.forget(topic)
	return storeError(s.st.TopicSetAttribute(ctx, topic, name, value), errTopicMissing())
}

// DataProtectionPolicy returns a topic's data protection policy ("" when
// none): kept and shown, not applied.
func (s *Service) DataProtectionPolicy(ctx context.Context, topicARN string) (string, error) {
	name, e := s.topicName(topicARN, "ResourceArn")
	if e != nil {
		return "", e
	}
	rec, err := s.st.TopicGet(ctx, name)
	if err != nil {
		return "", storeError(err, errTopicMissing())
	}
	return rec.Attributes[attrDataProtection], nil
}

// SetDataProtectionPolicy sets a topic's data protection policy: kept and
// shown, not applied.
func (s *Service) SetDataProtectionPolicy(ctx context.Context, topicARN, policy string) error {
	name, e := s.topicName(topicARN, "ResourceArn")
	if e != nil {
		return e
	}
	if err := checkTopicAttr(attrDataProtection, policy, false, false); err != nil {
		return err
	}
	return storeError(s.st.TopicSetAttribute(ctx, name, attrDataProtection, policy), errTopicMissing())
}

func (s *Service) tagTarget(arn string) (string, *Error) {
	name, e := s.topicName(arn, "ResourceArn")
	if e != nil && e.Code == "NotFound" {
		return "", errResourceMissing()
	}
	return name, e
}

func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	name, e := s.tagTarget(arn)
	if e != nil {
		return e
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	err := s.st.TopicTagsChange(ctx, name, nil, tags, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorCode("TagLimitExceeded", http.StatusBadRequest, "Could not complete request: tag quota of per resource exceeded")
	}
	return storeError(err, errResourceMissing())
}

func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	name, e := s.tagTarget(arn)
	if e != nil {
		return e
	}
	return storeError(s.st.TopicTagsChange(ctx, name, keys, nil, maxTags), errResourceMissing())
}

func (s *Service) ListTags(ctx context.Context, arn string) (map[string]string, error) {
	name, e := s.tagTarget(arn)
	if e != nil {
		return nil, e
	}
	tags, err := s.st.TopicTags(ctx, name)
	if err != nil {
		return nil, storeError(err, errResourceMissing())
	}
	return tags, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
