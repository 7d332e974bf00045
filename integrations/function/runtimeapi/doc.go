// Package runtimeapi runs the functions whose Config.Executable is set: a
// pool of sandboxes, each one OS process that implements the AWS Lambda
// Runtime API (version 2018-06-01), so that a handler built with
// github.com/aws/aws-lambda-go, or any custom runtime's bootstrap, runs
// unchanged. Pool implements function.Invoker.
//
// # Sandboxes
//
// A sandbox is one process started with Lambda's environment
// (AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_RUNTIME_API, LAMBDA_TASK_ROOT,
// _HANDLER, AWS_REGION, TZ=:UTC, ..., then the function's variables) in
// its own process group, and its own Runtime API endpoint: a loopback
// listener on a port of its own, which AWS_LAMBDA_RUNTIME_API names.
// A port per sandbox, not one listener routing by path: the variable is a
// host:port (runtimes build http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/...
// and several parse it as an authority, so a path prefix would break
// them), and a sandbox's requests then name it by the connection alone,
// so one process can never answer another's invocation. It costs a file
// descriptor and a goroutine per sandbox.
//
// A sandbox runs one invocation at a time, as Lambda's do. The pool
// keeps the sandboxes of each function version: an invocation takes an
// idle one (a warm start; the most recently used first, so the others
// idle out), else starts a new one (a cold start), up to the function's
// ReservedConcurrency when it is 0 or more, and always within the
// pool-wide bound Options.MaxSandboxes (DefaultMaxSandboxes). When the
// pool is full, another function's idle sandbox is stopped to make room.
// Beyond the bounds an invocation waits, until its deadline (the caller's
// Invocation.Deadline, else the function's Timeout from the call), and
// then fails with Lambda.TooManyRequestsException. Lambda throttles at
// once; Signalbox waits because its callers are Map states and fan-outs
// that would otherwise turn a burst into a storm of retries, and the wait
// is bounded by the function's own timeout. A ReservedConcurrency of 0
// throttles at once, as Lambda does.
//
// A sandbox idle for Options.IdleTimeout is stopped; one whose process
// exits (a crash, a panic in aws-lambda-go, a timeout's kill) is
// forgotten, and the next invocation starts a new one. A function whose
// configuration changes (another RevisionID, code or environment) gets
// new sandboxes; the old ones stop when their invocation ends.
//
// # Invocations
//
// An invocation is handed to the sandbox when its runtime asks for
// GET /runtime/invocation/next, with the headers Lambda-Runtime-Aws-Request-Id,
// Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn,
// Lambda-Runtime-Trace-Id (an X-Ray trace header made from the
// invocation's W3C traceparent, which runtimes copy into _X_AMZN_TRACE_ID),
// Lambda-Runtime-Client-Context (the ClientContext decoded), and, an
// extension of ours, the W3C "traceparent" and "tracestate" headers as
// the invocation carries them. Its deadline is Invocation.Deadline when
// set, else the moment it is handed over plus the function's Timeout
// (3 s by default; a cold start's init is not counted, as on Lambda, but
// is bounded by Options.InitTimeout, 10 s by default). A caller that sets
// the Deadline (the function package's Dispatcher does, from the
// Timeout) counts the wait for a sandbox and a cold start in it: an
// invocation whose deadline passes before its sandbox takes it answers
// Sandbox.Timedout without disturbing the sandbox.
//
// What the invocation returns, as Lambda's Invoke answers it:
//   - POST .../{id}/response: the payload (at most 6,291,556 bytes; more
//     answers the runtime 413 RequestEntityTooLarge and the invocation
//     fails with Function.ResponseSizeTooLarge);
//   - POST .../{id}/error: FunctionError "Unhandled" and the error
//     document the runtime posted ({"errorMessage","errorType",
//     "stackTrace"}), or one made from the Lambda-Runtime-Function-Error-Type
//     header when the body is not a JSON object;
//   - the deadline passes: the process group is killed, and the result is
//     Sandbox.Timedout, "RequestId: <id> Error: Task timed out after N.NN
//     seconds";
//   - the process exits: Runtime.ExitError, "RequestId: <id> Error: Runtime
//     exited with error: exit status N" (or "... without providing a
//     reason" when it exited with 0);
//   - init fails (POST /runtime/init/error, or the process exits before
//     asking for an invocation): the error the runtime posted, else
//     Runtime.ExitError; an init longer than InitTimeout is killed and
//     answers Sandbox.Timedout ("... Init timed out after N.NN seconds");
//     an executable that cannot be started: Runtime.InvalidEntrypoint.
//
// These are all Results with FunctionError "Unhandled", as Lambda's
// Invoke returns them (status 200, X-Amz-Function-Error: Unhandled), so
// a Task state's error is the document's errorType. An error (a
// *function.Error) is a failure to run the function at all:
// Lambda.TooManyRequestsException, Lambda.RequestTooLargeException,
// Lambda.InvalidRequestContentException (a bad ClientContext),
// Lambda.ServiceException (the pool is closed, a listener cannot be
// opened); or the context's error when the caller gives up (the
// invocation then runs on to its end in the background, as on Lambda).
//
// Not supported (answered 404 with a JSON error): the Extensions API,
// the Telemetry and Logs APIs. A response streamed by the runtime is read
// whole, within the same limit. Lambda-Runtime-Cognito-Identity is never
// sent (there is no Cognito), and Lambda-Runtime-Invoked-Function-Arn
// names the version that runs, not an alias the caller used.
//
// The processes' stdout and stderr go to Options.Logger, a record per
// line (at most MaxLogLine bytes; longer lines are cut and marked), with
// the function's name, version and the process id.
//
// Bounds: an event of at most MaxPayloadSize bytes, a response or error
// document of at most MaxResponseSize, a ClientContext of at most
// MaxClientContext, request headers of at most 64 KiB and MaxConnections
// connections per sandbox. On Linux a sandbox's process also gets
// SIGKILL when Signalbox's process dies (PR_SET_PDEATHSIG), so a killed
// server leaves no function running; a process that leaves its group
// (setsid) and outlives its parent is beyond the pool's reach.
package runtimeapi
