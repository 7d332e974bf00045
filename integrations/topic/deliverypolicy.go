package topic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// SNS's delivery policy for http/https subscriptions ("Amazon SNS message
// delivery retries", "Creating an HTTP/S delivery policy"): the topic
// attribute DeliveryPolicy,
//
//	{"http": {"defaultHealthyRetryPolicy": {...}, "disableSubscriptionOverrides": bool,
//	          "defaultThrottlePolicy": {"maxReceivesPerSecond": n},
//	          "defaultRequestPolicy": {"headerContentType": "..."}}}
//
// and the subscription attribute DeliveryPolicy,
//
//	{"healthyRetryPolicy": {...}, "throttlePolicy": {...}, "requestPolicy": {...}}
//
// with a retry policy of minDelayTarget, maxDelayTarget, numRetries,
// numNoDelayRetries, numMinDelayRetries, numMaxDelayRetries and
// backoffFunction. AWS's older sicklyRetryPolicy and guaranteed, which
// GetSubscriptionAttributes still shows (as null and false), are accepted
// and ignored.

// maxDeliveryPolicy bounds a DeliveryPolicy attribute's length (a full
// policy takes some 400 bytes).
const maxDeliveryPolicy = 32 << 10

// The retry policy's limits, as AWS documents them.
const (
	maxRetries        = 100
	maxDelayLimit     = 3600 // seconds, maxDelayTarget's highest value
	maxTotalRetryTime = 3600 * time.Second
)

// The backoff functions.
const (
	backoffLinear      = "linear"
	backoffArithmetic  = "arithmetic"
	backoffGeometric   = "geometric"
	backoffExponential = "exponential"
)

// defaultContentType is what http/https deliveries carry without a request
// policy.
const defaultContentType = "text/plain; charset=UTF-8"

// headerContentTypes are the media types a request policy may choose: the
// values "SetSubscriptionAttributes delivery policy JSON format" lists. Each
// may carry "; charset=UTF-8".
var headerContentTypes = []string{"text/plain", "application/json", "application/xml"}

// retryPolicy is a healthy retry policy: the delays, in seconds, and the
// retries of its four phases.
type retryPolicy struct {
	MinDelay    int // minDelayTarget, seconds
	MaxDelay    int // maxDelayTarget, seconds
	NumRetries  int // every retry, of all four phases
	NumNoDelay  int // numNoDelayRetries: the immediate phase
	NumMinDelay int // numMinDelayRetries: the pre-backoff phase, at MinDelay
	NumMaxDelay int // numMaxDelayRetries: the post-backoff phase, at MaxDelay
	Backoff     string
}

// defaultRetryPolicy is AWS's for http/https: three retries, 20 seconds
// apart (its EffectiveDeliveryPolicy without a policy).
var defaultRetryPolicy = retryPolicy{MinDelay: 20, MaxDelay: 20, NumRetries: 3, Backoff: backoffLinear}

// delay returns the delay before retry number attempt (1 is the first retry,
// after the first delivery failed), and false when the policy has no such
// retry. attempt 0 or less is the first delivery, at once.
//
// The retries run through AWS's four phases in order: numNoDelayRetries at
// once; numMinDelayRetries at minDelayTarget; the backoff phase's
// numRetries - numNoDelayRetries - numMinDelayRetries - numMaxDelayRetries
// retries, the first at minDelayTarget and the last at maxDelayTarget (AWS's
// definition of the two targets), those between on the backoff function's
// curve; then numMaxDelayRetries at maxDelayTarget.
//
// AWS publishes the backoff functions only as a graph; the curves here
// keep its endpoints and order and are ours. With t going from 0 at the
// phase's first retry to 1 at its last:
//
//	linear       min + (max-min)·t
//	arithmetic   min + (max-min)·t²                         (the steps grow by a constant)
//	geometric    min + (max-min)·(2^(i)-1)/(2^(n-1)-1)       (each step twice the last; retry i of n, from 0)
//	exponential  min·(max/min)^t                              (each delay a constant multiple of the last)
//
// A backoff phase of one retry waits minDelayTarget. AWS adds jitter to its
// delays; these have none, so a schedule is reproducible. Delays are
// rounded to the millisecond.
func (p retryPolicy) delay(attempt int) (d time.Duration, ok bool) {
	if attempt <= 0 {
		return 0, true
	}
	if attempt > p.NumRetries {
		return 0, false
	}
	minD, maxD := time.Duration(p.MinDelay)*time.Second, time.Duration(p.MaxDelay)*time.Second
	backoff := p.NumRetries - p.NumNoDelay - p.NumMinDelay - p.NumMaxDelay
	switch k := attempt; {
	case k <= p.NumNoDelay:
		return 0, true
	case k <= p.NumNoDelay+p.NumMinDelay:
		return minD, true
	case k <= p.NumNoDelay+p.NumMinDelay+backoff:
		i := k - p.NumNoDelay - p.NumMinDelay - 1
		return backoffDelay(p.Backoff, float64(p.MinDelay), float64(p.MaxDelay), i, backoff), true
	default:
		return maxD, true
	}
}

// backoffDelay is retry i (from 0) of n in the backoff phase.
func backoffDelay(function string, minS, maxS float64, i, n int) time.Duration {
	if n <= 1 || i <= 0 {
		return secondsDuration(minS)
	}
	if i >= n-1 {
		return secondsDuration(maxS)
	}
	t := float64(i) / float64(n-1)
	var s float64
	switch function {
	case backoffArithmetic:
		s = minS + (maxS-minS)*t*t
	case backoffGeometric:
		s = minS + (maxS-minS)*(math.Exp2(float64(i))-1)/(math.Exp2(float64(n-1))-1)
	case backoffExponential:
		s = minS * math.Pow(maxS/minS, t)
	default: // linear
		s = minS + (maxS-minS)*t
	}
	return secondsDuration(s)
}

func secondsDuration(s float64) time.Duration {
	return time.Duration(math.Round(s*1000)) * time.Millisecond
}

// total is the time all the retries wait, summed.
func (p retryPolicy) total() time.Duration {
	var sum time.Duration
	for k := 1; k <= p.NumRetries; k++ {
		d, _ := p.delay(k)
		sum += d
	}
	return sum
}

// topicDeliveryPolicy is a topic's DeliveryPolicy; a nil part is unset.
type topicDeliveryPolicy struct {
	Retry            *retryPolicy
	DisableOverrides bool
	Throttle         *int // maxReceivesPerSecond
	ContentType      *string
}

// subscriptionDeliveryPolicy is a subscription's DeliveryPolicy; a nil
// part is unset.
type subscriptionDeliveryPolicy struct {
	Retry       *retryPolicy
	Throttle    *int
	ContentType *string
}

// deliveryPolicy is what governs a subscription's deliveries.
type deliveryPolicy struct {
	Retry retryPolicy
	// Throttle is the most deliveries per second, 0 for no limit.
	Throttle int
	// ContentType is the Content-Type of notifications.
	ContentType string
}

// effectiveDeliveryPolicy is the policy of an http/https subscription: for
// each part (retry, throttle, request), the subscription's when it set
// that part and the topic does not disable overrides, else the topic's
// default, else AWS's (three retries 20 s apart, no throttle,
// text/plain; charset=UTF-8). Either argument may be nil.
func effectiveDeliveryPolicy(topic *topicDeliveryPolicy, sub *subscriptionDeliveryPolicy) deliveryPolicy {
	p := deliveryPolicy{Retry: defaultRetryPolicy, ContentType: defaultContentType}
	if topic != nil {
		if topic.Retry != nil {
			p.Retry = *topic.Retry
		}
		if topic.Throttle != nil {
			p.Throttle = *topic.Throttle
		}
		if topic.ContentType != nil {
			p.ContentType = *topic.ContentType
		}
		if topic.DisableOverrides {
			return p
		}
	}
	if sub != nil {
		if sub.Retry != nil {
			p.Retry = *sub.Retry
		}
		if sub.Throttle != nil {
			p.Throttle = *sub.Throttle
		}
		if sub.ContentType != nil {
			p.ContentType = *sub.ContentType
		}
	}
	return p
}

// policyError is an invalid DeliveryPolicy: InvalidParameter with AWS's
// wording, "Invalid parameter: DeliveryPolicy: <path> <problem>" (the
// paths as AWS names them: healthyRetryPolicy.minDelayTarget,
// http.defaultHealthyRetryPolicy.numRetries). Subscribe and CreateTopic,
// which take the policy among their Attributes, say "Invalid parameter:
// Attributes Reason: DeliveryPolicy: ..." (policyErrorInAttributes).
func policyError(format string, args ...any) *Error {
	return &Error{Code: "InvalidParameter", Message: "Invalid parameter: DeliveryPolicy: " + fmt.Sprintf(format, args...), Status: 400}
}

// policyErrorInAttributes rewrites a policy error for a request that
// carried the policy among its Attributes (Subscribe, CreateTopic).
func policyErrorInAttributes(e *Error) *Error {
	if e != nil && strings.HasPrefix(e.Message, "Invalid parameter: DeliveryPolicy: ") {
		return &Error{Code: e.Code, Status: e.Status,
			Message: "Invalid parameter: Attributes Reason: " + strings.TrimPrefix(e.Message, "Invalid parameter: ")}
	}
	return e
}

// parseTopicDeliveryPolicy parses and checks a topic's DeliveryPolicy. ""
// is no policy (nil, nil): SetTopicAttributes with an empty value removes
// it.
func parseTopicDeliveryPolicy(s string) (*topicDeliveryPolicy, *Error) {
	top, err := policyObject(s)
	if top == nil || err != nil {
		return nil, err
	}
	p := &topicDeliveryPolicy{}
	for _, k := range sortedKeys(top) {
		if k != "http" {
			return nil, policyError("%s is not a valid field", k)
		}
		h, err := subObject("http", top[k])
		if err != nil {
			return nil, err
		}
		for _, k := range sortedKeys(h) {
			v, path := h[k], "http."+k
			switch k {
			case "defaultHealthyRetryPolicy":
				if p.Retry, err = parseRetryPolicy(path, v); err != nil {
					return nil, err
				}
			case "disableSubscriptionOverrides":
				if p.DisableOverrides, err = policyBool(path, v); err != nil {
					return nil, err
				}
			case "defaultThrottlePolicy":
				if p.Throttle, err = parseThrottlePolicy(path, v); err != nil {
					return nil, err
				}
			case "defaultRequestPolicy":
				if p.ContentType, err = parseRequestPolicy(path, v); err != nil {
					return nil, err
				}
			default:
				return nil, policyError("%s is not a valid field", path)
			}
		}
	}
	return p, nil
}

// parseSubscriptionDeliveryPolicy parses and checks a subscription's
// DeliveryPolicy. "" is no policy (nil, nil).
func parseSubscriptionDeliveryPolicy(s string) (*subscriptionDeliveryPolicy, *Error) {
	top, err := policyObject(s)
	if top == nil || err != nil {
		return nil, err
	}
	p := &subscriptionDeliveryPolicy{}
	for _, k := range sortedKeys(top) {
		v := top[k]
		switch k {
		case "healthyRetryPolicy":
			p.Retry, err = parseRetryPolicy(k, v)
		case "throttlePolicy":
			p.Throttle, err = parseThrottlePolicy(k, v)
		case "requestPolicy":
			p.ContentType, err = parseRequestPolicy(k, v)
		case "sicklyRetryPolicy":
			// AWS's former policy: accepted, no effect.
		case "guaranteed":
			_, err = policyBool(k, v)
		default:
			err = policyError("%s is not a valid field", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// policyObject decodes the attribute's JSON object; nil for "".
func policyObject(s string) (map[string]json.RawMessage, *Error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if len(s) > maxDeliveryPolicy {
		return nil, policyError("must be at most %d bytes", maxDeliveryPolicy)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	var top map[string]json.RawMessage
	if err := dec.Decode(&top); err != nil || top == nil {
		return nil, policyError("failed to parse JSON: must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, policyError("failed to parse JSON: data after the object")
	}
	return top, nil
}

// subObject decodes a nested object; nil for JSON null.
func subObject(path string, v json.RawMessage) (map[string]json.RawMessage, *Error) {
	if isNull(v) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, policyError("%s type mismatch, expecting object, received %s", path, jsonKind(v))
	}
	return m, nil
}

func parseRetryPolicy(path string, v json.RawMessage) (*retryPolicy, *Error) {
	m, err := subObject(path, v)
	if err != nil || m == nil {
		return nil, err
	}
	p := defaultRetryPolicy
	ints := map[string]*int{
		"minDelayTarget": &p.MinDelay, "maxDelayTarget": &p.MaxDelay, "numRetries": &p.NumRetries,
		"numNoDelayRetries": &p.NumNoDelay, "numMinDelayRetries": &p.NumMinDelay, "numMaxDelayRetries": &p.NumMaxDelay,
	}
	for _, k := range sortedKeys(m) {
		raw, field := m[k], path+"."+k
		if dst, ok := ints[k]; ok {
			n, set, err := policyInt(field, raw)
			if err != nil {
				return nil, err
			}
			if set {
				*dst = n
			}
			continue
		}
		if k != "backoffFunction" {
			return nil, policyError("%s is not a valid field", field)
		}
		if isNull(raw) {
			continue
		}
		var f string
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, policyError("%s type mismatch, expecting string, received %s", field, jsonKind(raw))
		}
		// AWS's CDK sends the names upper-case (BackoffFunction.EXPONENTIAL).
		switch f = strings.ToLower(f); f {
		case backoffLinear, backoffArithmetic, backoffGeometric, backoffExponential:
			p.Backoff = f
		default:
			return nil, policyError("%s must be one of linear, arithmetic, geometric, exponential", field)
		}
	}
	switch {
	case p.MinDelay < 1:
		return nil, policyError("%s.minDelayTarget must be greater than or equal to 1", path)
	case p.MaxDelay > maxDelayLimit:
		return nil, policyError("%s.maxDelayTarget must be less than or equal to %d", path, maxDelayLimit)
	case p.MaxDelay < p.MinDelay:
		return nil, policyError("%s.maxDelayTarget must be greater than or equal to minDelayTarget", path)
	case p.NumRetries < 0:
		return nil, policyError("%s.numRetries must be greater than or equal to 0", path)
	case p.NumRetries > maxRetries:
		return nil, policyError("%s.numRetries must be less than or equal to %d", path, maxRetries)
	case p.NumNoDelay < 0:
		return nil, policyError("%s.numNoDelayRetries must be greater than or equal to 0", path)
	case p.NumMinDelay < 0:
		return nil, policyError("%s.numMinDelayRetries must be greater than or equal to 0", path)
	case p.NumMaxDelay < 0:
		return nil, policyError("%s.numMaxDelayRetries must be greater than or equal to 0", path)
	case p.NumNoDelay+p.NumMinDelay+p.NumMaxDelay > p.NumRetries:
		return nil, policyError("%s.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries", path)
	}
	if t := p.total(); t > maxTotalRetryTime {
		return nil, policyError("%s total retry time must be less than or equal to 3600 seconds (this policy's is %d)", path, int(t.Seconds()))
	}
	return &p, nil
}

func parseThrottlePolicy(path string, v json.RawMessage) (*int, *Error) {
	m, err := subObject(path, v)
	if err != nil || m == nil {
		return nil, err
	}
	var out *int
	for _, k := range sortedKeys(m) {
		raw, field := m[k], path+"."+k
		if k != "maxReceivesPerSecond" {
			return nil, policyError("%s is not a valid field", field)
		}
		n, set, err := policyInt(field, raw)
		if err != nil {
			return nil, err
		}
		if set {
			if n < 1 {
				return nil, policyError("%s must be greater than or equal to 1", field)
			}
			out = &n
		}
	}
	return out, nil
}

func parseRequestPolicy(path string, v json.RawMessage) (*string, *Error) {
	m, err := subObject(path, v)
	if err != nil || m == nil {
		return nil, err
	}
	var out *string
	for _, k := range sortedKeys(m) {
		raw, field := m[k], path+"."+k
		if k != "headerContentType" {
			return nil, policyError("%s is not a valid field", field)
		}
		if isNull(raw) {
			continue
		}
		var ct string
		if err := json.Unmarshal(raw, &ct); err != nil {
			return nil, policyError("%s type mismatch, expecting string, received %s", field, jsonKind(raw))
		}
		if !validContentType(ct) {
			return nil, policyError("%s must be one of %s (optionally with ; charset=UTF-8)", field, strings.Join(headerContentTypes, ", "))
		}
		out = &ct
	}
	return out, nil
}

// validContentType: one of headerContentTypes, alone or with
// "; charset=UTF-8", in any case.
func validContentType(ct string) bool {
	media, params, _ := strings.Cut(ct, ";")
	media = strings.ToLower(strings.TrimSpace(media))
	known := false
	for _, t := range headerContentTypes {
		known = known || media == t
	}
	if !known {
		return false
	}
	if params == "" {
		return !strings.Contains(ct, ";")
	}
	k, v, ok := strings.Cut(strings.TrimSpace(params), "=")
	return ok && strings.EqualFold(strings.TrimSpace(k), "charset") && strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"`), "utf-8")
}

// policyInt reads an integer; set is false for JSON null.
func policyInt(field string, raw json.RawMessage) (n int, set bool, e *Error) {
	if isNull(raw) {
		return 0, false, nil
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
		return 0, false, policyError("%s type mismatch, expecting integer, received %s", field, jsonKind(raw))
	}
	v, err := strconv.ParseInt(string(raw), 10, 32)
	if err != nil {
		if f, ferr := strconv.ParseFloat(string(raw), 64); ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<31 {
			return int(f), true, nil // 5.0
		}
		return 0, false, policyError("%s type mismatch, expecting integer, received %s", field, string(raw))
	}
	return int(v), true, nil
}

func policyBool(field string, raw json.RawMessage) (bool, *Error) {
	if isNull(raw) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, policyError("%s type mismatch, expecting boolean, received %s", field, jsonKind(raw))
	}
	return b, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonKind names a JSON value's type as AWS's messages do.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// The policies as GetTopicAttributes and GetSubscriptionAttributes show
// them, AWS's keys in AWS's order.

func (p retryPolicy) json() string {
	return fmt.Sprintf(`{"minDelayTarget":%d,"maxDelayTarget":%d,"numRetries":%d,"numMaxDelayRetries":%d,"numNoDelayRetries":%d,"numMinDelayRetries":%d,"backoffFunction":%q}`,
		p.MinDelay, p.MaxDelay, p.NumRetries, p.NumMaxDelay, p.NumNoDelay, p.NumMinDelay, p.Backoff)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// String renders the topic's policy (DeliveryPolicy, as stored and shown).
func (p *topicDeliveryPolicy) String() string {
	var b strings.Builder
	b.WriteString(`{"http":{`)
	if p.Retry != nil {
		b.WriteString(`"defaultHealthyRetryPolicy":` + p.Retry.json() + ",")
	}
	fmt.Fprintf(&b, `"disableSubscriptionOverrides":%t`, p.DisableOverrides)
	if p.Throttle != nil {
		fmt.Fprintf(&b, `,"defaultThrottlePolicy":{"maxReceivesPerSecond":%d}`, *p.Throttle)
	}
	if p.ContentType != nil {
		b.WriteString(`,"defaultRequestPolicy":{"headerContentType":` + jsonString(*p.ContentType) + "}")
	}
	b.WriteString("}}")
	return b.String()
}

// topicEffectiveDeliveryPolicy is a topic's EffectiveDeliveryPolicy: its
// policy with AWS's defaults filled in (p may be nil). AWS's, for a topic
// without one:
//
//	{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,
//	"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},
//	"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}
func topicEffectiveDeliveryPolicy(p *topicDeliveryPolicy) string {
	e := topicDeliveryPolicy{Retry: &defaultRetryPolicy}
	ct := defaultContentType
	e.ContentType = &ct
	if p != nil {
		e.DisableOverrides, e.Throttle = p.DisableOverrides, p.Throttle
		if p.Retry != nil {
			e.Retry = p.Retry
		}
		if p.ContentType != nil {
			e.ContentType = p.ContentType
		}
	}
	return e.String()
}

// String renders the subscription's policy (DeliveryPolicy as shown), in
// the shape AWS shows it: every part, null when unset, with the former
// sicklyRetryPolicy and guaranteed.
func (p *subscriptionDeliveryPolicy) String() string {
	retry, throttle, request := "null", "null", "null"
	if p.Retry != nil {
		retry = p.Retry.json()
	}
	if p.Throttle != nil {
		throttle = fmt.Sprintf(`{"maxReceivesPerSecond":%d}`, *p.Throttle)
	}
	if p.ContentType != nil {
		request = `{"headerContentType":` + jsonString(*p.ContentType) + "}"
	}
	return `{"healthyRetryPolicy":` + retry + `,"sicklyRetryPolicy":null,"throttlePolicy":` + throttle +
		`,"requestPolicy":` + request + `,"guaranteed":false}`
}

// subscriptionJSON is the EffectiveDeliveryPolicy of an http/https
// subscription.
func (p deliveryPolicy) subscriptionJSON() string {
	s := &subscriptionDeliveryPolicy{Retry: &p.Retry, ContentType: &p.ContentType}
	if p.Throttle > 0 {
		s.Throttle = &p.Throttle
	}
	return s.String()
}
