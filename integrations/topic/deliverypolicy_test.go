package topic

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, n := range v {
		out[i] = time.Duration(n) * time.Millisecond
	}
	return out
}

// schedule is every retry's delay, until delay says the policy is spent.
func schedule(t *testing.T, p retryPolicy) []time.Duration {
	t.Helper()
	out := []time.Duration{}
	for k := 1; ; k++ {
		d, ok := p.delay(k)
		if !ok {
			require.Equal(t, p.NumRetries+1, k, "exhausted after numRetries")
			return out
		}
		out = append(out, d)
	}
}

func TestRetryPolicySchedule(t *testing.T) {
	t.Parallel()
	// AWS's graph of the backoff functions: 10 retries, 5 s to 260 s; every
	// curve starts at minDelayTarget and ends at maxDelayTarget.
	graph := func(f string) retryPolicy {
		return retryPolicy{MinDelay: 5, MaxDelay: 260, NumRetries: 10, Backoff: f}
	}
	tests := []struct {
		name string
		p    retryPolicy
		want []time.Duration
	}{
		{"AWS's default: 3 retries 20 s apart", defaultRetryPolicy, ms(20000, 20000, 20000)},
		{"no retries", retryPolicy{MinDelay: 1, MaxDelay: 1, Backoff: backoffLinear}, ms()},
		{"linear", graph(backoffLinear), ms(5000, 33333, 61667, 90000, 118333, 146667, 175000, 203333, 231667, 260000)},
		{"arithmetic", graph(backoffArithmetic), ms(5000, 8148, 17593, 33333, 55370, 83704, 118333, 159259, 206481, 260000)},
		{"geometric", graph(backoffGeometric), ms(5000, 5499, 6497, 8493, 12485, 20470, 36438, 68376, 132250, 260000)},
		{"exponential", graph(backoffExponential), ms(5000, 7756, 12031, 18663, 28949, 44906, 69658, 108054, 167612, 260000)},
		// 1 at once, 2 at min, 4 backoff (5 → 30), 3 at max.
		{"four phases", retryPolicy{MinDelay: 5, MaxDelay: 30, NumRetries: 10, NumNoDelay: 1, NumMinDelay: 2, NumMaxDelay: 3, Backoff: backoffLinear},
			ms(0, 5000, 5000, 5000, 13333, 21667, 30000, 30000, 30000, 30000)},
		// The docs' sample: 3 at once, 2 at 1 s, 10 exponential 1 s → 60 s, 35 at 60 s: 50 retries.
		{"the docs' sample policy", retryPolicy{MinDelay: 1, MaxDelay: 60, NumRetries: 50, NumNoDelay: 3, NumMinDelay: 2, NumMaxDelay: 35, Backoff: backoffExponential},
			append(ms(0, 0, 0, 1000, 1000, 1000, 1576, 2484, 3915, 6170, 9724, 15326, 24155, 38070, 60000), ms(repeat(60000, 35)...)...)},
		{"one backoff retry waits the minimum", retryPolicy{MinDelay: 2, MaxDelay: 9, NumRetries: 2, NumMaxDelay: 1, Backoff: backoffExponential}, ms(2000, 9000)},
		{"no backoff phase", retryPolicy{MinDelay: 5, MaxDelay: 30, NumRetries: 3, NumNoDelay: 1, NumMinDelay: 1, NumMaxDelay: 1, Backoff: backoffGeometric}, ms(0, 5000, 30000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, schedule(t, tt.p))
		})
	}
	d, ok := defaultRetryPolicy.delay(0)
	require.True(t, ok, "the first delivery")
	require.Zero(t, d)
	_, ok = defaultRetryPolicy.delay(-1)
	require.True(t, ok)
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestBackoffCurvesKeepTheirOrder(t *testing.T) {
	t.Parallel()
	// Within the backoff phase each curve rises from min to max, and the
	// convex ones stay under the straight line.
	for _, f := range []string{backoffLinear, backoffArithmetic, backoffGeometric, backoffExponential} {
		p := retryPolicy{MinDelay: 3, MaxDelay: 700, NumRetries: 17, Backoff: f}
		lin := p
		lin.Backoff = backoffLinear
		s, l := schedule(t, p), schedule(t, lin)
		require.Equal(t, 3*time.Second, s[0], f)
		require.Equal(t, 700*time.Second, s[len(s)-1], f)
		for i := 1; i < len(s); i++ {
			require.Greater(t, s[i], s[i-1], "%s rises at %d", f, i)
			require.LessOrEqual(t, s[i], l[i], "%s under linear at %d", f, i)
		}
	}
}

func TestParseSubscriptionDeliveryPolicy(t *testing.T) {
	t.Parallel()
	p, err := parseSubscriptionDeliveryPolicy(`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,
		"numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"},
		"throttlePolicy":{"maxReceivesPerSecond":10},"requestPolicy":{"headerContentType":"application/json"}}`)
	require.Nil(t, err)
	require.Equal(t, &retryPolicy{MinDelay: 1, MaxDelay: 60, NumRetries: 50, NumNoDelay: 3, NumMinDelay: 2, NumMaxDelay: 35, Backoff: backoffExponential}, p.Retry)
	require.Equal(t, 10, *p.Throttle)
	require.Equal(t, "application/json", *p.ContentType)
	require.Equal(t, `{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numMaxDelayRetries":35,"numNoDelayRetries":3,"numMinDelayRetries":2,"backoffFunction":"exponential"},`+
		`"sicklyRetryPolicy":null,"throttlePolicy":{"maxReceivesPerSecond":10},"requestPolicy":{"headerContentType":"application/json"},"guaranteed":false}`, p.String())

	// The docs' example: only numRetries; the rest are AWS's defaults.
	p, err = parseSubscriptionDeliveryPolicy(`{"healthyRetryPolicy":{"numRetries":5}}`)
	require.Nil(t, err)
	require.Equal(t, &retryPolicy{MinDelay: 20, MaxDelay: 20, NumRetries: 5, Backoff: backoffLinear}, p.Retry)
	require.Nil(t, p.Throttle)
	require.Nil(t, p.ContentType)

	// What GetSubscriptionAttributes shows parses back to the same.
	again, err := parseSubscriptionDeliveryPolicy(p.String())
	require.Nil(t, err)
	require.Equal(t, p, again)

	// CDK's upper-case backoff names.
	p, err = parseSubscriptionDeliveryPolicy(`{"healthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":10,"numRetries":6,"backoffFunction":"EXPONENTIAL"}}`)
	require.Nil(t, err)
	require.Equal(t, backoffExponential, p.Retry.Backoff)

	p, err = parseSubscriptionDeliveryPolicy("")
	require.Nil(t, err)
	require.Nil(t, p)
}

func TestParseTopicDeliveryPolicy(t *testing.T) {
	t.Parallel()
	in := `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":30,"numRetries":10,"numNoDelayRetries":1,` +
		`"numMinDelayRetries":2,"numMaxDelayRetries":3,"backoffFunction":"geometric"},"disableSubscriptionOverrides":true,` +
		`"defaultThrottlePolicy":{"maxReceivesPerSecond":5},"defaultRequestPolicy":{"headerContentType":"application/xml; charset=UTF-8"}}}`
	p, err := parseTopicDeliveryPolicy(in)
	require.Nil(t, err)
	require.Equal(t, &retryPolicy{MinDelay: 5, MaxDelay: 30, NumRetries: 10, NumNoDelay: 1, NumMinDelay: 2, NumMaxDelay: 3, Backoff: backoffGeometric}, p.Retry)
	require.True(t, p.DisableOverrides)
	require.Equal(t, 5, *p.Throttle)
	require.Equal(t, "application/xml; charset=UTF-8", *p.ContentType)
	require.Equal(t, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":5,"maxDelayTarget":30,"numRetries":10,"numMaxDelayRetries":3,"numNoDelayRetries":1,"numMinDelayRetries":2,"backoffFunction":"geometric"},`+
		`"disableSubscriptionOverrides":true,"defaultThrottlePolicy":{"maxReceivesPerSecond":5},"defaultRequestPolicy":{"headerContentType":"application/xml; charset=UTF-8"}}}`, p.String())
	again, err := parseTopicDeliveryPolicy(p.String())
	require.Nil(t, err)
	require.Equal(t, p, again)

	// AWS's EffectiveDeliveryPolicy of a topic with no policy, as GetTopicAttributes shows it.
	require.Equal(t, `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},`+
		`"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`, topicEffectiveDeliveryPolicy(nil))
	p, err = parseTopicDeliveryPolicy(`{"http":{"defaultHealthyRetryPolicy":{"numRetries":0}}}`)
	require.Nil(t, err)
	require.Contains(t, topicEffectiveDeliveryPolicy(p), `"numRetries":0,`)
	require.Contains(t, topicEffectiveDeliveryPolicy(p), `"headerContentType":"text/plain; charset=UTF-8"`)

	p, err = parseTopicDeliveryPolicy(`{"http":null}`)
	require.Nil(t, err)
	require.Equal(t, &topicDeliveryPolicy{}, p)
}

func TestDeliveryPolicyRefused(t *testing.T) {
	t.Parallel()
	sub := func(retry string) string { return `{"healthyRetryPolicy":{` + retry + `}}` }
	tests := []struct{ in, want string }{
		// AWS's own message (a CloudFormation user's report).
		{sub(`"minDelayTarget":0,"maxDelayTarget":0,"numRetries":0`), "healthyRetryPolicy.minDelayTarget must be greater than or equal to 1"},
		{sub(`"minDelayTarget":"5"`), "healthyRetryPolicy.minDelayTarget type mismatch, expecting integer, received a string"},
		{sub(`"maxDelayTarget":3601`), "healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600"},
		{sub(`"minDelayTarget":30,"maxDelayTarget":10`), "healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget"},
		{sub(`"numRetries":101`), "healthyRetryPolicy.numRetries must be less than or equal to 100"},
		{sub(`"numRetries":-1`), "healthyRetryPolicy.numRetries must be greater than or equal to 0"},
		{sub(`"numRetries":1.5`), "healthyRetryPolicy.numRetries type mismatch, expecting integer, received 1.5"},
		{sub(`"numNoDelayRetries":-2`), "healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0"},
		{sub(`"numRetries":5,"numNoDelayRetries":2,"numMinDelayRetries":2,"numMaxDelayRetries":2`),
			"healthyRetryPolicy.numRetries must be greater than or equal to the sum of numNoDelayRetries, numMinDelayRetries and numMaxDelayRetries"},
		{sub(`"backoffFunction":"cubic"`), "healthyRetryPolicy.backoffFunction must be one of linear, arithmetic, geometric, exponential"},
		{sub(`"backoffFunction":3`), "healthyRetryPolicy.backoffFunction type mismatch, expecting string, received a number"},
		// 100 retries 60 s apart: 6,000 s, over AWS's hard limit of 3,600.
		{sub(`"minDelayTarget":60,"maxDelayTarget":60,"numRetries":100`), "healthyRetryPolicy total retry time must be less than or equal to 3600 seconds (this policy's is 6000)"},
		{sub(`"bogus":1`), "healthyRetryPolicy.bogus is not a valid field"},
		{`{"throttlePolicy":{"maxReceivesPerSecond":0}}`, "throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1"},
		{`{"requestPolicy":{"headerContentType":"text/html"}}`, "requestPolicy.headerContentType must be one of text/plain, application/json, application/xml"},
		{`{"requestPolicy":{"headerContentType":"application/json; charset=latin1"}}`, "requestPolicy.headerContentType must be one of"},
		{`{"requestPolicy":{"headerContentType":"application/json;"}}`, "requestPolicy.headerContentType must be one of"},
		{`{"healthyRetryPolicy":[]}`, "healthyRetryPolicy type mismatch, expecting object, received an array"},
		{`{"guaranteed":"yes"}`, "guaranteed type mismatch, expecting boolean, received a string"},
		{`{"other":{}}`, "other is not a valid field"},
		{`{`, "failed to parse JSON"},
		{`[]`, "failed to parse JSON"},
		{`null`, "failed to parse JSON"},
		{`{} {}`, "failed to parse JSON: data after the object"},
		{`{"x":` + strings.Repeat(" ", maxDeliveryPolicy) + `1}`, "must be at most 32768 bytes"},
	}
	for _, tt := range tests {
		_, e := parseSubscriptionDeliveryPolicy(tt.in)
		require.NotNil(t, e, tt.in)
		require.Equal(t, "InvalidParameter", e.Code)
		require.Equal(t, 400, e.Status)
		require.True(t, strings.HasPrefix(e.Message, "Invalid parameter: DeliveryPolicy: "+tt.want), "%s: %s", tt.in, e.Message)
	}

	topic := []struct{ in, want string }{
		{`{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":"x"}}}`, "http.defaultHealthyRetryPolicy.minDelayTarget type mismatch, expecting integer, received a string"},
		{`{"http":{"disableSubscriptionOverrides":"yes"}}`, "http.disableSubscriptionOverrides type mismatch, expecting boolean, received a string"},
		{`{"http":{"defaultThrottlePolicy":{"maxReceivesPerSecond":-1}}}`, "http.defaultThrottlePolicy.maxReceivesPerSecond must be greater than or equal to 1"},
		{`{"http":{"throttlePolicy":{}}}`, "http.throttlePolicy is not a valid field"},
		{`{"https":{}}`, "https is not a valid field"},
		// A subscription's shape is not a topic's.
		{`{"healthyRetryPolicy":{"numRetries":5}}`, "healthyRetryPolicy is not a valid field"},
	}
	for _, tt := range topic {
		_, e := parseTopicDeliveryPolicy(tt.in)
		require.NotNil(t, e, tt.in)
		require.Contains(t, e.Message, "Invalid parameter: DeliveryPolicy: "+tt.want, tt.in)
	}

	// In Subscribe's or CreateTopic's Attributes, AWS's words for the same.
	_, e := parseSubscriptionDeliveryPolicy(sub(`"minDelayTarget":0`))
	require.EqualError(t, policyErrorInAttributes(e),
		"InvalidParameter: Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal to 1")
	other := invalidf("Attributes")
	require.Equal(t, other, policyErrorInAttributes(other))
	require.Nil(t, policyErrorInAttributes(nil))
}

func TestEffectiveDeliveryPolicy(t *testing.T) {
	t.Parallel()
	mustTopic := func(s string) *topicDeliveryPolicy {
		p, err := parseTopicDeliveryPolicy(s)
		require.Nil(t, err)
		return p
	}
	mustSub := func(s string) *subscriptionDeliveryPolicy {
		p, err := parseSubscriptionDeliveryPolicy(s)
		require.Nil(t, err)
		return p
	}
	// None: AWS's.
	none := effectiveDeliveryPolicy(nil, nil)
	require.Equal(t, deliveryPolicy{Retry: defaultRetryPolicy, ContentType: "text/plain; charset=UTF-8"}, none)
	require.Equal(t, `{"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},`+
		`"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":{"headerContentType":"text/plain; charset=UTF-8"},"guaranteed":false}`, none.subscriptionJSON())

	topic := mustTopic(`{"http":{"defaultHealthyRetryPolicy":{"numRetries":7},"defaultThrottlePolicy":{"maxReceivesPerSecond":4},"defaultRequestPolicy":{"headerContentType":"application/json"}}}`)
	// The topic's defaults.
	p := effectiveDeliveryPolicy(topic, nil)
	require.Equal(t, 7, p.Retry.NumRetries)
	require.Equal(t, 4, p.Throttle)
	require.Equal(t, "application/json", p.ContentType)
	require.Contains(t, p.subscriptionJSON(), `"throttlePolicy":{"maxReceivesPerSecond":4}`)

	// A subscription's part replaces the topic's part; the others stay the topic's.
	p = effectiveDeliveryPolicy(topic, mustSub(`{"healthyRetryPolicy":{"numRetries":2}}`))
	require.Equal(t, retryPolicy{MinDelay: 20, MaxDelay: 20, NumRetries: 2, Backoff: backoffLinear}, p.Retry)
	require.Equal(t, 4, p.Throttle)
	require.Equal(t, "application/json", p.ContentType)
	p = effectiveDeliveryPolicy(topic, mustSub(`{"throttlePolicy":{"maxReceivesPerSecond":100},"requestPolicy":{"headerContentType":"text/plain"}}`))
	require.Equal(t, 7, p.Retry.NumRetries)
	require.Equal(t, 100, p.Throttle)
	require.Equal(t, "text/plain", p.ContentType)

	// Without a topic policy, the subscription's over AWS's.
	p = effectiveDeliveryPolicy(nil, mustSub(`{"throttlePolicy":{"maxReceivesPerSecond":3}}`))
	require.Equal(t, defaultRetryPolicy, p.Retry)
	require.Equal(t, 3, p.Throttle)

	// The topic disables overrides: the subscription's policy has no effect.
	locked := mustTopic(`{"http":{"disableSubscriptionOverrides":true,"defaultHealthyRetryPolicy":{"numRetries":1}}}`)
	p = effectiveDeliveryPolicy(locked, mustSub(`{"healthyRetryPolicy":{"numRetries":9},"throttlePolicy":{"maxReceivesPerSecond":2}}`))
	require.Equal(t, 1, p.Retry.NumRetries)
	require.Zero(t, p.Throttle)
	require.Equal(t, defaultContentType, p.ContentType)
}

func FuzzParseDeliveryPolicy(f *testing.F) {
	for _, s := range []string{
		`{"healthyRetryPolicy":{"minDelayTarget":1,"maxDelayTarget":60,"numRetries":50,"numNoDelayRetries":3,"numMinDelayRetries":2,"numMaxDelayRetries":35,"backoffFunction":"exponential"},"throttlePolicy":{"maxReceivesPerSecond":10}}`,
		`{"http":{"defaultHealthyRetryPolicy":{"numRetries":5},"disableSubscriptionOverrides":true,"defaultRequestPolicy":{"headerContentType":"application/json"}}}`,
		`{"healthyRetryPolicy":{"numRetries":1e2}}`, `{"requestPolicy":{"headerContentType":"text/plain; charset=\"utf-8\""}}`,
		`{"healthyRetryPolicy":null,"sicklyRetryPolicy":null,"guaranteed":false}`, `{`, `[]`, `""`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(r *retryPolicy) {
			if r == nil {
				return
			}
			var total time.Duration
			for k := 1; k <= r.NumRetries; k++ {
				d, ok := r.delay(k)
				if !ok || d < 0 || d > time.Duration(r.MaxDelay)*time.Second {
					t.Fatalf("%q: retry %d: %v %v", s, k, d, ok)
				}
				total += d
			}
			if _, ok := r.delay(r.NumRetries + 1); ok || total > maxTotalRetryTime {
				t.Fatalf("%q: not exhausted, or %v in all", s, total)
			}
		}
		if p, err := parseSubscriptionDeliveryPolicy(s); err == nil && p != nil {
			check(p.Retry)
			again, err := parseSubscriptionDeliveryPolicy(p.String())
			if err != nil || fmt.Sprint(again.String()) != p.String() {
				t.Fatalf("%q: renders as %s, which gives %v", s, p.String(), err)
			}
		}
		if p, err := parseTopicDeliveryPolicy(s); err == nil && p != nil {
			check(p.Retry)
			again, err := parseTopicDeliveryPolicy(p.String())
			if err != nil || again.String() != p.String() {
				t.Fatalf("%q: renders as %s, which gives %v", s, p.String(), err)
			}
		}
	})
}
