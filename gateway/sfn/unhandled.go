package sfn

import "github.com/signalbox/signalbox/integrations"

// Task states whose resource no integration serves fail at run time with
// integrations.ErrNoIntegration (States.TaskFailed, which Retry and Catch
// handle). ValidateStateMachineDefinition reports them as diagnostics of
// severity WARNING (asked for with severity WARNING, as AWS returns
// warnings); CreateStateMachine and UpdateStateMachine, whose answers have
// no place for warnings in AWS's shape, write one log line each.

// codeUnhandledResource is the code of the warning.
const codeUnhandledResource = "UNHANDLED_TASK_RESOURCE"

// unhandledDiagnostics appends the warnings of definition to diags, up to
// limit diagnostics in all; truncated is set when some did not fit.
func (s *API) unhandledDiagnostics(definition string, diags []validationDiagnostic, limit int) (_ []validationDiagnostic, truncated bool) {
	for _, r := range s.unhandled(definition) {
		if len(diags) == limit {
			return diags, true
		}
		diags = append(diags, validationDiagnostic{Severity: "WARNING", Code: codeUnhandledResource, Message: r.UnhandledMessage(), Location: r.Path})
	}
	return diags, false
}

// warnUnhandled logs a warning for each unhandled Task resource of the
// definition of the state machine arn.
func (s *API) warnUnhandled(arn, definition string) {
	for _, r := range s.unhandled(definition) {
		s.opts.Logger.Warn(r.UnhandledMessage(), "stateMachine", arn, "location", r.Path, "code", codeUnhandledResource)
	}
}

func (s *API) unhandled(definition string) []integrations.TaskResource {
	if s.opts.Integrations == nil {
		return nil
	}
	return s.opts.Integrations.Unhandled([]byte(definition))
}
