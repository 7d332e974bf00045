package main

import (
	"context"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// serveAddressSpace is the address space `serve` runs in for the memory
// tests: Go's runtime does not start in 1 GiB (its heap reservations), and
// at 2 GiB its arenas and the garbage GOGC=400 lets pile up between
// collections left too little room on a loaded machine. Before the
// bounds, these requests took the process to 14-21 GB.
const serveAddressSpace = 4 << 30

// Hostile executions answer with AWS's errors, and the server, under a
// memory limit, stays up and answers health: findings 1 and 2 of M5.
func TestServeSurvivesHostileExecutionsUnderAMemoryLimit(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit is not installed")
	}
	s := startServeUnder(t, []string{"prlimit", "--as=" + strconv.Itoa(serveAddressSpace), "--"})
	client := sfnAPIClient(s.URL)
	ctx := context.Background()
	create := func(name, typ, def string) string {
		out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def),
			RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), Type: types.StateMachineType(typ)})
		require.NoError(t, err, name)
		return aws.ToString(out.StateMachineArn)
	}
	doubling := create("doubling", "EXPRESS", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass",
		"Output":"{% ($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f('ab', 40))) %}","End":true}}}`)
	var format strings.Builder
	format.WriteString(`{"StartAt":"S0","States":{`)
	for i := range 30 {
		next := `"Next":"S` + strconv.Itoa(i+1) + `"`
		if i == 29 {
			next = `"End":true`
		}
		format.WriteString(`"S` + strconv.Itoa(i) + `":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}{}', $.s, $.s)"},` + next + `},`)
	}
	formatDef := strings.TrimSuffix(format.String(), ",") + `}}`
	formatting := create("formatting", "EXPRESS", formatDef)
	items := create("items", "STANDARD", `{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% [1..1000000] %}",
		"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`)

	// Forty doubling evaluations at once took serve to 14-21 GB.
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(doubling)})
			if err != nil {
				errs <- err.Error()
				return
			}
			errs <- string(out.Status) + " " + aws.ToString(out.Error)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		require.Equal(t, "FAILED States.QueryEvaluationError", e)
	}

	out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(formatting), Input: aws.String(`{"s":"ab"}`)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusFailed, out.Status)
	require.Equal(t, "States.DataLimitExceeded", aws.ToString(out.Error))

	for range 2 { // the second Map crashed the process
		started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(items)})
		require.NoError(t, err)
		desc := awaitExecution(t, s, client, aws.ToString(started.ExecutionArn), types.ExecutionStatusFailed)
		require.Equal(t, "States.DataLimitExceeded", aws.ToString(desc.Error))
	}

	resp, err := http.Get(s.URL + "/api/v1/health")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
