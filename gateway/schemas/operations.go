package schemas

import (
	"context"
	"net/http"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/schemas"
)

// op adapts a handler of a typed request to an operation: the request
// decoded by its uri, querystring and json tags.
func op[In any](status int, f func(*API, context.Context, *In) (any, error)) operation {
	return func(s *API, ctx context.Context, r *http.Request, path map[string]string, body []byte) (int, any, error) {
		in := new(In)
		if err := awsproto.DecodeREST(r, path, body, in); err != nil {
			return 0, nil, err
		}
		out, err := f(s, ctx, in)
		if err != nil {
			return 0, nil, err
		}
		return status, out, nil
	}
}

// unsupported are the operations Signalbox does not implement, and why:
// none (resource policies are kept, not enforced: integrations/schemas,
// policy.go).
var unsupported = map[string]string{}

const (
	pRegistry = "v1/registries/name/{RegistryName}"
	pSchema   = pRegistry + "/schemas/name/{SchemaName}"
	pDisc     = "v1/discoverers/id/{DiscovererId}"
)

var routes = []route{
	{http.MethodPost, "CreateRegistry", split(pRegistry), op(http.StatusCreated, createRegistry)},
	{http.MethodGet, "DescribeRegistry", split(pRegistry), op(http.StatusOK, describeRegistry)},
	{http.MethodPut, "UpdateRegistry", split(pRegistry), op(http.StatusOK, updateRegistry)},
	{http.MethodDelete, "DeleteRegistry", split(pRegistry), op(http.StatusNoContent, deleteRegistry)},
	{http.MethodGet, "ListRegistries", split("v1/registries"), op(http.StatusOK, listRegistries)},

	{http.MethodGet, "ListSchemas", split(pRegistry + "/schemas"), op(http.StatusOK, listSchemas)},
	{http.MethodGet, "SearchSchemas", split(pRegistry + "/schemas/search"), op(http.StatusOK, searchSchemas)},
	{http.MethodPost, "CreateSchema", split(pSchema), op(http.StatusCreated, createSchema)},
	{http.MethodGet, "DescribeSchema", split(pSchema), op(http.StatusOK, describeSchema)},
	{http.MethodPut, "UpdateSchema", split(pSchema), op(http.StatusOK, updateSchema)},
	{http.MethodDelete, "DeleteSchema", split(pSchema), op(http.StatusNoContent, deleteSchema)},
	{http.MethodDelete, "DeleteSchemaVersion", split(pSchema + "/version/{SchemaVersion}"), op(http.StatusNoContent, deleteSchemaVersion)},
	{http.MethodGet, "ListSchemaVersions", split(pSchema + "/versions"), op(http.StatusOK, listSchemaVersions)},
	{http.MethodGet, "ExportSchema", split(pSchema + "/export"), op(http.StatusOK, exportSchema)},
	{http.MethodPost, "GetDiscoveredSchema", split("v1/discover"), op(http.StatusOK, getDiscoveredSchema)},

	{http.MethodPost, "PutCodeBinding", split(pSchema + "/language/{Language}"), op(http.StatusAccepted, putCodeBinding)},
	{http.MethodGet, "DescribeCodeBinding", split(pSchema + "/language/{Language}"), op(http.StatusOK, describeCodeBinding)},
	{http.MethodGet, "GetCodeBindingSource", split(pSchema + "/language/{Language}/source"), op(http.StatusOK, getCodeBindingSource)},

	{http.MethodPost, "CreateDiscoverer", split("v1/discoverers"), op(http.StatusCreated, createDiscoverer)},
	{http.MethodGet, "ListDiscoverers", split("v1/discoverers"), op(http.StatusOK, listDiscoverers)},
	{http.MethodGet, "DescribeDiscoverer", split(pDisc), op(http.StatusOK, describeDiscoverer)},
	{http.MethodPut, "UpdateDiscoverer", split(pDisc), op(http.StatusOK, updateDiscoverer)},
	{http.MethodDelete, "DeleteDiscoverer", split(pDisc), op(http.StatusNoContent, deleteDiscoverer)},
	{http.MethodPost, "StartDiscoverer", split(pDisc + "/start"), op(http.StatusOK, startDiscoverer)},
	{http.MethodPost, "StopDiscoverer", split(pDisc + "/stop"), op(http.StatusOK, stopDiscoverer)},

	{http.MethodPost, "TagResource", split("tags/{ResourceArn}"), op(http.StatusNoContent, tagResource)},
	{http.MethodDelete, "UntagResource", split("tags/{ResourceArn}"), op(http.StatusNoContent, untagResource)},
	{http.MethodGet, "ListTagsForResource", split("tags/{ResourceArn}"), op(http.StatusOK, listTagsForResource)},

	{http.MethodGet, "GetResourcePolicy", split("v1/policy"), op(http.StatusOK, getResourcePolicy)},
	{http.MethodPut, "PutResourcePolicy", split("v1/policy"), op(http.StatusOK, putResourcePolicy)},
	{http.MethodDelete, "DeleteResourcePolicy", split("v1/policy"), op(http.StatusNoContent, deleteResourcePolicy)},
}

func split(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}

// Requests, by the operations' members: path (uri), query string and
// body (json, AWS's member names; tags are "tags").

type registryIn struct {
	RegistryName string            `uri:"RegistryName" json:"-"`
	Description  *string           `json:"Description"`
	Tags         map[string]string `json:"tags"`
}

func createRegistry(s *API, ctx context.Context, in *registryIn) (any, error) {
	return s.opts.Registry.CreateRegistry(ctx, &schemas.CreateRegistryInput{RegistryName: in.RegistryName, Description: in.Description, Tags: in.Tags})
}

func describeRegistry(s *API, ctx context.Context, in *registryIn) (any, error) {
	return s.opts.Registry.DescribeRegistry(ctx, in.RegistryName)
}

func updateRegistry(s *API, ctx context.Context, in *registryIn) (any, error) {
	return s.opts.Registry.UpdateRegistry(ctx, in.RegistryName, in.Description)
}

func deleteRegistry(s *API, ctx context.Context, in *registryIn) (any, error) {
	return nil, s.opts.Registry.DeleteRegistry(ctx, in.RegistryName)
}

type listRegistriesIn struct {
	Limit              int    `querystring:"limit" json:"-"`
	NextToken          string `querystring:"nextToken" json:"-"`
	RegistryNamePrefix string `querystring:"registryNamePrefix" json:"-"`
	Scope              string `querystring:"scope" json:"-"`
}

func listRegistries(s *API, ctx context.Context, in *listRegistriesIn) (any, error) {
	return s.opts.Registry.ListRegistries(ctx, &schemas.ListRegistriesInput{Limit: in.Limit, NextToken: in.NextToken,
		RegistryNamePrefix: in.RegistryNamePrefix, Scope: in.Scope})
}

type schemaIn struct {
	RegistryName  string            `uri:"RegistryName" json:"-"`
	SchemaName    string            `uri:"SchemaName" json:"-"`
	SchemaVersion string            `querystring:"schemaVersion" json:"-"`
	Content       *string           `json:"Content"`
	Description   *string           `json:"Description"`
	Type          *string           `json:"Type"`
	ClientTokenID string            `json:"ClientTokenId"`
	Tags          map[string]string `json:"tags"`
}

func createSchema(s *API, ctx context.Context, in *schemaIn) (any, error) {
	if in.Content == nil || in.Type == nil {
		return nil, badRequest("Content and Type are required.")
	}
	return s.opts.Registry.CreateSchema(ctx, &schemas.CreateSchemaInput{RegistryName: in.RegistryName, SchemaName: in.SchemaName,
		Type: *in.Type, Content: *in.Content, Description: in.Description, Tags: in.Tags})
}

func badRequest(msg string) error {
	return &schemas.Error{Code: schemas.CodeBadRequest, Status: http.StatusBadRequest, Message: msg}
}

func describeSchema(s *API, ctx context.Context, in *schemaIn) (any, error) {
	return s.opts.Registry.DescribeSchema(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion)
}

func updateSchema(s *API, ctx context.Context, in *schemaIn) (any, error) {
	return s.opts.Registry.UpdateSchema(ctx, &schemas.UpdateSchemaInput{RegistryName: in.RegistryName, SchemaName: in.SchemaName,
		ClientTokenID: in.ClientTokenID, Content: in.Content, Description: in.Description, Type: in.Type})
}

func deleteSchema(s *API, ctx context.Context, in *schemaIn) (any, error) {
	return nil, s.opts.Registry.DeleteSchema(ctx, in.RegistryName, in.SchemaName)
}

type versionIn struct {
	RegistryName  string `uri:"RegistryName" json:"-"`
	SchemaName    string `uri:"SchemaName" json:"-"`
	SchemaVersion string `uri:"SchemaVersion" json:"-"`
}

func deleteSchemaVersion(s *API, ctx context.Context, in *versionIn) (any, error) {
	return nil, s.opts.Registry.DeleteSchemaVersion(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion)
}

type listSchemasIn struct {
	RegistryName     string `uri:"RegistryName" json:"-"`
	Limit            int    `querystring:"limit" json:"-"`
	NextToken        string `querystring:"nextToken" json:"-"`
	SchemaNamePrefix string `querystring:"schemaNamePrefix" json:"-"`
}

func listSchemas(s *API, ctx context.Context, in *listSchemasIn) (any, error) {
	return s.opts.Registry.ListSchemas(ctx, &schemas.ListSchemasInput{RegistryName: in.RegistryName, Limit: in.Limit,
		NextToken: in.NextToken, SchemaNamePrefix: in.SchemaNamePrefix})
}

type listVersionsIn struct {
	RegistryName string `uri:"RegistryName" json:"-"`
	SchemaName   string `uri:"SchemaName" json:"-"`
	Limit        int    `querystring:"limit" json:"-"`
	NextToken    string `querystring:"nextToken" json:"-"`
}

func listSchemaVersions(s *API, ctx context.Context, in *listVersionsIn) (any, error) {
	return s.opts.Registry.ListSchemaVersions(ctx, in.RegistryName, in.SchemaName, in.Limit, in.NextToken)
}

type searchIn struct {
	RegistryName string `uri:"RegistryName" json:"-"`
	Keywords     string `querystring:"keywords" json:"-"`
	Limit        int    `querystring:"limit" json:"-"`
	NextToken    string `querystring:"nextToken" json:"-"`
}

func searchSchemas(s *API, ctx context.Context, in *searchIn) (any, error) {
	return s.opts.Registry.SearchSchemas(ctx, in.RegistryName, in.Keywords, in.Limit, in.NextToken)
}

type exportIn struct {
	RegistryName  string `uri:"RegistryName" json:"-"`
	SchemaName    string `uri:"SchemaName" json:"-"`
	SchemaVersion string `querystring:"schemaVersion" json:"-"`
	Type          string `querystring:"type" json:"-"`
}

func exportSchema(s *API, ctx context.Context, in *exportIn) (any, error) {
	return s.opts.Registry.ExportSchema(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Type)
}

type discoverIn struct {
	Events []string `json:"Events"`
	Type   string   `json:"Type"`
}

type discoverOut struct {
	Content string `json:"Content"`
}

func getDiscoveredSchema(s *API, ctx context.Context, in *discoverIn) (any, error) {
	content, err := s.opts.Registry.GetDiscoveredSchema(ctx, in.Events, in.Type)
	if err != nil {
		return nil, err
	}
	return &discoverOut{Content: content}, nil
}

type bindingIn struct {
	RegistryName  string `uri:"RegistryName" json:"-"`
	SchemaName    string `uri:"SchemaName" json:"-"`
	Language      string `uri:"Language" json:"-"`
	SchemaVersion string `querystring:"schemaVersion" json:"-"`
}

func putCodeBinding(s *API, ctx context.Context, in *bindingIn) (any, error) {
	return s.opts.Registry.PutCodeBinding(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Language)
}

func describeCodeBinding(s *API, ctx context.Context, in *bindingIn) (any, error) {
	return s.opts.Registry.DescribeCodeBinding(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Language)
}

func getCodeBindingSource(s *API, ctx context.Context, in *bindingIn) (any, error) {
	b, err := s.opts.Registry.GetCodeBindingSource(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Language)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

type discovererIn struct {
	DiscovererID string            `uri:"DiscovererId" json:"-"`
	SourceArn    string            `json:"SourceArn"`
	Description  *string           `json:"Description"`
	CrossAccount *bool             `json:"CrossAccount"`
	Tags         map[string]string `json:"tags"`
}

func createDiscoverer(s *API, ctx context.Context, in *discovererIn) (any, error) {
	return s.opts.Registry.CreateDiscoverer(ctx, &schemas.CreateDiscovererInput{SourceArn: in.SourceArn, Description: in.Description,
		CrossAccount: in.CrossAccount, Tags: in.Tags})
}

func describeDiscoverer(s *API, ctx context.Context, in *discovererIn) (any, error) {
	return s.opts.Registry.DescribeDiscoverer(ctx, in.DiscovererID)
}

func updateDiscoverer(s *API, ctx context.Context, in *discovererIn) (any, error) {
	return s.opts.Registry.UpdateDiscoverer(ctx, in.DiscovererID, in.Description, in.CrossAccount)
}

func deleteDiscoverer(s *API, ctx context.Context, in *discovererIn) (any, error) {
	return nil, s.opts.Registry.DeleteDiscoverer(ctx, in.DiscovererID)
}

func startDiscoverer(s *API, ctx context.Context, in *discovererIn) (any, error) {
	return s.opts.Registry.StartDiscoverer(ctx, in.DiscovererID)
}

func stopDiscoverer(s *API, ctx context.Context, in *discovererIn) (any, error) {
	return s.opts.Registry.StopDiscoverer(ctx, in.DiscovererID)
}

type listDiscoverersIn struct {
	DiscovererIDPrefix string `querystring:"discovererIdPrefix" json:"-"`
	SourceArnPrefix    string `querystring:"sourceArnPrefix" json:"-"`
	Limit              int    `querystring:"limit" json:"-"`
	NextToken          string `querystring:"nextToken" json:"-"`
}

func listDiscoverers(s *API, ctx context.Context, in *listDiscoverersIn) (any, error) {
	return s.opts.Registry.ListDiscoverers(ctx, &schemas.ListDiscoverersInput{DiscovererIDPrefix: in.DiscovererIDPrefix,
		SourceArnPrefix: in.SourceArnPrefix, Limit: in.Limit, NextToken: in.NextToken})
}

type tagsIn struct {
	ResourceArn string            `uri:"ResourceArn" json:"-"`
	Tags        map[string]string `json:"tags"`
	TagKeys     []string          `querystring:"tagKeys" json:"-"`
}

type tagsOut struct {
	Tags map[string]string `json:"tags"`
}

func tagResource(s *API, ctx context.Context, in *tagsIn) (any, error) {
	return nil, s.opts.Registry.TagResource(ctx, in.ResourceArn, in.Tags)
}

func untagResource(s *API, ctx context.Context, in *tagsIn) (any, error) {
	return nil, s.opts.Registry.UntagResource(ctx, in.ResourceArn, in.TagKeys)
}

func listTagsForResource(s *API, ctx context.Context, in *tagsIn) (any, error) {
	tags, err := s.opts.Registry.ListTagsForResource(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return &tagsOut{Tags: tags}, nil
}

type policyIn struct {
	RegistryName string  `querystring:"registryName" json:"-"`
	Policy       *string `json:"Policy"`
	RevisionID   string  `json:"RevisionId"`
}

func getResourcePolicy(s *API, ctx context.Context, in *policyIn) (any, error) {
	return s.opts.Registry.GetResourcePolicy(ctx, in.RegistryName)
}

func putResourcePolicy(s *API, ctx context.Context, in *policyIn) (any, error) {
	if in.Policy == nil {
		return nil, badRequest("Policy is required.")
	}
	return s.opts.Registry.PutResourcePolicy(ctx, in.RegistryName, *in.Policy, in.RevisionID)
}

func deleteResourcePolicy(s *API, ctx context.Context, in *policyIn) (any, error) {
	return nil, s.opts.Registry.DeleteResourcePolicy(ctx, in.RegistryName)
}
