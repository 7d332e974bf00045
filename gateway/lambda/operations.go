package lambda

import (
	"context"
	"net/http"
	"strings"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/function"
)

// Bounds of a request's body. Most operations' bodies are small JSON
// documents; CreateFunction and UpdateFunctionCode carry a package of up
// to 50 MB, base64 (4/3 of it) inside JSON; Invoke's body is the event,
// at most 6 MB (function.MaxSyncPayload's value: Lambda's quota).
const (
	maxBody        = 1 << 20
	maxCodeBody    = function.MaxZipBytes*4/3 + 1<<20
	maxSyncPayload = 6 << 20
	// maxAsyncPayload is an Event invocation's largest event (Lambda's
	// quota, 256 KB).
	maxAsyncPayload = 256 << 10
	// maxClientContext is the longest ClientContext, decoded.
	maxClientContext = 3583
)

// op adapts a handler of a typed request to an operation: the request
// decoded by its uri, querystring and json tags, the handler given the
// service. Each operation is one row of routes: its method, name, path,
// status and the service's call.
func op[In any](status int, f func(fs Functions, ctx context.Context, in *In) (any, error)) operation {
	return func(s *API, ctx context.Context, r *http.Request, path map[string]string, body []byte) (*reply, error) {
		in := new(In)
		if err := awsproto.DecodeREST(r, path, body, in); err != nil {
			return nil, err
		}
		out, err := f(s.opts.Functions, ctx, in)
		if err != nil {
			return nil, err
		}
		return &reply{status: status, out: out}, nil
	}
}

// unsupported are the operations Signalbox does not implement, and why.
var unsupported = map[string]string{
	"AddPermission":                      "resource-based policies (the gateway's credentials decide who may call)",
	"GetPolicy":                          "resource-based policies",
	"RemovePermission":                   "resource-based policies",
	"CreateEventSourceMapping":           "event source mappings (subscribe the function to a topic, or target it from a rule)",
	"ListEventSourceMappings":            "event source mappings",
	"GetEventSourceMapping":              "event source mappings",
	"UpdateEventSourceMapping":           "event source mappings",
	"DeleteEventSourceMapping":           "event source mappings",
	"CreateFunctionUrlConfig":            "function URLs (route to the function with a user route)",
	"GetFunctionUrlConfig":               "function URLs",
	"UpdateFunctionUrlConfig":            "function URLs",
	"DeleteFunctionUrlConfig":            "function URLs",
	"ListFunctionUrlConfigs":             "function URLs",
	"PutFunctionEventInvokeConfig":       "asynchronous invocation configuration (retries, destinations)",
	"GetFunctionEventInvokeConfig":       "asynchronous invocation configuration",
	"UpdateFunctionEventInvokeConfig":    "asynchronous invocation configuration",
	"DeleteFunctionEventInvokeConfig":    "asynchronous invocation configuration",
	"ListFunctionEventInvokeConfigs":     "asynchronous invocation configuration",
	"PutProvisionedConcurrencyConfig":    "provisioned concurrency",
	"GetProvisionedConcurrencyConfig":    "provisioned concurrency",
	"DeleteProvisionedConcurrencyConfig": "provisioned concurrency",
	"ListProvisionedConcurrencyConfigs":  "provisioned concurrency",
	"ListLayers":                         "layers (put what a layer holds into the deployment package)",
	"ListLayerVersions":                  "layers",
	"PublishLayerVersion":                "layers",
	"GetLayerVersion":                    "layers",
	"DeleteLayerVersion":                 "layers",
	"InvokeAsync":                        "InvokeAsync, deprecated (use Invoke with InvocationType Event)",
	"InvokeWithResponseStream":           "response streaming",
	"GetAccountSettings":                 "account settings",
	"ListCodeSigningConfigs":             "code signing",
	"GetFunctionCodeSigningConfig":       "code signing",
	"GetFunctionRecursionConfig":         "recursion detection",
	"GetRuntimeManagementConfig":         "runtime management",
}

// unsupportedOp answers an operation Signalbox does not implement.
func unsupportedOp(name string) operation {
	return func(*API, context.Context, *http.Request, map[string]string, []byte) (*reply, error) {
		return nil, &function.APIError{Code: function.CodeInvalidParameter, Status: http.StatusBadRequest,
			Message: "not supported by Signalbox: the Lambda operation " + name + " is not implemented (" + unsupported[name] + ")"}
	}
}

const (
	pFunctions = "2015-03-31/functions"
	pFunction  = pFunctions + "/{FunctionName}"
	pAliases   = pFunction + "/aliases"
	pTags      = "2017-03-31/tags/{Resource}"
	pLayers    = "2018-10-31/layers"
)

type fnIn struct {
	FunctionName string `uri:"FunctionName" json:"-"`
	Qualifier    string `querystring:"Qualifier" json:"-"`
}

type listIn struct {
	FunctionName    string `uri:"FunctionName" json:"-"`
	Marker          string `querystring:"Marker" json:"-"`
	MaxItems        int    `querystring:"MaxItems" json:"-"`
	FunctionVersion string `querystring:"FunctionVersion" json:"-"`
	MasterRegion    string `querystring:"MasterRegion" json:"-"`
}

type updateCodeIn struct {
	FunctionName string `uri:"FunctionName" json:"-"`
	function.UpdateFunctionCodeInput
}

type updateConfigIn struct {
	FunctionName string `uri:"FunctionName" json:"-"`
	function.UpdateFunctionConfigurationInput
}

type publishIn struct {
	FunctionName string `uri:"FunctionName" json:"-"`
	function.PublishVersionInput
}

type aliasIn struct {
	FunctionName string `uri:"FunctionName" json:"-"`
	AliasName    string `uri:"Name" json:"-"`
	function.AliasInput
}

type concurrencyIn struct {
	FunctionName                 string `uri:"FunctionName" json:"-"`
	ReservedConcurrentExecutions *int   `json:"ReservedConcurrentExecutions"`
}

type tagsIn struct {
	Resource string            `uri:"Resource" json:"-"`
	Tags     map[string]string `json:"Tags"`
	TagKeys  []string          `querystring:"tagKeys" json:"-"`
}

type tagsOut struct {
	Tags map[string]string `json:"Tags"`
}

var routes = []route{
	{http.MethodPost, "CreateFunction", split(pFunctions), maxCodeBody, op(http.StatusCreated, func(fs Functions, ctx context.Context, in *function.CreateFunctionInput) (any, error) {
		in.ReservedConcurrency = nil
		return fs.CreateFunction(ctx, in)
	})},
	{http.MethodGet, "ListFunctions", split(pFunctions), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *listIn) (any, error) {
		if in.MasterRegion != "" {
			return nil, unsupportedMember("MasterRegion (Lambda@Edge)")
		}
		return fs.ListFunctions(ctx, in.Marker, in.MaxItems, in.FunctionVersion)
	})},
	{http.MethodGet, "GetFunction", split(pFunction), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *fnIn) (any, error) {
		return fs.GetFunction(ctx, in.FunctionName, in.Qualifier)
	})},
	{http.MethodDelete, "DeleteFunction", split(pFunction), 0, op(http.StatusNoContent, func(fs Functions, ctx context.Context, in *fnIn) (any, error) {
		return nil, fs.DeleteFunction(ctx, in.FunctionName, in.Qualifier)
	})},
	{http.MethodGet, "GetFunctionConfiguration", split(pFunction + "/configuration"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *fnIn) (any, error) {
		return fs.GetFunctionConfiguration(ctx, in.FunctionName, in.Qualifier)
	})},
	{http.MethodPut, "UpdateFunctionConfiguration", split(pFunction + "/configuration"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *updateConfigIn) (any, error) {
		in.UpdateFunctionConfigurationInput.FunctionName = in.FunctionName
		return fs.UpdateFunctionConfiguration(ctx, &in.UpdateFunctionConfigurationInput)
	})},
	{http.MethodPut, "UpdateFunctionCode", split(pFunction + "/code"), maxCodeBody, op(http.StatusOK, func(fs Functions, ctx context.Context, in *updateCodeIn) (any, error) {
		in.UpdateFunctionCodeInput.FunctionName = in.FunctionName
		return fs.UpdateFunctionCode(ctx, &in.UpdateFunctionCodeInput)
	})},
	{http.MethodPost, "PublishVersion", split(pFunction + "/versions"), 0, op(http.StatusCreated, func(fs Functions, ctx context.Context, in *publishIn) (any, error) {
		in.PublishVersionInput.FunctionName = in.FunctionName
		return fs.PublishVersion(ctx, &in.PublishVersionInput)
	})},
	{http.MethodGet, "ListVersionsByFunction", split(pFunction + "/versions"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *listIn) (any, error) {
		return fs.ListVersionsByFunction(ctx, in.FunctionName, in.Marker, in.MaxItems)
	})},
	{http.MethodPost, "CreateAlias", split(pAliases), 0, op(http.StatusCreated, func(fs Functions, ctx context.Context, in *aliasIn) (any, error) {
		in.AliasInput.FunctionName = in.FunctionName
		return fs.CreateAlias(ctx, &in.AliasInput)
	})},
	{http.MethodGet, "ListAliases", split(pAliases), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *listIn) (any, error) {
		return fs.ListAliases(ctx, in.FunctionName, in.FunctionVersion, in.Marker, in.MaxItems)
	})},
	{http.MethodGet, "GetAlias", split(pAliases + "/{Name}"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *aliasIn) (any, error) {
		return fs.GetAlias(ctx, in.FunctionName, in.AliasName)
	})},
	{http.MethodPut, "UpdateAlias", split(pAliases + "/{Name}"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *aliasIn) (any, error) {
		in.AliasInput.FunctionName, in.AliasInput.Name = in.FunctionName, in.AliasName
		return fs.UpdateAlias(ctx, &in.AliasInput)
	})},
	{http.MethodDelete, "DeleteAlias", split(pAliases + "/{Name}"), 0, op(http.StatusNoContent, func(fs Functions, ctx context.Context, in *aliasIn) (any, error) {
		return nil, fs.DeleteAlias(ctx, in.FunctionName, in.AliasName)
	})},
	{http.MethodPost, "Invoke", split(pFunction + "/invocations"), maxSyncPayload, invoke},
	{http.MethodPut, "PutFunctionConcurrency", split("2017-10-31/functions/{FunctionName}/concurrency"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *concurrencyIn) (any, error) {
		return fs.PutFunctionConcurrency(ctx, in.FunctionName, in.ReservedConcurrentExecutions)
	})},
	{http.MethodDelete, "DeleteFunctionConcurrency", split("2017-10-31/functions/{FunctionName}/concurrency"), 0, op(http.StatusNoContent, func(fs Functions, ctx context.Context, in *fnIn) (any, error) {
		return nil, fs.DeleteFunctionConcurrency(ctx, in.FunctionName)
	})},
	{http.MethodGet, "GetFunctionConcurrency", split("2019-09-30/functions/{FunctionName}/concurrency"), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *fnIn) (any, error) {
		return fs.GetFunctionConcurrency(ctx, in.FunctionName)
	})},
	{http.MethodPost, "TagResource", split(pTags), 0, op(http.StatusNoContent, func(fs Functions, ctx context.Context, in *tagsIn) (any, error) {
		return nil, fs.TagResource(ctx, in.Resource, in.Tags)
	})},
	{http.MethodGet, "ListTags", split(pTags), 0, op(http.StatusOK, func(fs Functions, ctx context.Context, in *tagsIn) (any, error) {
		tags, err := fs.ListTags(ctx, in.Resource)
		if err != nil {
			return nil, err
		}
		return &tagsOut{Tags: tags}, nil
	})},
	{http.MethodDelete, "UntagResource", split(pTags), 0, op(http.StatusNoContent, func(fs Functions, ctx context.Context, in *tagsIn) (any, error) {
		return nil, fs.UntagResource(ctx, in.Resource, in.TagKeys)
	})},

	{http.MethodPost, "AddPermission", split(pFunction + "/policy"), 0, unsupportedOp("AddPermission")},
	{http.MethodGet, "GetPolicy", split(pFunction + "/policy"), 0, unsupportedOp("GetPolicy")},
	{http.MethodDelete, "RemovePermission", split(pFunction + "/policy/{StatementId}"), 0, unsupportedOp("RemovePermission")},
	{http.MethodPost, "CreateEventSourceMapping", split("2015-03-31/event-source-mappings"), 0, unsupportedOp("CreateEventSourceMapping")},
	{http.MethodGet, "ListEventSourceMappings", split("2015-03-31/event-source-mappings"), 0, unsupportedOp("ListEventSourceMappings")},
	{http.MethodGet, "GetEventSourceMapping", split("2015-03-31/event-source-mappings/{UUID}"), 0, unsupportedOp("GetEventSourceMapping")},
	{http.MethodPut, "UpdateEventSourceMapping", split("2015-03-31/event-source-mappings/{UUID}"), 0, unsupportedOp("UpdateEventSourceMapping")},
	{http.MethodDelete, "DeleteEventSourceMapping", split("2015-03-31/event-source-mappings/{UUID}"), 0, unsupportedOp("DeleteEventSourceMapping")},
	{http.MethodPost, "CreateFunctionUrlConfig", split("2021-10-31/functions/{FunctionName}/url"), 0, unsupportedOp("CreateFunctionUrlConfig")},
	{http.MethodGet, "GetFunctionUrlConfig", split("2021-10-31/functions/{FunctionName}/url"), 0, unsupportedOp("GetFunctionUrlConfig")},
	{http.MethodPut, "UpdateFunctionUrlConfig", split("2021-10-31/functions/{FunctionName}/url"), 0, unsupportedOp("UpdateFunctionUrlConfig")},
	{http.MethodDelete, "DeleteFunctionUrlConfig", split("2021-10-31/functions/{FunctionName}/url"), 0, unsupportedOp("DeleteFunctionUrlConfig")},
	{http.MethodGet, "ListFunctionUrlConfigs", split("2021-10-31/functions/{FunctionName}/urls"), 0, unsupportedOp("ListFunctionUrlConfigs")},
	{http.MethodPut, "PutFunctionEventInvokeConfig", split("2019-09-25/functions/{FunctionName}/event-invoke-config"), 0, unsupportedOp("PutFunctionEventInvokeConfig")},
	{http.MethodGet, "GetFunctionEventInvokeConfig", split("2019-09-25/functions/{FunctionName}/event-invoke-config"), 0, unsupportedOp("GetFunctionEventInvokeConfig")},
	{http.MethodPost, "UpdateFunctionEventInvokeConfig", split("2019-09-25/functions/{FunctionName}/event-invoke-config"), 0, unsupportedOp("UpdateFunctionEventInvokeConfig")},
	{http.MethodDelete, "DeleteFunctionEventInvokeConfig", split("2019-09-25/functions/{FunctionName}/event-invoke-config"), 0, unsupportedOp("DeleteFunctionEventInvokeConfig")},
	{http.MethodGet, "ListFunctionEventInvokeConfigs", split("2019-09-25/functions/{FunctionName}/event-invoke-config/list"), 0, unsupportedOp("ListFunctionEventInvokeConfigs")},
	{http.MethodPut, "PutProvisionedConcurrencyConfig", split("2019-09-30/functions/{FunctionName}/provisioned-concurrency"), 0, unsupportedOp("PutProvisionedConcurrencyConfig")},
	{http.MethodGet, "GetProvisionedConcurrencyConfig", split("2019-09-30/functions/{FunctionName}/provisioned-concurrency"), 0, unsupportedOp("GetProvisionedConcurrencyConfig")},
	{http.MethodDelete, "DeleteProvisionedConcurrencyConfig", split("2019-09-30/functions/{FunctionName}/provisioned-concurrency"), 0, unsupportedOp("DeleteProvisionedConcurrencyConfig")},
	{http.MethodGet, "ListLayers", split(pLayers), 0, unsupportedOp("ListLayers")},
	{http.MethodGet, "ListLayerVersions", split(pLayers + "/{LayerName}/versions"), 0, unsupportedOp("ListLayerVersions")},
	{http.MethodPost, "PublishLayerVersion", split(pLayers + "/{LayerName}/versions"), 0, unsupportedOp("PublishLayerVersion")},
	{http.MethodGet, "GetLayerVersion", split(pLayers + "/{LayerName}/versions/{VersionNumber}"), 0, unsupportedOp("GetLayerVersion")},
	{http.MethodDelete, "DeleteLayerVersion", split(pLayers + "/{LayerName}/versions/{VersionNumber}"), 0, unsupportedOp("DeleteLayerVersion")},
	{http.MethodPost, "InvokeAsync", split("2014-11-13/functions/{FunctionName}/invoke-async"), 0, unsupportedOp("InvokeAsync")},
	{http.MethodPost, "InvokeWithResponseStream", split("2021-11-15/functions/{FunctionName}/response-streaming-invocations"), 0, unsupportedOp("InvokeWithResponseStream")},
	{http.MethodGet, "GetAccountSettings", split("2016-08-19/account-settings"), 0, unsupportedOp("GetAccountSettings")},
	{http.MethodGet, "ListCodeSigningConfigs", split("2020-04-22/code-signing-configs"), 0, unsupportedOp("ListCodeSigningConfigs")},
	{http.MethodGet, "GetFunctionCodeSigningConfig", split("2020-06-30/functions/{FunctionName}/code-signing-config"), 0, unsupportedOp("GetFunctionCodeSigningConfig")},
	{http.MethodGet, "GetFunctionRecursionConfig", split("2024-08-31/functions/{FunctionName}/recursion-config"), 0, unsupportedOp("GetFunctionRecursionConfig")},
	{http.MethodGet, "GetRuntimeManagementConfig", split("2021-07-20/functions/{FunctionName}/runtime-management-config"), 0, unsupportedOp("GetRuntimeManagementConfig")},
}

func unsupportedMember(what string) error {
	return &function.APIError{Code: function.CodeInvalidParameter, Status: http.StatusBadRequest, Message: "not supported by Signalbox: " + what}
}

func split(p string) []string { return strings.Split(p, "/") }
