package topic

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/topic/filter"
	"github.com/signalbox/signalbox/store"
)

// The subscription attributes a caller may set (Subscribe,
// SetSubscriptionAttributes).
const (
	attrRawDelivery  = "RawMessageDelivery"
	attrFilterPolicy = "FilterPolicy"
	attrFilterScope  = "FilterPolicyScope"
	attrRedrive      = "RedrivePolicy"
	attrRoleARN      = "SubscriptionRoleArn"
	attrReplayPolicy = "ReplayPolicy"
)

// confirmationTTL is how long a confirmation token stays valid: three
// days, as AWS documents.
const confirmationTTL = 72 * time.Hour

// subRecord is a subscription as the store keeps it.
type subRecord struct {
	Protocol      string            `json:"p"`
	Endpoint      string            `json:"e"`
	Attributes    map[string]string `json:"a,omitempty"`
	Confirmed     bool              `json:"c,omitempty"`
	Token         string            `json:"t,omitempty"`
	TokenExpires  int64             `json:"tx,omitempty"` // unix ms
	Authenticated bool              `json:"au,omitempty"` // confirmed with AuthenticateOnUnsubscribe
}

func decodeSubscription(s string) (*subRecord, error) {
	var r subRecord
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (r *subRecord) encode() string {
	b, _ := json.Marshal(r)
	return string(b)
}

func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// newUUID returns a random (version 4) UUID.
func newUUID() string { return integrations.NewUUID() }

// newToken returns a confirmation token: 128 random bytes in hex, like
// AWS's.
func newToken() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// checkSubAttr checks one subscription attribute a caller sets.
func checkSubAttr(name, v, protocol string, attrs map[string]string, subscribe bool) *Error {
	switch name {
	case attrRawDelivery:
		if v != "true" && v != "false" {
			return invalidf("RawMessageDelivery: Invalid value [%s]. Must be true or false.", clip(v, 32))
		}
		if v == "true" && protocol != ProtocolSQS && protocol != ProtocolHTTP && protocol != ProtocolHTTPS && protocol != ProtocolStates {
			return invalidf("Delivery protocol [%s] does not support raw message delivery.", protocol)
		}
	case attrFilterPolicy:
		if v == "" {
			return nil
		}
		scope, err := filter.ParseScope(attrs[attrFilterScope])
		if err != nil {
			return invalidf("FilterPolicyScope: Invalid value [%s].", clip(attrs[attrFilterScope], 32))
		}
		if _, err := filter.Compile(v, scope); err != nil {
			return filterError(err, subscribe)
		}
	case attrFilterScope:
		scope, err := filter.ParseScope(v)
		if err != nil || v == "" {
			return invalidf("FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", clip(v, 32))
		}
		if p := attrs[attrFilterPolicy]; p != "" {
			if _, err := filter.Compile(p, scope); err != nil {
				return filterError(err, subscribe)
			}
		}
	case attrDeliveryPolicy:
		if protocol != ProtocolHTTP && protocol != ProtocolHTTPS {
			return invalidf("DeliveryPolicy: Delivery protocol [%s] does not support delivery policies", protocol)
		}
		if _, err := parseSubscriptionDeliveryPolicy(v); err != nil {
			if subscribe {
				return policyErrorInAttributes(err)
			}
			return err
		}
	case attrRedrive:
		if v == "" {
			return nil
		}
		if _, err := parseSubscriptionRedrive(v); err != nil {
			return err
		}
	case attrRoleARN:
	case attrReplayPolicy:
		return invalidf("ReplayPolicy: message archiving and replay are not supported by Signalbox")
	default:
		return invalidf("AttributeName")
	}
	return nil
}

// filterError is a filter policy's error as Subscribe (subscribe) or
// SetSubscriptionAttributes words it.
func filterError(err error, subscribe bool) *Error {
	var fe *filter.Error
	if errors.As(err, &fe) {
		if subscribe {
			fe = fe.ForSubscribe()
		}
		return &Error{Code: fe.Code, Message: fe.Message, Status: http.StatusBadRequest}
	}
	return invalidf("FilterPolicy: %s", err.Error())
}

// parseSubscriptionRedrive reads a subscription's RedrivePolicy: the
// dead-letter queue's ARN.
func parseSubscriptionRedrive(v string) (string, *Error) {
	var p struct {
		Target string `json:"deadLetterTargetArn"`
	}
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return "", invalidf("RedrivePolicy: failed to parse JSON")
	}
	parts := strings.Split(p.Target, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5] == "" {
		return "", invalidf("RedrivePolicy: deadLetterTargetArn is invalid")
	}
	return p.Target, nil
}

// checkEndpoint checks a subscription's protocol and endpoint.
func (s *Service) checkEndpoint(protocol, endpoint string, fifoTopic bool) *Error {
	switch protocol {
	case ProtocolSQS:
		parts := strings.Split(endpoint, ":")
		if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[5] == "" {
			return invalidf("SQS endpoint ARN")
		}
		if s.cfg.Queues == nil {
			return invalidf("Amazon SNS does not support this protocol string: sqs (no queue router runs here)")
		}
		if fifoQueue := strings.HasSuffix(parts[5], ".fifo"); fifoQueue != fifoTopic {
			if fifoTopic {
				return invalidf("Invalid parameter: Endpoint Reason: FIFO topics can only deliver to FIFO queues here")
			}
			return invalidf("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics")
		}
	case ProtocolHTTP, ProtocolHTTPS:
		if fifoTopic {
			return invalidf("Invalid parameter: Endpoint Reason: FIFO topics deliver to SQS queues only")
		}
		if !strings.HasPrefix(strings.ToLower(endpoint), protocol+"://") || len(endpoint) > 2048 {
			return invalidf("Endpoint must match the specified protocol")
		}
	case ProtocolStates:
		if fifoTopic {
			return invalidf("Invalid parameter: Endpoint Reason: FIFO topics deliver to SQS queues only")
		}
		parts := strings.Split(endpoint, ":")
		if len(parts) < 7 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" {
			return invalidf("Endpoint: a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)")
		}
		if s.hostOf() == nil {
			return invalidf("Amazon SNS does not support this protocol string: states (no runtime runs here)")
		}
	case ProtocolLambda:
		if fifoTopic {
			return invalidf("Invalid parameter: Endpoint Reason: FIFO topics deliver to SQS queues only")
		}
		if !function.IsFunctionARN(endpoint) {
			return invalidf("Invalid parameter: Lambda endpoint ARN")
		}
		if s.fns.Get() == nil {
			return invalidf("Amazon SNS does not support this protocol string: lambda (no functions run here)")
		}
	case "email", "email-json", "sms", "application", "firehose":
		return invalidf("Amazon SNS protocol %s is not supported by Signalbox (supported: sqs, http, https, lambda, states)", protocol)
	default:
		return invalidf("Amazon SNS does not support this protocol string: %s", clip(protocol, 32))
	}
	return nil
}

func (s *Service) hostOf() integrations.Host {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.host
}

func (s *Service) Subscribe(ctx context.Context, in *SubscribeInput) (string, error) {
	name, e := s.topicName(in.TopicARN, "TopicArn")
	if e != nil {
		return "", e
	}
	if in.Protocol == "" {
		return "", invalidf("Protocol")
	}
	rec, err := s.st.TopicGet(ctx, name)
	if err != nil {
		return "", storeError(err, errTopicMissing())
	}
	if e := s.checkEndpoint(in.Protocol, in.Endpoint, rec.FIFO); e != nil {
		return "", e
	}
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	for _, k := range sortedKeys(attrs) {
		if e := checkSubAttr(k, attrs[k], in.Protocol, attrs, true); e != nil {
			return "", e
		}
	}
	if id, sub := existingSubscription(rec, in.Protocol, in.Endpoint); sub != nil {
		return s.subscribedAgain(name, id, sub, attrs, in.ReturnSubscriptionARN)
	}
	if attrs[attrFilterPolicy] != "" && filterPolicies(rec, "") >= maxFilterPolicies {
		return "", errFilterLimit()
	}
	limit := maxSubscriptions
	if rec.FIFO {
		limit = maxFIFOSubscriptions
	}
	id := newUUID()
	sub := &subRecord{Protocol: in.Protocol, Endpoint: in.Endpoint, Attributes: attrs, Confirmed: true}
	if in.Protocol == ProtocolHTTP || in.Protocol == ProtocolHTTPS {
		sub.Confirmed = false
		sub.Token = newToken()
		sub.TokenExpires = s.now().Add(confirmationTTL).UnixMilli()
	}
	err = s.st.TopicSubscribe(ctx, &store.TopicSubscriptionParams{Topic: name, ID: id, Record: sub.encode(), Token: sub.Token,
		Limit: limit, Endpoint: endpointKey(in.Protocol, in.Endpoint)})
	var exists *store.ErrSubscriptionExists
	if errors.As(err, &exists) {
		// another call subscribed the endpoint meanwhile
		if rec, err = s.st.TopicGet(ctx, name); err != nil {
			return "", storeError(err, errTopicMissing())
		}
		if raw, ok := rec.Subscriptions[exists.ExistingID]; ok {
			if other, err := decodeSubscription(raw); err == nil {
				return s.subscribedAgain(name, exists.ExistingID, other, attrs, in.ReturnSubscriptionARN)
			}
		}
		return "", storeError(err, errTopicMissing())
	}
	if errors.Is(err, store.ErrLimit) {
		return "", errorCode("SubscriptionLimitExceeded", http.StatusForbidden, "Subscription limit exceeded")
	}
	if err != nil {
		return "", storeError(err, errTopicMissing())
	}
	s.forget(name)
	arn := s.TopicARN(name) + ":" + id
	if !sub.Confirmed {
		s.sendConfirmation(name, id, sub)
		if !in.ReturnSubscriptionARN {
			return "pending confirmation", nil
		}
	}
	return arn, nil
}

func (s *Service) ConfirmSubscription(ctx context.Context, topicARN, token string, authenticateOnUnsubscribe bool) (string, error) {
	name, e := s.topicName(topicARN, "TopicArn")
	if e != nil {
		return "", e
	}
	if token == "" || len(token) > 2048 {
		return "", invalidf("Token")
	}
	id, err := s.st.TopicConfirmToken(ctx, name, token)
	if err != nil {
		return "", storeError(err, invalidf("Token"))
	}
	rec, err := s.st.TopicGet(ctx, name)
	if err != nil {
		return "", storeError(err, errTopicMissing())
	}
	raw, ok := rec.Subscriptions[id]
	if !ok {
		return "", invalidf("Token")
	}
	sub, err := decodeSubscription(raw)
	if err != nil {
		return "", storeError(err, nil)
	}
	if sub.TokenExpires != 0 && s.now().UnixMilli() > sub.TokenExpires {
		return "", invalidf("Token")
	}
	old := sub.Token
	sub.Confirmed, sub.Token, sub.TokenExpires = true, "", 0
	sub.Authenticated = authenticateOnUnsubscribe
	err = s.st.TopicSubscriptionSet(ctx, &store.TopicSubscriptionParams{Topic: name, ID: id, Record: sub.encode(), OldToken: old})
	if err != nil {
		return "", storeError(err, errSubscriptionMissing())
	}
	s.forget(name)
	return s.TopicARN(name) + ":" + id, nil
}

// subscription returns a subscription's record.
func (s *Service) subscription(ctx context.Context, arn string) (topic, id string, sub *subRecord, err error) {
	topic, id, e := s.subscriptionOf(arn)
	if e != nil {
		return "", "", nil, e
	}
	rec, err := s.st.TopicGet(ctx, topic)
	if err != nil {
		return "", "", nil, storeError(err, errSubscriptionMissing())
	}
	raw, ok := rec.Subscriptions[id]
	if !ok {
		return "", "", nil, errSubscriptionMissing()
	}
	sub, err = decodeSubscription(raw)
	if err != nil {
		return "", "", nil, storeError(err, nil)
	}
	return topic, id, sub, nil
}

func (s *Service) Unsubscribe(ctx context.Context, subscriptionARN string) error {
	topic, id, sub, err := s.subscription(ctx, subscriptionARN)
	if err != nil {
		return err
	}
	err = s.st.TopicUnsubscribe(ctx, &store.TopicSubscriptionParams{Topic: topic, ID: id, OldToken: sub.Token,
		Endpoint: endpointKey(sub.Protocol, sub.Endpoint)})
	if err != nil {
		return storeError(err, errSubscriptionMissing())
	}
	s.forget(topic)
	if sub.Protocol == ProtocolHTTP || sub.Protocol == ProtocolHTTPS {
		s.sendUnsubscribeConfirmation(topic, id, sub)
	}
	return nil
}

// UnsubscribeByURL is Unsubscribe as the UnsubscribeURL of a message asks
// it, unsigned: refused (AuthorizationError) for a subscription confirmed
// with AuthenticateOnUnsubscribe, as in AWS.
func (s *Service) UnsubscribeByURL(ctx context.Context, subscriptionARN string) error {
	_, _, sub, err := s.subscription(ctx, subscriptionARN)
	if err != nil {
		return err
	}
	if sub.Authenticated {
		return errorCode("AuthorizationError", http.StatusForbidden, "The subscription was confirmed with AuthenticateOnUnsubscribe: unsubscribing takes a signed request")
	}
	return s.Unsubscribe(ctx, subscriptionARN)
}

func (s *Service) listed(topic, id string, sub *subRecord) Subscription {
	arn := s.TopicARN(topic) + ":" + id
	if !sub.Confirmed {
		arn = "PendingConfirmation"
	}
	return Subscription{SubscriptionARN: arn, Owner: s.cfg.AccountID, Protocol: sub.Protocol, Endpoint: sub.Endpoint, TopicARN: s.TopicARN(topic)}
}

// topicSubscriptions lists a topic's subscriptions after id after, up to
// max, the last one's id, and whether more follow.
func (s *Service) topicSubscriptions(ctx context.Context, topic, after string, max int) ([]Subscription, string, bool, error) {
	rec, err := s.st.TopicGet(ctx, topic)
	if err != nil {
		return nil, "", false, err
	}
	var out []Subscription
	last := after
	for _, id := range sortedKeys(rec.Subscriptions) {
		if id <= after {
			continue
		}
		if len(out) == max {
			return out, last, true, nil
		}
		sub, err := decodeSubscription(rec.Subscriptions[id])
		if err != nil {
			continue
		}
		out = append(out, s.listed(topic, id, sub))
		last = id
	}
	return out, last, false, nil
}

func (s *Service) ListSubscriptionsByTopic(ctx context.Context, topicARN, nextToken string) (*SubscriptionsOutput, error) {
	name, e := s.topicName(topicARN, "TopicArn")
	if e != nil {
		return nil, e
	}
	after := ""
	if nextToken != "" {
		p, e := parsePageToken(nextToken, 1)
		if e != nil {
			return nil, e
		}
		after = p[0]
	}
	subs, last, more, err := s.topicSubscriptions(ctx, name, after, listPage)
	if err != nil {
		return nil, storeError(err, errTopicMissing())
	}
	out := &SubscriptionsOutput{Subscriptions: subs}
	if more {
		out.NextToken = pageToken(last)
	}
	return out, nil
}

func (s *Service) ListSubscriptions(ctx context.Context, nextToken string) (*SubscriptionsOutput, error) {
	topic, after := "", ""
	if nextToken != "" {
		p, e := parsePageToken(nextToken, 2)
		if e != nil {
			return nil, e
		}
		topic, after = p[0], p[1]
	}
	out := &SubscriptionsOutput{}
	first := true
	for {
		names, next, err := s.st.TopicList(ctx, topic, 100)
		if err != nil {
			return nil, storeError(err, errTopicMissing())
		}
		if first && topic != "" {
			// the page ended inside this topic: its rest first
			names = append([]string{topic}, names...)
		}
		first = false
		for i, n := range names {
			a := ""
			if i == 0 && n == topic {
				a = after
			}
			subs, last, more, err := s.topicSubscriptions(ctx, n, a, listPage-len(out.Subscriptions))
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, storeError(err, errTopicMissing())
			}
			out.Subscriptions = append(out.Subscriptions, subs...)
			if more || len(out.Subscriptions) == listPage {
				out.NextToken = pageToken(n, last)
				return out, nil
			}
		}
		if next == "" {
			return out, nil
		}
		topic, after = next, ""
		first = false
	}
}

func (s *Service) GetSubscriptionAttributes(ctx context.Context, subscriptionARN string) (map[string]string, error) {
	topic, id, sub, err := s.subscription(ctx, subscriptionARN)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, v := range sub.Attributes {
		if v != "" {
			out[k] = v
		}
	}
	out["SubscriptionArn"] = s.TopicARN(topic) + ":" + id
	out["TopicArn"] = s.TopicARN(topic)
	out["Owner"] = s.cfg.AccountID
	out["Protocol"] = sub.Protocol
	out["Endpoint"] = sub.Endpoint
	out["PendingConfirmation"] = boolString(!sub.Confirmed)
	out["ConfirmationWasAuthenticated"] = boolString(sub.Confirmed && (sub.Protocol == ProtocolSQS || sub.Protocol == ProtocolStates || sub.Protocol == ProtocolLambda || sub.Authenticated))
	if out[attrRawDelivery] == "" {
		out[attrRawDelivery] = "false"
	}
	if out[attrFilterPolicy] != "" && out[attrFilterScope] == "" {
		out[attrFilterScope] = "MessageAttributes"
	}
	if sub.Protocol == ProtocolHTTP || sub.Protocol == ProtocolHTTPS {
		rec, err := s.st.TopicGet(ctx, topic)
		if err != nil {
			return nil, storeError(err, errSubscriptionMissing())
		}
		out["EffectiveDeliveryPolicy"] = effectiveSubscriptionDeliveryPolicy(rec.Attributes[attrDeliveryPolicy], sub.Attributes[attrDeliveryPolicy])
	}
	return out, nil
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func (s *Service) SetSubscriptionAttribute(ctx context.Context, subscriptionARN, name, value string) error {
	topic, id, sub, err := s.subscription(ctx, subscriptionARN)
	if err != nil {
		return err
	}
	if name == "" {
		return invalidf("AttributeName")
	}
	if name == attrFilterPolicy && value != "" && sub.Attributes[attrFilterPolicy] == "" {
		rec, err := s.st.TopicGet(ctx, topic)
		if err != nil {
			return storeError(err, errSubscriptionMissing())
		}
		if filterPolicies(rec, id) >= maxFilterPolicies {
			return errFilterLimit()
		}
	}
	next := map[string]string{}
	for k, v := range sub.Attributes {
		next[k] = v
	}
	next[name] = value
	if e := checkSubAttr(name, value, sub.Protocol, next, false); e != nil {
		return e
	}
	if value == "" {
		delete(next, name)
	}
	sub.Attributes = next
	err = s.st.TopicSubscriptionSet(ctx, &store.TopicSubscriptionParams{Topic: topic, ID: id, Record: sub.encode()})
	if err != nil {
		return storeError(err, errSubscriptionMissing())
	}
	s.forget(topic)
	return nil
}

// maxFilterPolicies is AWS's quota of filter policies per topic.
const maxFilterPolicies = 200

// filterPolicies counts the topic's subscriptions with a filter policy,
// but the one of id except.
func filterPolicies(rec *store.TopicRecord, except string) int {
	n := 0
	for id, raw := range rec.Subscriptions {
		if sub, err := decodeSubscription(raw); err == nil && id != except && sub.Attributes[attrFilterPolicy] != "" {
			n++
		}
	}
	return n
}

func errFilterLimit() *Error {
	return errorCode("FilterPolicyLimitExceeded", http.StatusForbidden, "Filter policy limit exceeded: a topic holds at most %d filter policies", maxFilterPolicies)
}

// endpointKey names a subscription's endpoint in the store's index.
func endpointKey(protocol, endpoint string) string { return protocol + "\x00" + endpoint }

// existingSubscription is the topic's subscription to the endpoint, if
// any.
func existingSubscription(rec *store.TopicRecord, protocol, endpoint string) (string, *subRecord) {
	for id, r := range rec.Subscriptions {
		if sub, err := decodeSubscription(r); err == nil && sub.Protocol == protocol && sub.Endpoint == endpoint {
			return id, sub
		}
	}
	return "", nil
}

// subscribedAgain answers a Subscribe of an endpoint the topic has a
// subscription to: that subscription (its confirmation sent again while
// pending), or InvalidParameter when the request gives other attributes.
func (s *Service) subscribedAgain(topic, id string, sub *subRecord, attrs map[string]string, returnARN bool) (string, error) {
	for k, v := range attrs {
		if sub.Attributes[k] != v {
			return "", invalidf("Attributes Reason: Subscription already exists with different attributes")
		}
	}
	if !sub.Confirmed {
		s.sendConfirmation(topic, id, sub)
		if !returnARN {
			return "pending confirmation", nil
		}
	}
	return s.TopicARN(topic) + ":" + id, nil
}
