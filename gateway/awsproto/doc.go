// Package awsproto is the AWS wire protocols every service of the gateway
// speaks, so that the official SDKs and the AWS CLI work against Signalbox
// with only an endpoint override:
//
//   - AWS JSON 1.0 and 1.1 (json.go): POST / with X-Amz-Target:
//     <prefix>.<Action> and a JSON body, dispatched through a service's
//     action table (Step Functions, EventBridge);
//   - the query protocol (query.go): a form-encoded Action=...&Version=...
//     body, answered in XML (SNS, SQS's older clients);
//   - REST-JSON (restjson.go): the operation in the method and path, its
//     members in the path, query, headers and a JSON body (Schemas, Lambda);
//   - Signature Version 4 verification (sigv4.go), on the SDK's signer;
//   - AWS's error shapes and status codes (errors.go), one per protocol.
//
// It knows no service: each service package (gateway/sfn, ...) registers
// its actions and its exceptions, and calls the runtime.
package awsproto
