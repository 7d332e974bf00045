package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	promclient "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
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
	res, err := resource.New(context.Background(),
		resource.WithAttributes(attribute.String("service.name", "signalbox"), attribute.String("service.version", version)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("telemetry: metrics' resource: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp), sdkmetric.WithResource(res))
	return &Metrics{
		Meter:    mp.Meter("github.com/signalbox/signalbox", metric.WithInstrumentationVersion(version)),
		Provider: mp,
		Handler:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
	}, nil
}
