package sns

import (
	"context"
	"strings"

	"github.com/signalbox/signalbox/integrations/topic"
)

// The actions on subscriptions: subscribe, confirm, unsubscribe, list,
// attributes.

type subscribeInput struct {
	TopicARN              string `query:"TopicArn"`
	Protocol              string
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionARN bool `query:"ReturnSubscriptionArn"`
}

type subscriptionARNResult struct {
	SubscriptionARN string `xml:"SubscriptionArn"`
}

func subscribe(s *API, ctx context.Context, in *subscribeInput) (*subscriptionARNResult, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	if in.Protocol == "" {
		return nil, missing("Protocol")
	}
	arn, err := s.t().Subscribe(ctx, &topic.SubscribeInput{TopicARN: in.TopicARN, Protocol: in.Protocol, Endpoint: in.Endpoint,
		Attributes: in.Attributes, ReturnSubscriptionARN: in.ReturnSubscriptionARN})
	if err != nil {
		return nil, err
	}
	return &subscriptionARNResult{SubscriptionARN: arn}, nil
}

type confirmSubscriptionInput struct {
	TopicARN string `query:"TopicArn"`
	Token    string
	// AuthenticateOnUnsubscribe is a string in SNS's model: "true" or
	// "false".
	AuthenticateOnUnsubscribe string
}

func confirmSubscription(s *API, ctx context.Context, in *confirmSubscriptionInput) (*subscriptionARNResult, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	if in.Token == "" {
		return nil, missing("Token")
	}
	var auth bool
	switch strings.ToLower(in.AuthenticateOnUnsubscribe) {
	case "true":
		// AWS: "If the value of this parameter is true and the request
		// has an AWS signature, then only the topic owner and the
		// subscription owner can unsubscribe the endpoint": an unsigned
		// confirmation (the subscriber's GET of its SubscribeURL) sets
		// nothing.
		auth = authenticated(ctx)
	case "false", "":
	default:
		return nil, invalid("AuthenticateOnUnsubscribe Reason: must be true or false")
	}
	arn, err := s.t().ConfirmSubscription(ctx, in.TopicARN, in.Token, auth)
	if err != nil {
		return nil, err
	}
	return &subscriptionARNResult{SubscriptionARN: arn}, nil
}

type subscriptionARNInput struct {
	SubscriptionARN string `query:"SubscriptionArn"`
}

func unsubscribe(s *API, ctx context.Context, in *subscriptionARNInput) (*empty, error) {
	if in.SubscriptionARN == "" {
		return nil, missing("SubscriptionArn")
	}
	if authenticated(ctx) {
		return &empty{}, s.t().Unsubscribe(ctx, in.SubscriptionARN)
	}
	// a request without credentials (a subscriber's GET of its
	// UnsubscribeURL): only a subscription that does not require
	// authentication may go
	return &empty{}, s.t().UnsubscribeByURL(ctx, in.SubscriptionARN)
}

type subscription struct {
	SubscriptionARN string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicARN        string `xml:"TopicArn"`
}

type listSubscriptionsResult struct {
	Subscriptions members[subscription] `xml:"Subscriptions"`
	NextToken     string                `xml:"NextToken,omitempty"`
}

func subscriptionsResult(page *topic.SubscriptionsOutput) *listSubscriptionsResult {
	out := &listSubscriptionsResult{Subscriptions: make(members[subscription], 0, len(page.Subscriptions)), NextToken: page.NextToken}
	for _, sub := range page.Subscriptions {
		out.Subscriptions = append(out.Subscriptions, subscription(sub))
	}
	return out
}

func listSubscriptions(s *API, ctx context.Context, in *nextTokenInput) (*listSubscriptionsResult, error) {
	page, err := s.t().ListSubscriptions(ctx, in.NextToken)
	if err != nil {
		return nil, err
	}
	return subscriptionsResult(page), nil
}

type listSubscriptionsByTopicInput struct {
	TopicARN  string `query:"TopicArn"`
	NextToken string
}

func listSubscriptionsByTopic(s *API, ctx context.Context, in *listSubscriptionsByTopicInput) (*listSubscriptionsResult, error) {
	if in.TopicARN == "" {
		return nil, missing("TopicArn")
	}
	page, err := s.t().ListSubscriptionsByTopic(ctx, in.TopicARN, in.NextToken)
	if err != nil {
		return nil, err
	}
	return subscriptionsResult(page), nil
}

func getSubscriptionAttributes(s *API, ctx context.Context, in *subscriptionARNInput) (*attributesResult, error) {
	if in.SubscriptionARN == "" {
		return nil, missing("SubscriptionArn")
	}
	attrs, err := s.t().GetSubscriptionAttributes(ctx, in.SubscriptionARN)
	if err != nil {
		return nil, err
	}
	return &attributesResult{Attributes: attrs}, nil
}

type setSubscriptionAttributesInput struct {
	SubscriptionARN string `query:"SubscriptionArn"`
	AttributeName   string
	AttributeValue  string // optional: none is ""
}

func setSubscriptionAttributes(s *API, ctx context.Context, in *setSubscriptionAttributesInput) (*empty, error) {
	if in.SubscriptionARN == "" {
		return nil, missing("SubscriptionArn")
	}
	if in.AttributeName == "" {
		return nil, missing("AttributeName")
	}
	return &empty{}, s.t().SetSubscriptionAttribute(ctx, in.SubscriptionARN, in.AttributeName, in.AttributeValue)
}
