package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	sdkschemas "github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations/schemas"
	"github.com/signalbox/signalbox/internal/config"
)

const (
	orderV1 = `{"openapi":"3.0.0","info":{"title":"Order","version":"1.0.0"},"paths":{},"components":{"schemas":{"Order":{"type":"object"}}}}`
	orderV2 = `{"openapi":"3.0.0","info":{"title":"Order","version":"2.0.0"},"paths":{},"components":{"schemas":{"Order":{"type":"object","required":["id"]}}}}`
)

// The file's registries and schemas are created at start, left alone when
// unchanged (no new version), updated when the file changes (a new
// version only for a new content or type); a bus's discovery creates,
// stops and starts its discoverer.
func TestConfigApplyRegistries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	svc := n.schemas
	dir := writeFiles(t, map[string]string{"order.json": orderV1})
	apply := func(yaml string) []string {
		t.Helper()
		c, ps := config.Decode(filepath.Join(dir, "signalbox.yaml"), []byte(yaml))
		require.Empty(t, ps)
		_, ps = c.ApplyBuses(ctx, n.buses)
		require.Empty(t, ps)
		done, ps := c.ApplyRegistries(ctx, svc)
		require.Empty(t, ps)
		return done
	}
	const file = `registries:
  - name: shop
    description: Events of the shop
    tags: {team: shop}
    schemas:
      - name: com.example.shop@OrderPlaced
        content: order.json
        description: An order was placed
        tags: {kind: order}
      - name: Refund
        type: JSONSchemaDraft4
        content: {$schema: "http://json-schema.org/draft-04/schema#", type: object}
buses:
  - {name: orders, discovery: true}
  - {name: quiet, discovery: false}
`
	require.Equal(t, []string{
		"registry created shop: schema com.example.shop@OrderPlaced created, schema Refund created",
		"discoverer created events-event-bus-orders",
	}, apply(file))
	r, err := svc.DescribeRegistry(ctx, "shop")
	require.NoError(t, err)
	require.Equal(t, "Events of the shop", r.Description)
	require.Equal(t, map[string]string{"team": "shop"}, r.Tags)
	s, err := svc.DescribeSchema(ctx, "shop", "com.example.shop@OrderPlaced", "")
	require.NoError(t, err)
	require.Equal(t, "1", s.SchemaVersion)
	require.Equal(t, schemas.TypeOpenAPI3, s.Type)
	require.Equal(t, orderV1, s.Content, "the file's content as it is")
	require.Equal(t, "An order was placed", s.Description)
	require.Equal(t, map[string]string{"kind": "order"}, s.Tags)
	refund, err := svc.DescribeSchema(ctx, "shop", "Refund", "")
	require.NoError(t, err)
	require.JSONEq(t, `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}`, refund.Content)
	d, err := svc.DescribeDiscoverer(ctx, "events-event-bus-orders")
	require.NoError(t, err)
	require.Equal(t, schemas.StateStarted, d.State)
	require.Equal(t, n.buses.BusARN("orders"), d.SourceArn)
	_, err = svc.DescribeDiscoverer(ctx, "events-event-bus-quiet")
	require.ErrorContains(t, err, schemas.CodeNotFound, "discovery: false makes no discoverer")

	require.Equal(t, []string{"registry unchanged shop", "discoverer unchanged events-event-bus-orders"}, apply(file), "a restart changes nothing")
	s, err = svc.DescribeSchema(ctx, "shop", "com.example.shop@OrderPlaced", "")
	require.NoError(t, err)
	require.Equal(t, "1", s.SchemaVersion, "no new version")

	// the same content, written otherwise: the same schema
	writeAt(t, dir, "order.json", "{\n  \"openapi\": \"3.0.0\",\n"+strings.TrimPrefix(orderV1, `{"openapi":"3.0.0",`))
	require.Equal(t, []string{"registry unchanged shop", "discoverer unchanged events-event-bus-orders"}, apply(file))

	writeAt(t, dir, "order.json", orderV2)
	require.Equal(t, []string{
		"registry updated shop: description, tags, schema com.example.shop@OrderPlaced updated: version 2, schema Refund updated: description, version 2",
		"discoverer updated events-event-bus-orders: stopped",
	}, apply(`registries:
  - name: shop
    description: Events of the shop, v2
    tags: {tier: gold}
    schemas:
      - name: com.example.shop@OrderPlaced
        content: order.json
      - name: Refund
        type: OpenApi3
        description: A refund
        content: {openapi: 3.0.0, info: {title: Refund, version: 1.0.0}, paths: {}}
buses:
  - {name: orders, discovery: false}
`))
	s, err = svc.DescribeSchema(ctx, "shop", "com.example.shop@OrderPlaced", "")
	require.NoError(t, err)
	require.Equal(t, "2", s.SchemaVersion)
	require.Equal(t, orderV2, s.Content)
	require.Equal(t, "An order was placed", s.Description, "left out of the file: kept")
	refund, err = svc.DescribeSchema(ctx, "shop", "Refund", "")
	require.NoError(t, err)
	require.Equal(t, "2", refund.SchemaVersion)
	require.Equal(t, schemas.TypeOpenAPI3, refund.Type, "a new type is a new version")
	r, err = svc.DescribeRegistry(ctx, "shop")
	require.NoError(t, err)
	require.Equal(t, "Events of the shop, v2", r.Description)
	require.Equal(t, map[string]string{"team": "shop", "tier": "gold"}, r.Tags, "tags are added, none removed")
	d, err = svc.DescribeDiscoverer(ctx, "events-event-bus-orders")
	require.NoError(t, err)
	require.Equal(t, schemas.StateStopped, d.State)

	require.Equal(t, []string{"registry unchanged shop", "discoverer updated events-event-bus-orders: started"}, apply(`registries:
  - name: shop
buses:
  - {name: orders, discovery: true}
`), "a registry with no schemas in the file keeps its own")
	v1, err := svc.DescribeSchema(ctx, "shop", "com.example.shop@OrderPlaced", "1")
	require.NoError(t, err)
	require.Equal(t, orderV1, v1.Content, "nothing is deleted: the versions stay")
}

// writeAt writes a file of dir again.
func writeAt(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

// What the registry refuses is reported at the line of its field, every
// problem at once, and nothing of the file is written.
func TestConfigApplyRegistriesRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n, _ := openTestNode(t, nil)
	svc := n.schemas
	dir := writeFiles(t, map[string]string{"bad.json": `{"openapi": `, "ok.json": orderV1})
	c, ps := config.Decode(filepath.Join(dir, "signalbox.yaml"), []byte(`registries:
  - name: fresh
    schemas:
      - {name: fine, content: ok.json}
  - name: "bad name!"
  - name: aws.mine
  - name: shop
    description: `+strings.Repeat("x", 257)+`
    schemas:
      - {name: broken, content: bad.json}
      - {name: typed, type: Avro, content: ok.json}
      - {name: "no spaces", content: ok.json}
      - {name: draft, type: JSONSchemaDraft4, content: {$schema: "http://json-schema.org/draft-07/schema#"}}
buses:
  - {name: orders, discovery: true}
`))
	require.Empty(t, ps)
	done, ps := c.ApplyRegistries(ctx, svc)
	require.Empty(t, done)
	var got []string
	for _, p := range ps {
		got = append(got, strings.TrimPrefix(p.String(), filepath.Join(dir, "signalbox.yaml")))
	}
	require.Equal(t, []string{
		`:5: registries[1].name: BadRequestException: RegistryName "bad name!" is not valid: it must be 1 to 64 letters, digits and the characters . - _ @.`,
		":6: registries[2].name: ForbiddenException: Registry names starting with aws. are reserved for AWS.",
		":8: registries[3].description: BadRequestException: Description is longer than 256 characters.",
		":10: registries[3].schemas[0].content: bad.json: BadRequestException: Content is not valid JSON.",
		`:11: registries[3].schemas[1].type: BadRequestException: Type "Avro" is not valid: it must be OpenApi3 or JSONSchemaDraft4.`,
		`:12: registries[3].schemas[2].name: BadRequestException: SchemaName "no spaces" is not valid: it must be 1 to 385 letters, digits and the characters . - _ @ : / + = , #.`,
		`:13: registries[3].schemas[3].content: BadRequestException: Content's $schema must be "http://json-schema.org/draft-04/schema#" for type JSONSchemaDraft4.`,
	}, got)
	_, err := svc.DescribeRegistry(ctx, "fresh")
	require.ErrorContains(t, err, schemas.CodeNotFound, "nothing written: not the registry the file got right")
	_, err = svc.DescribeDiscoverer(ctx, "events-event-bus-orders")
	require.ErrorContains(t, err, schemas.CodeNotFound, "nothing written: not the discoverer")
}

// serve --config creates the file's registry with its schema (read from
// a file) and the discoverer of its bus: events put through the SDK's
// EventBridge client have their schema in discovered-schemas, read back
// through the SDK's Schemas client.
func TestServeConfigCreatesRegistries(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"order.json": orderV1, "signalbox.yaml": `registries:
  - name: shop
    description: Events of the shop
    schemas:
      - {name: com.example.shop@OrderPlaced, type: OpenApi3, content: order.json}
buses:
  - name: orders
    discovery: true
`})
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	s.WaitLog(t, "discoverer created events-event-bus-orders")
	require.Contains(t, s.Log(), "registry created shop: schema com.example.shop@OrderPlaced created")

	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")
	reg := sdkschemas.New(sdkschemas.Options{BaseEndpoint: aws.String(s.URL), Region: "us-east-1", Credentials: creds,
		HTTPClient: awshttp.NewBuildableClient(), RetryMaxAttempts: 1})
	mine, err := reg.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("com.example.shop@OrderPlaced")})
	require.NoError(t, err)
	require.Equal(t, orderV1, aws.ToString(mine.Content))
	require.Equal(t, "1", aws.ToString(mine.SchemaVersion))

	events := eventbridge.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1, Credentials: creds},
		func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(s.URL) })
	out, err := events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{EventBusName: aws.String("orders"),
		Source: aws.String("com.example.shop"), DetailType: aws.String("Order Shipped"), Detail: aws.String(`{"id":"o-1","total":250}`)}}})
	require.NoError(t, err)
	require.Zero(t, out.FailedEntryCount)

	// discovery runs in serve's background: polled, with a deadline
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := reg.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String(schemas.RegistryDiscovered),
			SchemaName: aws.String("com.example.shop@OrderShipped")})
		if err == nil {
			require.Equal(t, "OpenApi3", aws.ToString(got.Type))
			require.Contains(t, aws.ToString(got.Content), `"total"`)
			break
		}
		require.ErrorContains(t, err, "NotFoundException")
		require.True(t, time.Now().Before(deadline), "the discovered schema never appeared")
		<-tick.C
	}
	require.False(t, strings.Contains(s.Log(), "level=ERROR"), s.Log())
}

// Two processes applying the file at once both succeed: what one created
// the other finds (a ConflictException is not a problem), and the schema
// has one version.
func TestConfigApplyRegistriesTwiceAtOnce(t *testing.T) {
	t.Parallel()
	n, _ := openTestNode(t, nil)
	for round := range 10 {
		c, ps := config.Decode("signalbox.yaml", []byte(fmt.Sprintf(`registries:
  - name: reg-%[1]d
    schemas:
      - {name: s, content: {openapi: 3.0.0, info: {title: S, version: "1"}, paths: {}}}
buses:
  - {name: race-%[1]d, discovery: true}
`, round)))
		require.Empty(t, ps)
		_, ps = c.ApplyBuses(context.Background(), n.buses)
		require.Empty(t, ps)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, ps := c.ApplyRegistries(context.Background(), n.schemas)
				assert.Empty(t, ps, "round %d", round)
			}()
		}
		wg.Wait()
		s, err := n.schemas.DescribeSchema(context.Background(), fmt.Sprintf("reg-%d", round), "s", "")
		require.NoError(t, err)
		require.Equal(t, "1", s.SchemaVersion, "round %d", round)
		d, err := n.schemas.DescribeDiscoverer(context.Background(), schemas.DiscovererID(fmt.Sprintf("race-%d", round)))
		require.NoError(t, err)
		require.Equal(t, schemas.StateStarted, d.State)
	}
}
