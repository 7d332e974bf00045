package telemetry

import (
	"context"
	"fmt"
	"net/http"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Metrics is the process's metrics: OpenTelemetry instruments read by a
// Prometheus scrape of Handler (serve mounts it at /metrics). Names follow
// the OpenTelemetry conventions, which the exporter turns into
// Prometheus's (signalbox.executions.started becomes
// signalbox_executions_started_total).
type Metrics struct {
	Meter    metric.Meter
	Provider metric.MeterProvider
	Handler  http.Handler
}

// NewMetrics sets up the metrics, on a Prometheus registry of their own
// (with the Go runtime's and the process's collectors).
func NewMetrics(version string) (*Metrics, error) {
	reg := promclient.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("telemetry: metrics: %w", err)
	}
	res, err := newResource(context.Background(), version)
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithResource(res))
	return &Metrics{
		Meter:    mp.Meter("github.com/signalbox/signalbox", metric.WithInstrumentationVersion(version)),
		Provider: mp,
		Handler:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}, nil
}
