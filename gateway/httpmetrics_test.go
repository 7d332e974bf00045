package gateway_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/signalbox/signalbox/gateway"
)

// TestHTTPMetrics checks the HTTP server metrics of the semantic
// conventions, read from the SDK's reader: a request to a queue's URL
// counted under the route its API labels (not the router's catch-all), a
// request no route takes under none, an unknown method as _OTHER, each with
// its status, and the body sizes; no server.address, which the caller's
// Host header would set.
func TestHTTPMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	b := newSQS(t, func(o *gateway.Options) { o.MeterProvider = mp })
	ctx := context.Background()
	q, err := b.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("metered")})
	require.NoError(t, err)
	form := "Action=GetQueueAttributes&Version=2012-11-05&AttributeName.1=All"
	res, err := http.Post(*q.QueueUrl, "application/x-www-form-urlencoded", strings.NewReader(form))
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.Equal(t, http.StatusOK, res.StatusCode)
	req, err := http.NewRequest("BREW", b.url+"/api/v1/health", nil)
	require.NoError(t, err)
	req.Host = "evil.example"
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	brewStatus := res.StatusCode

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	counts := map[string]uint64{}
	sizes := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch m.Name {
			case "http.server.request.duration":
				require.Equal(t, "s", m.Unit)
				for _, p := range m.Data.(metricdata.Histogram[float64]).DataPoints {
					_, has := p.Attributes.Value("server.address")
					require.False(t, has, "no server.address")
					counts[label(p.Attributes)] += p.Count
				}
			case "http.server.request.body.size":
				for _, p := range m.Data.(metricdata.Histogram[int64]).DataPoints {
					sizes[label(p.Attributes)] += p.Sum
				}
			}
		}
	}
	queueRoute := "POST /{account}/{queueName} 200 http 1.1"
	require.Equal(t, uint64(1), counts[queueRoute], "%v", counts)
	require.Equal(t, int64(len(form)), sizes[queueRoute])
	require.Equal(t, uint64(1), counts["POST / 200 http 1.1"], "CreateQueue: %v", counts)
	require.Equal(t, uint64(1), counts["_OTHER  "+strconv.Itoa(brewStatus)+" http 1.1"], "%v", counts)
}

// label is a data point's method, route, status and protocol, joined.
func label(s attribute.Set) string {
	get := func(k string) string {
		v, _ := s.Value(attribute.Key(k))
		return v.Emit()
	}
	return strings.Join([]string{get("http.request.method"), get("http.route"), get("http.response.status_code"),
		get("network.protocol.name"), get("network.protocol.version")}, " ")
}
