package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// examples/approval, end to end as its signalbox.yaml says to run it: a
// real `signalbox serve` on the example's file (its queue created at
// start), the example's consumer built and run as a program (the AWS SDK
// for Go's SQS and Step Functions clients: ReceiveMessage with long
// polling, SendTaskSuccess or SendTaskFailure, DeleteMessage), and two
// orders started through the file's route. The queue gauges of /metrics
// count the two messages waiting, then none, and its counters two sent,
// received and deleted; both executions succeed with
// the consumer's answers, and each message carried its execution's trace.
func TestExampleApproval(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join(repoRoot, "examples", "approval"))
	require.NoError(t, err)
	s := startServe(t, "--config", filepath.Join(dir, "signalbox.yaml"))
	require.Contains(t, s.WaitLog(t, "msg=serving"), "queue created approvals")

	traces := map[string]string{
		"o-1": "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01",
		"o-2": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
	}
	arns := map[string]string{}
	for order, amount := range map[string]int{"o-1": 250, "o-2": 5000} {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/orders", strings.NewReader(`{"order":"`+order+`","amount":`+itoa(amount)+`}`))
		require.NoError(t, err)
		req.Header.Set("traceparent", traces[order])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var started struct{ ExecutionArn string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&started))
		resp.Body.Close()
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
		arns[order] = started.ExecutionArn
	}

	// both requests wait in the queue (the queue gauges say so) before
	// the consumer starts
	safety := time.Now().Add(30 * time.Second) // a net against a hang, not a synchronisation
	for metricValue(t, scrape(t, s.URL), `signalbox_queue_depth{queue="approvals",state="visible"}`) < 2 {
		require.True(t, time.Now().Before(safety), "the requests never reached the queue; the server's log:\n%s", s.Log())
	}
	require.Regexp(t, `(?m)^signalbox_queue_oldest_message_age_seconds\{[^}]*queue="approvals"[^}]*\} `, scrape(t, s.URL), "the age gauge is served")

	bin := filepath.Join(t.TempDir(), "consumer")
	build := exec.Command("go", "build", "-o", bin, "./consumer")
	build.Dir = dir
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var stdout, stderr bytes.Buffer
	consumer := exec.Command(bin, "--endpoint", s.URL, "--max", "2")
	consumer.Stdout, consumer.Stderr = &stdout, &stderr
	require.NoError(t, consumer.Start())
	exited := make(chan error, 1)
	go func() { exited <- consumer.Wait() }()
	t.Cleanup(func() { _ = consumer.Process.Kill() })

	select {
	case err := <-exited:
		require.NoError(t, err, "the consumer failed: %s", stderr.String())
	case <-time.After(60 * time.Second): // a net against a hang, not a synchronisation
		t.Fatalf("the consumer did not answer two messages within 60 s; it wrote %q %q; the server's log:\n%s", stdout.String(), stderr.String(), s.Log())
	}
	lines := stdout.String()
	require.Contains(t, lines, "approved o-1 (trace Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1)")
	require.Contains(t, lines, "rejected o-2 (trace Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=")

	after := scrape(t, s.URL)
	require.Zero(t, metricValue(t, after, `signalbox_queue_depth{queue="approvals",state="visible"}`))
	require.Zero(t, metricValue(t, after, `signalbox_queue_depth{queue="approvals",state="in_flight"}`), "deleted")
	for _, op := range []string{"send", "receive", "delete"} {
		require.Equal(t, 2.0, metricValue(t, after, `signalbox_queue_messages_total{operation="`+op+`",queue="approvals"}`), op)
	}
	client := sfnAPIClient(s.URL)
	desc := awaitExecution(t, s, client, arns["o-1"], types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"order":"o-1","status":"approved","by":"consumer"}`, *desc.Output)
	desc = awaitExecution(t, s, client, arns["o-2"], types.ExecutionStatusSucceeded)
	require.JSONEq(t, `{"order":"o-2","status":"rejected","reason":"5000 is over the limit of 1000"}`, *desc.Output)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
