package schemas

import (
	"context"
	"net/http"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/schemas"
)

// op adapts a handler of a typed request to an operation: the request
// decoded by its uri, querystring and json tags, the handler given the
// registry. Each operation is one row of routes: its method, name, path,
// status and the registry's call.
func op[In any](status int, f func(r Registry, ctx context.Context, in *In) (any, error)) operation {
	return func(s *API, ctx context.Context, r *http.Request, path map[string]string, body []byte) (int, any, error) {
		in := new(In)
		if err := awsproto.DecodeREST(r, path, body, in); err != nil {
			return 0, nil, err
		}
		out, err := f(s.opts.Registry, ctx, in)
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
	pBinding  = pSchema + "/language/{Language}"
	pDisc     = "v1/discoverers/id/{DiscovererId}"
	pTags     = "tags/{ResourceArn}"
	pPolicy   = "v1/policy"
)

var routes = []route{
	{http.MethodPost, "CreateRegistry", split(pRegistry), op(http.StatusCreated, func(r Registry, ctx context.Context, in *registryIn) (any, error) {
		return r.CreateRegistry(ctx, &schemas.CreateRegistryInput{RegistryName: in.RegistryName, Description: in.Description, Tags: in.Tags})
	})},
	{http.MethodGet, "DescribeRegistry", split(pRegistry), op(http.StatusOK, func(r Registry, ctx context.Context, in *registryIn) (any, error) {
		return r.DescribeRegistry(ctx, in.RegistryName)
	})},
	{http.MethodPut, "UpdateRegistry", split(pRegistry), op(http.StatusOK, func(r Registry, ctx context.Context, in *registryIn) (any, error) {
		return r.UpdateRegistry(ctx, in.RegistryName, in.Description)
	})},
	{http.MethodDelete, "DeleteRegistry", split(pRegistry), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *registryIn) (any, error) {
		return nil, r.DeleteRegistry(ctx, in.RegistryName)
	})},
	{http.MethodGet, "ListRegistries", split("v1/registries"), op(http.StatusOK, func(r Registry, ctx context.Context, in *listRegistriesIn) (any, error) {
		return r.ListRegistries(ctx, &schemas.ListRegistriesInput{Limit: in.Limit, NextToken: in.NextToken, RegistryNamePrefix: in.RegistryNamePrefix, Scope: in.Scope})
	})},

	{http.MethodGet, "ListSchemas", split(pRegistry + "/schemas"), op(http.StatusOK, func(r Registry, ctx context.Context, in *listSchemasIn) (any, error) {
		return r.ListSchemas(ctx, &schemas.ListSchemasInput{RegistryName: in.RegistryName, Limit: in.Limit, NextToken: in.NextToken, SchemaNamePrefix: in.SchemaNamePrefix})
	})},
	{http.MethodGet, "SearchSchemas", split(pRegistry + "/schemas/search"), op(http.StatusOK, func(r Registry, ctx context.Context, in *searchIn) (any, error) {
		return r.SearchSchemas(ctx, in.RegistryName, in.Keywords, in.Limit, in.NextToken)
	})},
	{http.MethodPost, "CreateSchema", split(pSchema), op(http.StatusCreated, func(r Registry, ctx context.Context, in *schemaIn) (any, error) {
		if in.Content == nil || in.Type == nil {
			return nil, badRequest("Content and Type are required.")
		}
		return r.CreateSchema(ctx, &schemas.CreateSchemaInput{RegistryName: in.RegistryName, SchemaName: in.SchemaName,
			Type: *in.Type, Content: *in.Content, Description: in.Description, Tags: in.Tags})
	})},
	{http.MethodGet, "DescribeSchema", split(pSchema), op(http.StatusOK, func(r Registry, ctx context.Context, in *schemaIn) (any, error) {
		return r.DescribeSchema(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion)
	})},
	{http.MethodPut, "UpdateSchema", split(pSchema), op(http.StatusOK, func(r Registry, ctx context.Context, in *schemaIn) (any, error) {
		return r.UpdateSchema(ctx, &schemas.UpdateSchemaInput{RegistryName: in.RegistryName, SchemaName: in.SchemaName,
			ClientTokenID: in.ClientTokenID, Content: in.Content, Description: in.Description, Type: in.Type})
	})},
	{http.MethodDelete, "DeleteSchema", split(pSchema), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *schemaIn) (any, error) {
		return nil, r.DeleteSchema(ctx, in.RegistryName, in.SchemaName)
	})},
	{http.MethodDelete, "DeleteSchemaVersion", split(pSchema + "/version/{SchemaVersion}"), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *versionIn) (any, error) {
		return nil, r.DeleteSchemaVersion(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion)
	})},
	{http.MethodGet, "ListSchemaVersions", split(pSchema + "/versions"), op(http.StatusOK, func(r Registry, ctx context.Context, in *listVersionsIn) (any, error) {
		return r.ListSchemaVersions(ctx, in.RegistryName, in.SchemaName, in.Limit, in.NextToken)
	})},
	{http.MethodGet, "ExportSchema", split(pSchema + "/export"), op(http.StatusOK, func(r Registry, ctx context.Context, in *exportIn) (any, error) {
		return r.ExportSchema(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Type)
	})},
	{http.MethodPost, "GetDiscoveredSchema", split("v1/discover"), op(http.StatusOK, func(r Registry, ctx context.Context, in *discoverIn) (any, error) {
		content, err := r.GetDiscoveredSchema(ctx, in.Events, in.Type)
		if err != nil {
			return nil, err
		}
		return &discoverOut{Content: content}, nil
	})},

	{http.MethodPost, "PutCodeBinding", split(pBinding), op(http.StatusAccepted, func(r Registry, ctx context.Context, in *bindingIn) (any, error) {
		return r.PutCodeBinding(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Language)
	})},
	{http.MethodGet, "DescribeCodeBinding", split(pBinding), op(http.StatusOK, func(r Registry, ctx context.Context, in *bindingIn) (any, error) {
		return r.DescribeCodeBinding(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Language)
	})},
	{http.MethodGet, "GetCodeBindingSource", split(pBinding + "/source"), op(http.StatusOK, func(r Registry, ctx context.Context, in *bindingIn) (any, error) {
		b, err := r.GetCodeBindingSource(ctx, in.RegistryName, in.SchemaName, in.SchemaVersion, in.Language)
		if err != nil {
			return nil, err
		}
		if b == nil {
			b = []byte{}
		}
		return b, nil
	})},

	{http.MethodPost, "CreateDiscoverer", split("v1/discoverers"), op(http.StatusCreated, func(r Registry, ctx context.Context, in *discovererIn) (any, error) {
		return r.CreateDiscoverer(ctx, &schemas.CreateDiscovererInput{SourceArn: in.SourceArn, Description: in.Description, CrossAccount: in.CrossAccount, Tags: in.Tags})
	})},
	{http.MethodGet, "ListDiscoverers", split("v1/discoverers"), op(http.StatusOK, func(r Registry, ctx context.Context, in *listDiscoverersIn) (any, error) {
		return r.ListDiscoverers(ctx, &schemas.ListDiscoverersInput{DiscovererIDPrefix: in.DiscovererIDPrefix,
			SourceArnPrefix: in.SourceArnPrefix, Limit: in.Limit, NextToken: in.NextToken})
	})},
	{http.MethodGet, "DescribeDiscoverer", split(pDisc), op(http.StatusOK, func(r Registry, ctx context.Context, in *discovererIn) (any, error) {
		return r.DescribeDiscoverer(ctx, in.DiscovererID)
	})},
	{http.MethodPut, "UpdateDiscoverer", split(pDisc), op(http.StatusOK, func(r Registry, ctx context.Context, in *discovererIn) (any, error) {
		return r.UpdateDiscoverer(ctx, in.DiscovererID, in.Description, in.CrossAccount)
	})},
	{http.MethodDelete, "DeleteDiscoverer", split(pDisc), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *discovererIn) (any, error) {
		return nil, r.DeleteDiscoverer(ctx, in.DiscovererID)
	})},
	{http.MethodPost, "StartDiscoverer", split(pDisc + "/start"), op(http.StatusOK, func(r Registry, ctx context.Context, in *discovererIn) (any, error) {
		return r.StartDiscoverer(ctx, in.DiscovererID)
	})},
	{http.MethodPost, "StopDiscoverer", split(pDisc + "/stop"), op(http.StatusOK, func(r Registry, ctx context.Context, in *discovererIn) (any, error) {
		return r.StopDiscoverer(ctx, in.DiscovererID)
	})},

	{http.MethodPost, "TagResource", split(pTags), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *tagsIn) (any, error) {
		return nil, r.TagResource(ctx, in.ResourceArn, in.Tags)
	})},
	{http.MethodDelete, "UntagResource", split(pTags), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *tagsIn) (any, error) {
		return nil, r.UntagResource(ctx, in.ResourceArn, in.TagKeys)
	})},
	{http.MethodGet, "ListTagsForResource", split(pTags), op(http.StatusOK, func(r Registry, ctx context.Context, in *tagsIn) (any, error) {
		tags, err := r.ListTagsForResource(ctx, in.ResourceArn)
		if err != nil {
			return nil, err
		}
		return &tagsOut{Tags: tags}, nil
	})},

	{http.MethodGet, "GetResourcePolicy", split(pPolicy), op(http.StatusOK, func(r Registry, ctx context.Context, in *policyIn) (any, error) {
		return r.GetResourcePolicy(ctx, in.RegistryName)
	})},
	{http.MethodPut, "PutResourcePolicy", split(pPolicy), op(http.StatusOK, func(r Registry, ctx context.Context, in *policyIn) (any, error) {
		if in.Policy == nil {
			return nil, badRequest("Policy is required.")
		}
		return r.PutResourcePolicy(ctx, in.RegistryName, *in.Policy, in.RevisionID)
	})},
	{http.MethodDelete, "DeleteResourcePolicy", split(pPolicy), op(http.StatusNoContent, func(r Registry, ctx context.Context, in *policyIn) (any, error) {
		return nil, r.DeleteResourcePolicy(ctx, in.RegistryName)
	})},
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

type listRegistriesIn struct {
	Limit              int    `querystring:"limit" json:"-"`
	NextToken          string `querystring:"nextToken" json:"-"`
	RegistryNamePrefix string `querystring:"registryNamePrefix" json:"-"`
	Scope              string `querystring:"scope" json:"-"`
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

func badRequest(msg string) error {
	return &schemas.Error{Code: schemas.CodeBadRequest, Status: http.StatusBadRequest, Message: msg}
}

type versionIn struct {
	RegistryName  string `uri:"RegistryName" json:"-"`
	SchemaName    string `uri:"SchemaName" json:"-"`
	SchemaVersion string `uri:"SchemaVersion" json:"-"`
}

type listSchemasIn struct {
	RegistryName     string `uri:"RegistryName" json:"-"`
	Limit            int    `querystring:"limit" json:"-"`
	NextToken        string `querystring:"nextToken" json:"-"`
	SchemaNamePrefix string `querystring:"schemaNamePrefix" json:"-"`
}

type listVersionsIn struct {
	RegistryName string `uri:"RegistryName" json:"-"`
	SchemaName   string `uri:"SchemaName" json:"-"`
	Limit        int    `querystring:"limit" json:"-"`
	NextToken    string `querystring:"nextToken" json:"-"`
}

type searchIn struct {
	RegistryName string `uri:"RegistryName" json:"-"`
	Keywords     string `querystring:"keywords" json:"-"`
	Limit        int    `querystring:"limit" json:"-"`
	NextToken    string `querystring:"nextToken" json:"-"`
}

type exportIn struct {
	RegistryName  string `uri:"RegistryName" json:"-"`
	SchemaName    string `uri:"SchemaName" json:"-"`
	SchemaVersion string `querystring:"schemaVersion" json:"-"`
	Type          string `querystring:"type" json:"-"`
}

type discoverIn struct {
	Events []string `json:"Events"`
	Type   string   `json:"Type"`
}

type discoverOut struct {
	Content string `json:"Content"`
}

type bindingIn struct {
	RegistryName  string `uri:"RegistryName" json:"-"`
	SchemaName    string `uri:"SchemaName" json:"-"`
	Language      string `uri:"Language" json:"-"`
	SchemaVersion string `querystring:"schemaVersion" json:"-"`
}

type discovererIn struct {
	DiscovererID string            `uri:"DiscovererId" json:"-"`
	SourceArn    string            `json:"SourceArn"`
	Description  *string           `json:"Description"`
	CrossAccount *bool             `json:"CrossAccount"`
	Tags         map[string]string `json:"tags"`
}

type listDiscoverersIn struct {
	DiscovererIDPrefix string `querystring:"discovererIdPrefix" json:"-"`
	SourceArnPrefix    string `querystring:"sourceArnPrefix" json:"-"`
	Limit              int    `querystring:"limit" json:"-"`
	NextToken          string `querystring:"nextToken" json:"-"`
}

type tagsIn struct {
	ResourceArn string            `uri:"ResourceArn" json:"-"`
	Tags        map[string]string `json:"tags"`
	TagKeys     []string          `querystring:"tagKeys" json:"-"`
}

type tagsOut struct {
	Tags map[string]string `json:"tags"`
}

type policyIn struct {
	RegistryName string  `querystring:"registryName" json:"-"`
	Policy       *string `json:"Policy"`
	RevisionID   string  `json:"RevisionId"`
}
