package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/aws-sdk-go-v2/service/schemas/types"
	"github.com/stretchr/testify/require"
)

// `signalbox serve` serves the EventBridge Schemas API on its schema
// registry: the wiring, through the official SDK.
func TestSchemasAgainstServe(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--addr", "127.0.0.1:0")
	ctx := context.Background()
	c := schemas.New(schemas.Options{BaseEndpoint: aws.String(s.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:  awshttp.NewBuildableClient(), RetryMaxAttempts: 1})
	_, err := c.CreateRegistry(ctx, &schemas.CreateRegistryInput{RegistryName: aws.String("shop")})
	require.NoError(t, err)
	_, err = c.CreateSchema(ctx, &schemas.CreateSchemaInput{RegistryName: aws.String("shop"), SchemaName: aws.String("Order"), Type: types.TypeJSONSchemaDraft4,
		Content: aws.String(`{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}`)})
	require.NoError(t, err)
	out, err := c.ListRegistries(ctx, &schemas.ListRegistriesInput{})
	require.NoError(t, err)
	var names []string
	for _, r := range out.Registries {
		names = append(names, aws.ToString(r.RegistryName))
	}
	require.Equal(t, []string{"aws.events", "shop"}, names)
	d, err := c.CreateDiscoverer(ctx, &schemas.CreateDiscovererInput{SourceArn: aws.String("arn:aws:events:us-east-1:123456789012:event-bus/default")})
	require.NoError(t, err)
	require.Equal(t, types.DiscovererStateStarted, d.State)
}
