package gateway

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// httpMetrics records the HTTP server metrics of the OpenTelemetry
// semantic conventions for every request: http.server.request.duration
// (seconds), http.server.request.body.size and
// http.server.response.body.size (bytes), by http.request.method,
// http.route, http.response.status_code, url.scheme and
// network.protocol.name/version, with error.type on a 5xx answer.
// server.address and server.port, which the conventions make opt-in for
// these metrics, are left out: they come from the caller's Host header,
// a label a hostile caller could vary without end.
//
// otelhttp recorded them before, and costs 14 µs of CPU a request (a
// Publish to a topic of one queue, 135 µs in all, serve's CPU profile):
// its response-writer wrapper, and an attribute set of ten built, sorted
// and hashed for each request. Here a request's set is looked up by its
// few varying values among those made before, and the sizes come from
// gin's writer, which counts them anyway. The server span, when tracing
// is on, is still otelhttp's.
type httpMetrics struct {
	duration                  metric.Float64Histogram
	requestSize, responseSize metric.Int64Histogram
	sets                      sync.Map // metricKey -> []metric.RecordOption
	count                     atomic.Int32
}

// metricKey is what varies between the attribute sets of requests.
type metricKey struct {
	method, route string
	status        int
	https         bool
	proto         string
}

// maxMetricSets bounds the attribute sets kept: methods, routes and
// statuses are few (routes are the server's, unknown methods are _OTHER),
// so the bound is never reached but by something odd, whose requests are
// then recorded with a set made for each.
const maxMetricSets = 4096

// routeKey is the gin context key of a request's http.route when the
// router's pattern is not it (labelRoute).
const routeKey = "signalbox.route"

// durationBuckets are the conventions' advice for
// http.server.request.duration.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

func newHTTPMetrics(mp metric.MeterProvider) (*httpMetrics, error) {
	m := mp.Meter("github.com/signalbox/signalbox/gateway")
	h := &httpMetrics{}
	var err error
	if h.duration, err = m.Float64Histogram("http.server.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP server requests."), metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		return nil, err
	}
	if h.requestSize, err = m.Int64Histogram("http.server.request.body.size", metric.WithUnit("By"),
		metric.WithDescription("Size of HTTP server request bodies.")); err != nil {
		return nil, err
	}
	if h.responseSize, err = m.Int64Histogram("http.server.response.body.size", metric.WithUnit("By"),
		metric.WithDescription("Size of HTTP server response bodies.")); err != nil {
		return nil, err
	}
	return h, nil
}

// handle is the gin middleware that records a request's metrics once the
// handlers have answered it.
func (h *httpMetrics) handle(c *gin.Context) {
	start := time.Now()
	c.Next()
	r := c.Request
	route := c.GetString(routeKey)
	if route == "" {
		route = c.FullPath()
	}
	k := metricKey{method: r.Method, route: route, status: c.Writer.Status(), https: r.TLS != nil, proto: r.Proto}
	opts := h.set(k)
	ctx := r.Context()
	h.duration.Record(ctx, time.Since(start).Seconds(), opts...)
	h.requestSize.Record(ctx, max(r.ContentLength, 0), opts...)
	h.responseSize.Record(ctx, int64(max(c.Writer.Size(), 0)), opts...)
}

// set is the options of k's attribute set, made once, as the slice Record
// takes (no allocation a record).
func (h *httpMetrics) set(k metricKey) []metric.RecordOption {
	if o, ok := h.sets.Load(k); ok {
		return o.([]metric.RecordOption)
	}
	o := []metric.RecordOption{metric.WithAttributeSet(k.attributes())}
	if h.count.Load() < maxMetricSets {
		if _, loaded := h.sets.LoadOrStore(k, o); !loaded {
			h.count.Add(1)
		}
	}
	return o
}

// knownMethods are the methods the conventions name; any other is _OTHER.
var knownMethods = map[string]bool{"CONNECT": true, "DELETE": true, "GET": true, "HEAD": true, "OPTIONS": true,
	"PATCH": true, "POST": true, "PUT": true, "TRACE": true}

func (k metricKey) attributes() attribute.Set {
	method := k.method
	if !knownMethods[method] {
		method = "_OTHER"
	}
	scheme := "http"
	if k.https {
		scheme = "https"
	}
	kv := []attribute.KeyValue{
		attribute.String("http.request.method", method),
		attribute.String("url.scheme", scheme),
		attribute.Int("http.response.status_code", k.status),
	}
	if k.route != "" {
		kv = append(kv, attribute.String("http.route", k.route))
	}
	if name, version, ok := httpProtocol(k.proto); ok {
		kv = append(kv, attribute.String("network.protocol.name", name), attribute.String("network.protocol.version", version))
	}
	if k.status >= 500 {
		kv = append(kv, attribute.String("error.type", strconv.Itoa(k.status)))
	}
	return attribute.NewSet(kv...)
}

// httpProtocol splits "HTTP/1.1" into the conventions' "http" and "1.1".
func httpProtocol(proto string) (name, version string, ok bool) {
	switch proto {
	case "HTTP/1.0":
		return "http", "1.0", true
	case "HTTP/1.1":
		return "http", "1.1", true
	case "HTTP/2.0", "HTTP/2":
		return "http", "2", true
	}
	return "", "", false
}
