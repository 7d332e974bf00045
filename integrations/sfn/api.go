// Package sfn is the nested-execution integration: the Task resources
// arn:aws:states:::states:startExecution, .sync, .sync:2 and
// .waitForTaskToken, which start an execution of another state machine
// through the Host (integrations.Host) and, for .sync, wait for it to end.
//
// CONTRACT (session 10): package placeholder; the helper building it
// writes the package.
package sfn
