package topic

// effectiveTopicDeliveryPolicy is a topic's EffectiveDeliveryPolicy, from
// its DeliveryPolicy attribute (checked when set: one that no longer
// parses counts as none).
func effectiveTopicDeliveryPolicy(v string) string {
	p, _ := parseTopicDeliveryPolicy(v)
	return topicEffectiveDeliveryPolicy(p)
}

// effectiveSubscriptionDeliveryPolicy is an http/https subscription's
// EffectiveDeliveryPolicy, from the topic's and its own DeliveryPolicy.
func effectiveSubscriptionDeliveryPolicy(topic, sub string) string {
	tp, _ := parseTopicDeliveryPolicy(topic)
	sp, _ := parseSubscriptionDeliveryPolicy(sub)
	return effectiveDeliveryPolicy(tp, sp).subscriptionJSON()
}
