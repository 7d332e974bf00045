package gateway_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkschemas "github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/aws-sdk-go-v2/service/schemas/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	gwschemas "github.com/signalbox/signalbox/gateway/schemas"
	"github.com/signalbox/signalbox/integrations/schemas"
	"github.com/signalbox/signalbox/integrations/schemas/codegen"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// The EventBridge Schemas API through the official SDK, against a real
// gateway on loopback, on the schema registry on a real store.

type schemasBundle struct {
	url    string
	reg    *schemas.Service
	client *sdkschemas.Client
}

func newSchemas(t *testing.T, opts ...func(*gateway.Options)) *schemasBundle {
	t.Helper()
	st := storetest.Open(t, "sbschemas-")
	l := newLoopback()
	b := &schemasBundle{url: l.url}
	b.reg = schemas.New(st, schemas.Config{Logger: testLogger(t)})
	l.serve(t, gateway.Options{Runtime: runtime.NewDurable(st, &runtime.Durable{}), Schemas: b.reg, Logger: testLogger(t)}, opts)
	b.reg.Start(context.Background())
	t.Cleanup(b.reg.Close)
	b.client = schemasClient(b.url, "AKIDTEST", "secret")
	return b
}

func schemasClient(url, keyID, secret string) *sdkschemas.Client {
	return sdkschemas.NewFromConfig(sdkConfig(keyID, secret), func(o *sdkschemas.Options) { o.BaseEndpoint = aws.String(url) })
}

// requireSchemasCode asserts the API's error code and HTTP status, and
// returns the message, which must not be empty.
func requireSchemasCode(t *testing.T, err error, code string, status int) string {
	t.Helper()
	msg := requireAPICode(t, err, code, status)
	require.NotEmpty(t, msg, "the message reaches the SDK")
	return msg
}

const openAPIDoc = `{"openapi":"3.0.0","info":{"title":"Order","version":"1.0.0"},"paths":{},
"components":{"schemas":{"Order":{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"total":{"type":"number","nullable":true}}}}}}`

// Every operation of the SDK's client is in the route table.
func TestSchemasEveryOperationIsRouted(t *testing.T) {
	t.Parallel()
	var names []string
	ct := reflect.TypeOf(&sdkschemas.Client{})
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() >= 3 && m.Type.In(2).Kind() == reflect.Pointer && m.Type.In(2).Elem().Name() == m.Name+"Input" {
			names = append(names, m.Name)
		}
	}
	ops := gwschemas.Operations()
	require.Len(t, names, 31)
	for _, n := range names {
		_, ok := ops[n]
		require.True(t, ok, n)
	}
	require.Len(t, ops, len(names))
}

func TestSchemasRegistries(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx := context.Background()
	c := b.client

	out, err := c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("orders"), Description: aws.String("the shop's"),
		Tags: map[string]string{"team": "shop"}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:schemas:us-east-1:123456789012:registry/orders", aws.ToString(out.RegistryArn))
	require.Equal(t, "the shop's", aws.ToString(out.Description))
	require.Equal(t, map[string]string{"team": "shop"}, out.Tags)
	_, err = c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("orders")})
	requireSchemasCode(t, err, "ConflictException", 409)
	_, err = c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("bad name!")})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("aws.mine")})
	requireSchemasCode(t, err, "ForbiddenException", 403)
	_, err = c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("long"), Description: aws.String(strings.Repeat("d", 257))})
	requireSchemasCode(t, err, "BadRequestException", 400)

	d, err := c.DescribeRegistry(ctx, &sdkschemas.DescribeRegistryInput{RegistryName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, "the shop's", aws.ToString(d.Description))
	_, err = c.DescribeRegistry(ctx, &sdkschemas.DescribeRegistryInput{RegistryName: aws.String("nope")})
	requireSchemasCode(t, err, "NotFoundException", 404)

	u, err := c.UpdateRegistry(ctx, &sdkschemas.UpdateRegistryInput{RegistryName: aws.String("orders"), Description: aws.String("new")})
	require.NoError(t, err)
	require.Equal(t, "new", aws.ToString(u.Description))
	require.Equal(t, map[string]string{"team": "shop"}, u.Tags)
	_, err = c.UpdateRegistry(ctx, &sdkschemas.UpdateRegistryInput{RegistryName: aws.String("aws.events"), Description: aws.String("x")})
	requireSchemasCode(t, err, "ForbiddenException", 403)

	for _, n := range []string{"orders-eu", "payments"} {
		_, err = c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String(n)})
		require.NoError(t, err)
	}
	names := func(in *sdkschemas.ListRegistriesInput) []string {
		var got []string
		p := sdkschemas.NewListRegistriesPaginator(c, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Registries), int(aws.ToInt32(in.Limit)))
			for _, r := range page.Registries {
				got = append(got, aws.ToString(r.RegistryName))
			}
		}
		return got
	}
	require.Equal(t, []string{"aws.events", "orders", "orders-eu", "payments"}, names(&sdkschemas.ListRegistriesInput{Limit: aws.Int32(1)}))
	require.Equal(t, []string{"orders", "orders-eu"}, names(&sdkschemas.ListRegistriesInput{Limit: aws.Int32(10), RegistryNamePrefix: aws.String("ord")}))
	require.Equal(t, []string{"orders", "orders-eu", "payments"}, names(&sdkschemas.ListRegistriesInput{Limit: aws.Int32(2), Scope: aws.String("LOCAL")}))
	require.Equal(t, []string{"aws.events"}, names(&sdkschemas.ListRegistriesInput{Limit: aws.Int32(2), Scope: aws.String("AWS")}))
	_, err = c.ListRegistries(ctx, &sdkschemas.ListRegistriesInput{Scope: aws.String("GLOBAL")})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.ListRegistries(ctx, &sdkschemas.ListRegistriesInput{NextToken: aws.String("!!!")})
	requireSchemasCode(t, err, "BadRequestException", 400)

	_, err = c.DeleteRegistry(ctx, &sdkschemas.DeleteRegistryInput{RegistryName: aws.String("aws.events")})
	requireSchemasCode(t, err, "ForbiddenException", 403)
	_, err = c.DeleteRegistry(ctx, &sdkschemas.DeleteRegistryInput{RegistryName: aws.String("payments")})
	require.NoError(t, err)
	_, err = c.DeleteRegistry(ctx, &sdkschemas.DeleteRegistryInput{RegistryName: aws.String("payments")})
	requireSchemasCode(t, err, "NotFoundException", 404)
}

func TestSchemasSchemasAndVersions(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx := context.Background()
	c := b.client
	_, err := c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("shop")})
	require.NoError(t, err)

	create := func(name, typ, content string) (*sdkschemas.CreateSchemaOutput, error) {
		return c.CreateSchema(ctx, &sdkschemas.CreateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String(name),
			Type: types.Type(typ), Content: aws.String(content), Description: aws.String("orders"), Tags: map[string]string{"k": "v"}})
	}
	before := time.Now().Add(-time.Second)
	cr, err := create("Order", "OpenApi3", openAPIDoc)
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(cr.SchemaVersion))
	require.Equal(t, "arn:aws:schemas:us-east-1:123456789012:schema/shop/Order", aws.ToString(cr.SchemaArn))
	require.Equal(t, "OpenApi3", aws.ToString(cr.Type))
	require.True(t, cr.VersionCreatedDate.After(before))
	require.Equal(t, map[string]string{"k": "v"}, cr.Tags)
	_, err = create("Order", "OpenApi3", openAPIDoc)
	requireSchemasCode(t, err, "ConflictException", 409)
	for _, bad := range []struct{ typ, content, want string }{
		{"OpenApi3", "{", "not valid JSON"},
		{"OpenApi3", `{"openapi":"2.0"}`, "openapi"},
		{"JSONSchemaDraft4", `{"type":"nope"}`, "not a JSON Schema type"},
		{"Avro", `{}`, "Type"},
		{"OpenApi3", `{"x":"` + strings.Repeat("a", 100_001) + `"}`, "maximum is 100000"},
	} {
		_, err = create("Bad", bad.typ, bad.content)
		require.Contains(t, requireSchemasCode(t, err, "BadRequestException", 400), bad.want)
	}
	_, err = c.CreateSchema(ctx, &sdkschemas.CreateSchemaInput{RegistryName: aws.String("none"), SchemaName: aws.String("X"),
		Type: types.TypeOpenApi3, Content: aws.String(openAPIDoc)})
	requireSchemasCode(t, err, "NotFoundException", 404)
	_, err = c.CreateSchema(ctx, &sdkschemas.CreateSchemaInput{RegistryName: aws.String("aws.events"), SchemaName: aws.String("X"),
		Type: types.TypeOpenApi3, Content: aws.String(openAPIDoc)})
	requireSchemasCode(t, err, "ForbiddenException", 403)

	// the same content makes no version; another makes one
	up, err := c.UpdateSchema(ctx, &sdkschemas.UpdateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"),
		Content: aws.String(openAPIDoc), Description: aws.String("same content")})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(up.SchemaVersion))
	require.Equal(t, "same content", aws.ToString(up.Description))
	v2 := strings.Replace(openAPIDoc, `"total"`, `"sum"`, 1)
	up, err = c.UpdateSchema(ctx, &sdkschemas.UpdateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"),
		Content: aws.String(v2), ClientTokenId: aws.String("token-1")})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(up.SchemaVersion))
	draft := `{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","properties":{"id":{"type":"string"}}}`
	up, err = c.UpdateSchema(ctx, &sdkschemas.UpdateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"),
		Content: aws.String(draft), Type: types.TypeJSONSchemaDraft4})
	require.NoError(t, err)
	require.Equal(t, "3", aws.ToString(up.SchemaVersion))
	require.Equal(t, "JSONSchemaDraft4", aws.ToString(up.Type))
	_, err = c.UpdateSchema(ctx, &sdkschemas.UpdateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Nope"), Content: aws.String(draft)})
	requireSchemasCode(t, err, "NotFoundException", 404)
	_, err = c.UpdateSchema(ctx, &sdkschemas.UpdateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), Content: aws.String("[1]")})
	requireSchemasCode(t, err, "BadRequestException", 400)

	ds, err := c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order")})
	require.NoError(t, err)
	require.Equal(t, "3", aws.ToString(ds.SchemaVersion))
	require.Equal(t, draft, aws.ToString(ds.Content))
	require.Equal(t, "same content", aws.ToString(ds.Description))
	require.Equal(t, map[string]string{"k": "v"}, ds.Tags)
	require.False(t, ds.LastModified.IsZero())
	ds, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), SchemaVersion: aws.String("1")})
	require.NoError(t, err)
	require.Equal(t, openAPIDoc, aws.ToString(ds.Content))
	require.Equal(t, "OpenApi3", aws.ToString(ds.Type))
	_, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), SchemaVersion: aws.String("9")})
	require.Contains(t, requireSchemasCode(t, err, "NotFoundException", 404), "Version 9")
	_, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), SchemaVersion: aws.String("x")})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Nope")})
	require.Contains(t, requireSchemasCode(t, err, "NotFoundException", 404), "Schema Nope")

	vs, err := c.ListSchemaVersions(ctx, &sdkschemas.ListSchemaVersionsInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), Limit: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, vs.SchemaVersions, 2)
	require.NotNil(t, vs.NextToken)
	vs2, err := c.ListSchemaVersions(ctx, &sdkschemas.ListSchemaVersionsInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), NextToken: vs.NextToken})
	require.NoError(t, err)
	require.Equal(t, []string{"1", "2", "3"}, []string{aws.ToString(vs.SchemaVersions[0].SchemaVersion), aws.ToString(vs.SchemaVersions[1].SchemaVersion), aws.ToString(vs2.SchemaVersions[0].SchemaVersion)})
	require.Equal(t, "JSONSchemaDraft4", string(vs2.SchemaVersions[0].Type))
	require.Nil(t, vs2.NextToken)

	// export: an OpenApi3 version converted to draft 4
	ex, err := c.ExportSchema(ctx, &sdkschemas.ExportSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"),
		SchemaVersion: aws.String("1"), Type: aws.String("JSONSchemaDraft4")})
	require.NoError(t, err)
	require.Equal(t, "JSONSchemaDraft4", aws.ToString(ex.Type))
	var exported map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(ex.Content)), &exported))
	require.Equal(t, "http://json-schema.org/draft-04/schema#", exported["$schema"])
	require.Equal(t, []any{"number", "null"}, exported["properties"].(map[string]any)["total"].(map[string]any)["type"])
	_, err = c.ExportSchema(ctx, &sdkschemas.ExportSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), Type: aws.String("OpenApi3")})
	requireSchemasCode(t, err, "BadRequestException", 400)

	// list and search
	for _, n := range []string{"OrderShipped", "Refund", "order.cancelled"} {
		_, err = create(n, "OpenApi3", openAPIDoc)
		require.NoError(t, err)
	}
	var listed []string
	p := sdkschemas.NewListSchemasPaginator(c, &sdkschemas.ListSchemasInput{RegistryName: aws.String("shop"), Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, s := range page.Schemas {
			listed = append(listed, aws.ToString(s.SchemaName))
			if aws.ToString(s.SchemaName) == "Order" {
				require.Equal(t, int64(3), aws.ToInt64(s.VersionCount))
				require.Equal(t, map[string]string{"k": "v"}, s.Tags)
			}
		}
	}
	require.Equal(t, []string{"Order", "OrderShipped", "Refund", "order.cancelled"}, listed)
	ls, err := c.ListSchemas(ctx, &sdkschemas.ListSchemasInput{RegistryName: aws.String("shop"), SchemaNamePrefix: aws.String("Order")})
	require.NoError(t, err)
	require.Len(t, ls.Schemas, 2)
	_, err = c.ListSchemas(ctx, &sdkschemas.ListSchemasInput{RegistryName: aws.String("none")})
	requireSchemasCode(t, err, "NotFoundException", 404)

	var found []string
	sp := sdkschemas.NewSearchSchemasPaginator(c, &sdkschemas.SearchSchemasInput{RegistryName: aws.String("shop"), Keywords: aws.String("ORDER"), Limit: aws.Int32(1)})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		require.NoError(t, err)
		for _, s := range page.Schemas {
			found = append(found, aws.ToString(s.SchemaName))
			require.Equal(t, "shop", aws.ToString(s.RegistryName))
			require.NotEmpty(t, s.SchemaVersions)
		}
	}
	require.Equal(t, []string{"Order", "OrderShipped", "order.cancelled"}, found)
	sr, err := c.SearchSchemas(ctx, &sdkschemas.SearchSchemasInput{RegistryName: aws.String("shop"), Keywords: aws.String("order ship")})
	require.NoError(t, err)
	require.Len(t, sr.Schemas, 1)
	require.Len(t, sr.Schemas[0].SchemaVersions, 1)
	require.Equal(t, "1", aws.ToString(sr.Schemas[0].SchemaVersions[0].SchemaVersion))
	_, err = c.SearchSchemas(ctx, &sdkschemas.SearchSchemasInput{RegistryName: aws.String("shop"), Keywords: aws.String(" ")})
	requireSchemasCode(t, err, "BadRequestException", 400)

	// delete a version (the latest: the one before becomes latest), then the schema
	_, err = c.DeleteSchemaVersion(ctx, &sdkschemas.DeleteSchemaVersionInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), SchemaVersion: aws.String("3")})
	require.NoError(t, err)
	_, err = c.DeleteSchemaVersion(ctx, &sdkschemas.DeleteSchemaVersionInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), SchemaVersion: aws.String("3")})
	requireSchemasCode(t, err, "NotFoundException", 404)
	ds, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order")})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(ds.SchemaVersion))
	_, err = c.DeleteSchema(ctx, &sdkschemas.DeleteSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order")})
	require.NoError(t, err)
	_, err = c.DeleteSchema(ctx, &sdkschemas.DeleteSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order")})
	requireSchemasCode(t, err, "NotFoundException", 404)
	_, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order")})
	requireSchemasCode(t, err, "NotFoundException", 404)

	// deleting the registry takes its schemas
	_, err = c.DeleteRegistry(ctx, &sdkschemas.DeleteRegistryInput{RegistryName: aws.String("shop")})
	require.NoError(t, err)
	_, err = c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("shop")})
	require.NoError(t, err)
	ls, err = c.ListSchemas(ctx, &sdkschemas.ListSchemasInput{RegistryName: aws.String("shop")})
	require.NoError(t, err)
	require.Empty(t, ls.Schemas)
}

func TestSchemasTags(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx := context.Background()
	c := b.client
	_, err := c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("r")})
	require.NoError(t, err)
	_, err = c.CreateSchema(ctx, &sdkschemas.CreateSchemaInput{RegistryName: aws.String("r"), SchemaName: aws.String("s@x"),
		Type: types.TypeOpenApi3, Content: aws.String(openAPIDoc)})
	require.NoError(t, err)
	dc, err := c.CreateDiscoverer(ctx, &sdkschemas.CreateDiscovererInput{SourceArn: aws.String("arn:aws:events:us-east-1:123456789012:event-bus/default")})
	require.NoError(t, err)
	for _, arn := range []string{
		"arn:aws:schemas:us-east-1:123456789012:registry/r",
		"arn:aws:schemas:us-east-1:123456789012:schema/r/s@x",
		aws.ToString(dc.DiscovererArn),
	} {
		_, err = c.TagResource(ctx, &sdkschemas.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}})
		require.NoError(t, err, arn)
		_, err = c.UntagResource(ctx, &sdkschemas.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"a", "zz"}})
		require.NoError(t, err, arn)
		lt, err := c.ListTagsForResource(ctx, &sdkschemas.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		require.NoError(t, err, arn)
		require.Equal(t, map[string]string{"b": "2"}, lt.Tags, arn)
	}
	_, err = c.TagResource(ctx, &sdkschemas.TagResourceInput{ResourceArn: aws.String("arn:aws:schemas:us-east-1:123456789012:registry/none"), Tags: map[string]string{"a": "1"}})
	requireSchemasCode(t, err, "NotFoundException", 404)
	_, err = c.TagResource(ctx, &sdkschemas.TagResourceInput{ResourceArn: aws.String("arn:aws:sqs:us-east-1:123456789012:q"), Tags: map[string]string{"a": "1"}})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.ListTagsForResource(ctx, &sdkschemas.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:schemas:eu-west-1:123456789012:registry/r")})
	requireSchemasCode(t, err, "NotFoundException", 404)
	many := map[string]string{}
	for i := range 51 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	_, err = c.TagResource(ctx, &sdkschemas.TagResourceInput{ResourceArn: aws.String("arn:aws:schemas:us-east-1:123456789012:registry/r"), Tags: many})
	requireSchemasCode(t, err, "BadRequestException", 400)
}

func TestSchemasDiscoverers(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx := context.Background()
	c := b.client
	bus := "arn:aws:events:us-east-1:123456789012:event-bus/orders"
	d, err := c.CreateDiscoverer(ctx, &sdkschemas.CreateDiscovererInput{SourceArn: aws.String(bus), Description: aws.String("orders"),
		Tags: map[string]string{"t": "1"}})
	require.NoError(t, err)
	require.Equal(t, "events-event-bus-orders", aws.ToString(d.DiscovererId))
	require.Equal(t, "arn:aws:schemas:us-east-1:123456789012:discoverer/events-event-bus-orders", aws.ToString(d.DiscovererArn))
	require.Equal(t, types.DiscovererStateStarted, d.State)
	require.True(t, aws.ToBool(d.CrossAccount))
	_, err = c.CreateDiscoverer(ctx, &sdkschemas.CreateDiscovererInput{SourceArn: aws.String(bus)})
	requireSchemasCode(t, err, "ConflictException", 409)
	_, err = c.CreateDiscoverer(ctx, &sdkschemas.CreateDiscovererInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:123456789012:q")})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.CreateDiscoverer(ctx, &sdkschemas.CreateDiscovererInput{SourceArn: aws.String("arn:aws:events:us-east-1:123456789012:event-bus/default"), CrossAccount: aws.Bool(false)})
	require.NoError(t, err)

	dd, err := c.DescribeDiscoverer(ctx, &sdkschemas.DescribeDiscovererInput{DiscovererId: d.DiscovererId})
	require.NoError(t, err)
	require.Equal(t, "orders", aws.ToString(dd.Description))
	require.Equal(t, map[string]string{"t": "1"}, dd.Tags)
	_, err = c.DescribeDiscoverer(ctx, &sdkschemas.DescribeDiscovererInput{DiscovererId: aws.String("events-event-bus-none")})
	requireSchemasCode(t, err, "NotFoundException", 404)

	ud, err := c.UpdateDiscoverer(ctx, &sdkschemas.UpdateDiscovererInput{DiscovererId: d.DiscovererId, Description: aws.String("new"), CrossAccount: aws.Bool(false)})
	require.NoError(t, err)
	require.Equal(t, "new", aws.ToString(ud.Description))
	require.False(t, aws.ToBool(ud.CrossAccount))
	st, err := c.StopDiscoverer(ctx, &sdkschemas.StopDiscovererInput{DiscovererId: d.DiscovererId})
	require.NoError(t, err)
	require.Equal(t, types.DiscovererStateStopped, st.State)
	dd, err = c.DescribeDiscoverer(ctx, &sdkschemas.DescribeDiscovererInput{DiscovererId: d.DiscovererId})
	require.NoError(t, err)
	require.Equal(t, types.DiscovererStateStopped, dd.State)
	sta, err := c.StartDiscoverer(ctx, &sdkschemas.StartDiscovererInput{DiscovererId: d.DiscovererId})
	require.NoError(t, err)
	require.Equal(t, types.DiscovererStateStarted, sta.State)
	_, err = c.StartDiscoverer(ctx, &sdkschemas.StartDiscovererInput{DiscovererId: aws.String("nope")})
	requireSchemasCode(t, err, "NotFoundException", 404)

	var ids []string
	p := sdkschemas.NewListDiscoverersPaginator(c, &sdkschemas.ListDiscoverersInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, d := range page.Discoverers {
			ids = append(ids, aws.ToString(d.DiscovererId))
		}
	}
	require.Equal(t, []string{"events-event-bus-default", "events-event-bus-orders"}, ids)
	ld, err := c.ListDiscoverers(ctx, &sdkschemas.ListDiscoverersInput{SourceArnPrefix: aws.String(bus)})
	require.NoError(t, err)
	require.Len(t, ld.Discoverers, 1)
	ld, err = c.ListDiscoverers(ctx, &sdkschemas.ListDiscoverersInput{DiscovererIdPrefix: aws.String("events-event-bus-d")})
	require.NoError(t, err)
	require.Len(t, ld.Discoverers, 1)

	_, err = c.DeleteDiscoverer(ctx, &sdkschemas.DeleteDiscovererInput{DiscovererId: d.DiscovererId})
	require.NoError(t, err)
	_, err = c.DeleteDiscoverer(ctx, &sdkschemas.DeleteDiscovererInput{DiscovererId: d.DiscovererId})
	requireSchemasCode(t, err, "NotFoundException", 404)
}

func busEvent(account, detailType, detail string) []byte {
	return []byte(`{"version":"0","id":"e1","detail-type":"` + detailType + `","source":"com.shop","account":"` + account +
		`","time":"2024-05-01T10:00:00Z","region":"us-east-1","resources":[],"detail":` + detail + `}`)
}

// Discovery, driven through ObserveEvents (the bus's Observer seam), read
// through the API.
func TestSchemasDiscovery(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := b.client
	bus := "arn:aws:events:us-east-1:123456789012:event-bus/shop"
	_, err := c.CreateDiscoverer(ctx, &sdkschemas.CreateDiscovererInput{SourceArn: aws.String(bus), CrossAccount: aws.Bool(false)})
	require.NoError(t, err)

	observe := func(busARN string, events ...[]byte) {
		b.reg.ObserveEvents(ctx, busARN, events)
		require.NoError(t, b.reg.Drain(ctx))
	}
	describe := func(version string) (*sdkschemas.DescribeSchemaOutput, error) {
		in := &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("discovered-schemas"), SchemaName: aws.String("com.shop@OrderPlaced")}
		if version != "" {
			in.SchemaVersion = aws.String(version)
		}
		return c.DescribeSchema(ctx, in)
	}
	// another bus, and no discoverer: nothing
	observe("arn:aws:events:us-east-1:123456789012:event-bus/other", busEvent("123456789012", "Order Placed", `{"id":"1"}`))
	_, err = describe("")
	requireSchemasCode(t, err, "NotFoundException", 404)

	observe(bus, busEvent("123456789012", "Order Placed", `{"id":"1","total":10}`), busEvent("123456789012", "Order Placed", `{"id":"2","total":12}`))
	d, err := describe("")
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(d.SchemaVersion))
	require.Equal(t, "OpenApi3", aws.ToString(d.Type))
	content := aws.ToString(d.Content)
	require.Contains(t, content, `"x-amazon-events-source": "com.shop"`)
	require.Contains(t, content, `"x-amazon-events-detail-type": "Order Placed"`)
	require.Contains(t, content, `"$ref": "#/components/schemas/OrderPlaced"`)
	require.Contains(t, content, `"type": "integer"`)
	reg, err := c.DescribeRegistry(ctx, &sdkschemas.DescribeRegistryInput{RegistryName: aws.String("discovered-schemas")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:schemas:us-east-1:123456789012:registry/discovered-schemas", aws.ToString(reg.RegistryArn))

	// the same shape: no version; a new field: version 2 with both
	observe(bus, busEvent("123456789012", "Order Placed", `{"id":"3","total":1}`))
	d, err = describe("")
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(d.SchemaVersion))
	observe(bus, busEvent("123456789012", "Order Placed", `{"id":"4","coupon":"X"}`))
	d, err = describe("")
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(d.SchemaVersion))
	require.Contains(t, aws.ToString(d.Content), `"coupon"`)
	require.Contains(t, aws.ToString(d.Content), `"total"`)
	// GetDiscoveredSchema infers the same document from the same events
	gd, err := c.GetDiscoveredSchema(ctx, &sdkschemas.GetDiscoveredSchemaInput{Type: types.TypeOpenApi3, Events: []string{
		string(busEvent("123456789012", "Order Placed", `{"id":"1","total":10}`)), string(busEvent("123456789012", "Order Placed", `{"id":"4","coupon":"X"}`))}})
	require.NoError(t, err)
	require.Equal(t, aws.ToString(d.Content), aws.ToString(gd.Content))

	// another account's event: not with CrossAccount false
	observe(bus, busEvent("999999999999", "Order Placed", `{"id":"5","gift":true}`))
	d, err = describe("")
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(d.SchemaVersion))
	// a stopped discoverer discovers nothing
	_, err = c.StopDiscoverer(ctx, &sdkschemas.StopDiscovererInput{DiscovererId: aws.String("events-event-bus-shop")})
	require.NoError(t, err)
	observe(bus, busEvent("123456789012", "Order Placed", `{"id":"5","gift":true}`))
	d, err = describe("")
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(d.SchemaVersion))
	_, err = c.StartDiscoverer(ctx, &sdkschemas.StartDiscovererInput{DiscovererId: aws.String("events-event-bus-shop")})
	require.NoError(t, err)
	observe(bus, busEvent("123456789012", "Order Placed", `{"id":"5","gift":true}`), []byte(`not json`), busEvent("123456789012", "Order Shipped", `{"id":"5"}`))
	d, err = describe("")
	require.NoError(t, err)
	require.Equal(t, "3", aws.ToString(d.SchemaVersion))
	_, err = c.DescribeSchema(ctx, &sdkschemas.DescribeSchemaInput{RegistryName: aws.String("discovered-schemas"), SchemaName: aws.String("com.shop@OrderShipped")})
	require.NoError(t, err)
	stats := b.reg.Stats()
	require.Equal(t, int64(1), stats.Rejected)
	require.Equal(t, int64(4), stats.Versions)

	// GetDiscoveredSchema's refusals, and its draft 4 form
	_, err = c.GetDiscoveredSchema(ctx, &sdkschemas.GetDiscoveredSchemaInput{Type: types.TypeOpenApi3, Events: []string{"{"}})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.GetDiscoveredSchema(ctx, &sdkschemas.GetDiscoveredSchemaInput{Type: types.TypeOpenApi3, Events: slices.Repeat([]string{string(busEvent("1", "A", "{}"))}, 11)})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.GetDiscoveredSchema(ctx, &sdkschemas.GetDiscoveredSchemaInput{Type: types.TypeOpenApi3, Events: []string{string(busEvent("1", "A", "{}")), string(busEvent("1", "B", "{}"))}})
	requireSchemasCode(t, err, "BadRequestException", 400)
	gd, err = c.GetDiscoveredSchema(ctx, &sdkschemas.GetDiscoveredSchemaInput{Type: types.TypeJSONSchemaDraft4, Events: []string{string(busEvent("1", "A", `{"x":1}`))}})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(gd.Content), `"$schema": "http://json-schema.org/draft-04/schema#"`)
}

// The queue is bounded: events beyond it are dropped and counted, and
// ObserveEvents never blocks.
func TestSchemasDiscoveryQueueBound(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "sbschemas-")
	reg := schemas.New(st, schemas.Config{QueueEvents: 3, QueueBytes: 1 << 20})
	t.Cleanup(reg.Close)
	ctx := context.Background()
	// not started: nothing takes the queue
	for range 5 {
		reg.ObserveEvents(ctx, "arn:aws:events:us-east-1:123456789012:event-bus/b", [][]byte{busEvent("1", "A", "{}")})
	}
	require.Equal(t, int64(2), reg.Stats().Dropped)
	reg.ObserveEvents(ctx, "arn:aws:events:us-east-1:123456789012:event-bus/b", [][]byte{[]byte(strings.Repeat("x", 2<<20))})
	require.Equal(t, int64(3), reg.Stats().Dropped, "bytes bound too")
	reg.Start(ctx)
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, reg.Drain(dctx))
	reg.ObserveEvents(ctx, "arn:aws:events:us-east-1:123456789012:event-bus/b", [][]byte{busEvent("1", "A", "{}")})
	require.Equal(t, int64(3), reg.Stats().Dropped, "room again once drained")
}

// Code bindings go through codegen.Generate. Until the generator is
// merged it answers "codegen: not implemented" and the binding fails; the
// end-to-end part is skipped on exactly that error.
func TestSchemasCodeBindings(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := b.client
	_, err := c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("r")})
	require.NoError(t, err)
	_, err = c.CreateSchema(ctx, &sdkschemas.CreateSchemaInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"),
		Type: types.TypeOpenApi3, Content: aws.String(openAPIDoc)})
	require.NoError(t, err)

	_, err = c.PutCodeBinding(ctx, &sdkschemas.PutCodeBindingInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Cobol")})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.PutCodeBinding(ctx, &sdkschemas.PutCodeBindingInput{RegistryName: aws.String("r"), SchemaName: aws.String("Nope"), Language: aws.String("Go1")})
	requireSchemasCode(t, err, "NotFoundException", 404)
	_, err = c.DescribeCodeBinding(ctx, &sdkschemas.DescribeCodeBindingInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Go1")})
	requireSchemasCode(t, err, "NotFoundException", 404)

	put, err := c.PutCodeBinding(ctx, &sdkschemas.PutCodeBindingInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Go1")})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(put.SchemaVersion))
	require.Contains(t, []types.CodeGenerationStatus{types.CodeGenerationStatusCreateInProgress, types.CodeGenerationStatusCreateComplete, types.CodeGenerationStatusCreateFailed}, put.Status)

	in := &sdkschemas.DescribeCodeBindingInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Go1"), SchemaVersion: aws.String("1")}
	waitErr := sdkschemas.NewCodeBindingExistsWaiter(c, func(o *sdkschemas.CodeBindingExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	}).Wait(ctx, in, 20*time.Second)
	desc, err := c.DescribeCodeBinding(ctx, in)
	require.NoError(t, err)
	_, genErr := codegen.Generate(codegen.Go1, codegen.Input{RegistryName: "r", SchemaName: "Order", SchemaVersion: "1", Type: "OpenApi3", Content: []byte(openAPIDoc)})
	if genErr != nil && genErr.Error() == "codegen: not implemented" {
		require.Error(t, waitErr, "the waiter fails on CREATE_FAILED")
		require.Equal(t, types.CodeGenerationStatusCreateFailed, desc.Status)
		_, err = c.GetCodeBindingSource(ctx, &sdkschemas.GetCodeBindingSourceInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Go1")})
		requireSchemasCode(t, err, "NotFoundException", 404)
		t.Skip("codegen.Generate is not implemented on this branch: the binding failed as it should; the archive's checks run once the generator is merged")
	}
	require.NoError(t, genErr)
	require.NoError(t, waitErr)
	require.Equal(t, types.CodeGenerationStatusCreateComplete, desc.Status)
	src, err := c.GetCodeBindingSource(ctx, &sdkschemas.GetCodeBindingSourceInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Go1")})
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(src.Body), int64(len(src.Body)))
	require.NoError(t, err)
	require.NotEmpty(t, zr.File)
	f, err := zr.File[0].Open()
	require.NoError(t, err)
	body, err := io.ReadAll(f)
	require.NoError(t, err)
	require.NotEmpty(t, body)
	// a complete binding is answered as it is
	again, err := c.PutCodeBinding(ctx, &sdkschemas.PutCodeBindingInput{RegistryName: aws.String("r"), SchemaName: aws.String("Order"), Language: aws.String("Go1")})
	require.NoError(t, err)
	require.Equal(t, types.CodeGenerationStatusCreateComplete, again.Status)
}

// The API's answers to requests the SDK would not send: unsigned, a body
// that does not parse, a body beyond the bound; a path of the API with
// another method goes on to the user routes (here none: 404).
func TestSchemasMalformed(t *testing.T) {
	t.Parallel()
	b := newSchemas(t, func(o *gateway.Options) { o.Credentials = map[string]string{"AKIDTEST": "secret"} })
	ctx := context.Background()
	_, err := schemasClient(b.url, "AKIDTEST", "wrong").ListRegistries(ctx, &sdkschemas.ListRegistriesInput{})
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae))
	require.Equal(t, "InvalidSignatureException", ae.ErrorCode())
	_, err = b.client.ListRegistries(ctx, &sdkschemas.ListRegistriesInput{})
	require.NoError(t, err, "signed for service schemas")

	do := func(method, path, body string) (*http.Response, map[string]string) {
		req, err := http.NewRequest(method, b.url+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("x-api-key", "") // no credentials
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var m map[string]string
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res, m
	}
	res, m := do(http.MethodGet, "/v1/registries", "")
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, "MissingAuthenticationTokenException", res.Header.Get("X-Amzn-ErrorType"))
	require.Equal(t, "MissingAuthenticationTokenException", m["Code"])

	open := newSchemas(t)
	do = func(method, path, body string) (*http.Response, map[string]string) {
		req, err := http.NewRequest(method, open.url+path, strings.NewReader(body))
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var m map[string]string
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res, m
	}
	res, m = do(http.MethodPost, "/v1/registries/name/r", `{"Description": 5}`)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, "BadRequestException", m["Code"])
	require.NotEmpty(t, res.Header.Get("X-Amzn-RequestId"))
	res, _ = do(http.MethodPost, "/v1/registries/name/r", `{"Description": "x"} trailing`)
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = do(http.MethodPost, "/v1/discover", `{"Events":["`+strings.Repeat("a", gwschemas.MaxBodyBytes)+`"]}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)
	res, _ = do(http.MethodGet, "/v1/registries?limit=abc", "")
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	res, _ = do(http.MethodPatch, "/v1/registries", "")
	require.Equal(t, http.StatusNotFound, res.StatusCode, "another method goes on to the user routes")
	res, m = do(http.MethodGet, "/v1/policy", "")
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Contains(t, m["Message"], "RegistryName is required")
	// a registry name with an escaped slash is one segment
	res, m = do(http.MethodGet, "/v1/registries/name/a%2Fb", "")
	require.Equal(t, http.StatusBadRequest, res.StatusCode)
	require.Equal(t, "BadRequestException", m["Code"])
}

// Resource policies are kept per registry with a revision id (not
// enforced).
func TestSchemasResourcePolicy(t *testing.T) {
	t.Parallel()
	b := newSchemas(t)
	ctx := context.Background()
	c := b.client
	_, err := c.CreateRegistry(ctx, &sdkschemas.CreateRegistryInput{RegistryName: aws.String("r")})
	require.NoError(t, err)
	_, err = c.GetResourcePolicy(ctx, &sdkschemas.GetResourcePolicyInput{RegistryName: aws.String("r")})
	requireSchemasCode(t, err, "NotFoundException", 404)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"schemas:*","Resource":"*"}]}`
	put, err := c.PutResourcePolicy(ctx, &sdkschemas.PutResourcePolicyInput{RegistryName: aws.String("r"), Policy: aws.String(doc)})
	require.NoError(t, err)
	require.NotEmpty(t, aws.ToString(put.RevisionId))
	got, err := c.GetResourcePolicy(ctx, &sdkschemas.GetResourcePolicyInput{RegistryName: aws.String("r")})
	require.NoError(t, err)
	require.JSONEq(t, doc, aws.ToString(got.Policy))
	require.Equal(t, aws.ToString(put.RevisionId), aws.ToString(got.RevisionId))
	_, err = c.PutResourcePolicy(ctx, &sdkschemas.PutResourcePolicyInput{RegistryName: aws.String("r"), Policy: aws.String(doc), RevisionId: aws.String("stale")})
	requireSchemasCode(t, err, "PreconditionFailedException", 412)
	put2, err := c.PutResourcePolicy(ctx, &sdkschemas.PutResourcePolicyInput{RegistryName: aws.String("r"), Policy: aws.String(doc), RevisionId: put.RevisionId})
	require.NoError(t, err)
	require.NotEqual(t, aws.ToString(put.RevisionId), aws.ToString(put2.RevisionId))
	_, err = c.PutResourcePolicy(ctx, &sdkschemas.PutResourcePolicyInput{RegistryName: aws.String("r"), Policy: aws.String(`{"no":"statement"}`)})
	requireSchemasCode(t, err, "BadRequestException", 400)
	_, err = c.PutResourcePolicy(ctx, &sdkschemas.PutResourcePolicyInput{RegistryName: aws.String("none"), Policy: aws.String(doc)})
	requireSchemasCode(t, err, "NotFoundException", 404)
	_, err = c.DeleteResourcePolicy(ctx, &sdkschemas.DeleteResourcePolicyInput{RegistryName: aws.String("r")})
	require.NoError(t, err)
	_, err = c.DeleteResourcePolicy(ctx, &sdkschemas.DeleteResourcePolicyInput{RegistryName: aws.String("r")})
	requireSchemasCode(t, err, "NotFoundException", 404)
}

// The API's paths go to it before the user routes; the user routes keep
// every other path under /v1/.
func TestSchemasBeforeUserRoutes(t *testing.T) {
	t.Parallel()
	b := newSchemas(t, func(o *gateway.Options) {
		o.Routes = []gateway.Route{{Method: "GET", Path: "/v1/{thing}", StateMachine: "things"}, {Method: "ANY", Path: "/tags/{x+}", StateMachine: "things"}}
	})
	get := func(path string) (*http.Response, string) {
		res, err := http.Get(b.url + path)
		require.NoError(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(body)
	}
	res, body := get("/v1/registries")
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	require.Contains(t, body, `"Registries"`)
	res, body = get("/v1/other")
	require.NotContains(t, body, `"Registries"`)
	require.Empty(t, res.Header.Get("X-Amzn-ErrorType"), "the user route answered: %s", body)
	lt, err := b.client.ListTagsForResource(context.Background(), &sdkschemas.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:schemas:us-east-1:123456789012:registry/aws.events")})
	require.NoError(t, err, "/tags/{arn} is the API's")
	require.Empty(t, lt.Tags)
}
