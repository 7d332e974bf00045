// Package httptask is the HTTP Task: the Task resource
// arn:aws:states:::http:invoke, which calls an HTTP API, as AWS Step
// Functions documents it in "Call HTTPS APIs in Step Functions workflows".
//
// Parameters (all validated before anything is sent; a bad one fails the
// task with States.Runtime and a cause naming the field):
//
//   - ApiEndpoint (required): an http or https URL. AWS calls https only;
//     Signalbox also calls plain http, for services on a private network.
//   - Method (required): GET, POST, PUT, DELETE, PATCH, OPTIONS or HEAD.
//   - Headers: an object of header values (strings, numbers, booleans, or
//     arrays of them for a repeated header). The headers AWS refuses are
//     refused here too, with States.Runtime: A-IM, Accept-Charset,
//     Accept-Datetime, Accept-Encoding, Authorization, Cache-Control,
//     Connection, Content-Encoding, Content-MD5, Date, Expect, Forwarded,
//     From, Host, HTTP2-Settings, If-Match, If-Modified-Since,
//     If-None-Match, If-Range, If-Unmodified-Since, Max-Forwards, Origin,
//     Pragma, Proxy-Authorization, Referer, Server, TE, Trailer,
//     Transfer-Encoding, Upgrade, Via, Warning, and any x-forwarded-*,
//     x-amz-* or x-amzn-* header.
//   - QueryParameters: an object whose values (scalars, or arrays of
//     scalars for a repeated key) are appended to the endpoint's query.
//   - RequestBody: any JSON value. It is sent as JSON (Content-Type
//     application/json; charset=UTF-8 unless Headers names one), except a
//     string, which is sent as it is (text/plain; charset=UTF-8 by default).
//   - Transform.RequestBodyEncoding: NONE (the default) or URL_ENCODED,
//     which sends an object RequestBody as application/x-www-form-urlencoded:
//     nested objects as key[field]=value, and arrays as
//     Transform.RequestEncodingOptions.ArrayFormat says, for
//     {"array":["a","b"]}: INDICES (the default) array[0]=a&array[1]=b,
//     BRACKETS array[]=a&array[]=b, REPEAT array=a&array=b, COMMAS array=a,b.
//   - Authentication.ConnectionArn (also accepted as
//     InvocationConfig.ConnectionArn): AWS takes an API's credentials from
//     an EventBridge connection, and requires one. The connection is the
//     bus router's (Options.Connections): its API key, basic or OAuth
//     credentials and its invocation parameters (headers and query string,
//     winning over the task's; body parameters merged into an object
//     body) go with the call. A connection that does not exist fails the
//     task with Events.ConnectionResource.ResourceNotFound, one that cannot
//     authorize (deauthorized, its OAuth token refused) with
//     Events.ConnectionResource.InvalidConnectionState, before any call. A
//     task without a connection is accepted and calls the endpoint as it
//     is (AWS requires one).
//
// The task's result is the response, as in AWS:
//
//	{"Headers": {"content-type": ["application/json"], ...},
//	 "ResponseBody": {...},
//	 "StatusCode": 200,
//	 "StatusText": "OK"}
//
// Header names are lower-case, each with the list of its values.
// ResponseBody is the decoded JSON when the response's Content-Type is JSON
// (application/json or +json) and the body parses, and the body's text
// otherwise. A response over 256 KiB fails with States.DataLimitExceeded.
// Binary responses (application/octet-stream, image/*, audio/*, video/*)
// are not supported, as in AWS: a successful one fails with States.Runtime,
// and a failed one is reported with an empty ResponseBody.
//
// A response whose status is not 2xx fails the task with
// States.Http.StatusCode.<code> (for instance States.Http.StatusCode.503,
// which Retry and Catch match), with the response above, as JSON, for
// cause.
//
// Time: a call is bounded by the Task's TimeoutSeconds (the runtime cancels
// its context; the task fails with States.Timeout) and, as AWS bounds an
// HTTP Task, by Options.Timeout (60 seconds by default), past which it
// fails with States.Http.Socket. An endpoint that cannot be reached fails
// with States.TaskFailed and the network error as cause.
//
// Idempotency (a Signalbox extension): every request carries the header
//
//	X-Signalbox-Idempotency-Key: <key>
//
// whose key is the same for every delivery of one attempt of the task (the
// runtime calls tasks at least once: a worker that dies after sending the
// request and before recording the response has the call made again) and
// differs between attempts, so an API can recognise a redelivered call and
// answer it as it answered the first. Headers may not set it.
package httptask
