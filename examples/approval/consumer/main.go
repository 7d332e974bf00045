// Command consumer is the approval example's worker, written as one is for
// AWS, with the AWS SDK for Go v2: it long-polls the approvals queue
// (ReceiveMessage), answers each message's task token (SendTaskSuccess
// with the approval, or SendTaskFailure with OrderRejected), then deletes
// the message. Against Signalbox only the endpoint differs:
//
//	go run ./examples/approval/consumer --endpoint http://127.0.0.1:8080
//
// It prints one line per message it answers, with the trace the message
// came with (its AWSTraceHeader), and runs until interrupted, or until it
// answered --max messages.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func main() {
	endpoint := flag.String("endpoint", envOr("SIGNALBOX_ENDPOINT", "http://127.0.0.1:8080"), "Signalbox's URL (SQS and Step Functions)")
	queue := flag.String("queue", "approvals", "the queue to consume")
	limit := flag.Float64("limit", 1000, "approve orders up to this amount, reject the others")
	max := flag.Int("max", 0, "exit after answering this many messages (0: run until interrupted)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := newConsumer(*endpoint, *limit, os.Stdout)
	if err := c.run(ctx, *queue, *max); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// consumer answers approval requests.
type consumer struct {
	sqs   *sqs.Client
	sfn   *sfn.Client
	limit float64
	out   io.Writer
}

func newConsumer(endpoint string, limit float64, out io.Writer) *consumer {
	cfg := aws.Config{
		Region: "us-east-1",
		// Signalbox without credentials in its configuration takes any
		// signature; with them, these must be one of its access keys.
		Credentials: credentials.NewStaticCredentialsProvider(envOr("AWS_ACCESS_KEY_ID", "signalbox"), envOr("AWS_SECRET_ACCESS_KEY", "signalbox"), ""),
	}
	return &consumer{
		sqs:   sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		sfn:   sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.BaseEndpoint = aws.String(endpoint) }),
		limit: limit,
		out:   out,
	}
}

// request is the message body the state machine sends.
type request struct {
	TaskToken string  `json:"TaskToken"`
	Order     string  `json:"order"`
	Amount    float64 `json:"amount"`
}

// run consumes the queue until ctx ends or max messages are answered.
func (c *consumer) run(ctx context.Context, queue string, max int) error {
	q, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queue)})
	if err != nil {
		return fmt.Errorf("the queue %s: %w", queue, err)
	}
	for answered := 0; max == 0 || answered < max; {
		res, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    q.QueueUrl,
			MaxNumberOfMessages:         10,
			WaitTimeSeconds:             20, // long polling: an empty answer only after 20 s
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAWSTraceHeader},
		})
		if err != nil {
			return fmt.Errorf("receiving: %w", err)
		}
		for _, m := range res.Messages {
			if err := c.answer(ctx, m); err != nil {
				return err
			}
			// answered (or its task is gone): the message is done
			if _, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return fmt.Errorf("deleting: %w", err)
			}
			answered++
		}
	}
	return nil
}

// answer completes the task of one message.
func (c *consumer) answer(ctx context.Context, m types.Message) error {
	var req request
	if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &req); err != nil || req.TaskToken == "" {
		fmt.Fprintf(c.out, "skipped %s: not an approval request\n", aws.ToString(m.MessageId))
		return nil
	}
	trace := m.Attributes[string(types.MessageSystemAttributeNameAWSTraceHeader)]
	var err error
	verdict := "approved"
	if req.Amount <= c.limit {
		output, _ := json.Marshal(map[string]any{"approved": true, "by": "consumer", "limit": c.limit})
		_, err = c.sfn.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(req.TaskToken), Output: aws.String(string(output))})
	} else {
		verdict = "rejected"
		_, err = c.sfn.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(req.TaskToken),
			Error: aws.String("OrderRejected"), Cause: aws.String(fmt.Sprintf("%v is over the limit of %v", req.Amount, c.limit))})
	}
	var gone *sfntypes.TaskTimedOut
	var missing *sfntypes.TaskDoesNotExist
	switch {
	case errors.As(err, &gone) || errors.As(err, &missing):
		verdict = "too late for" // the task timed out, or its execution ended
	case err != nil:
		return fmt.Errorf("answering %s: %w", req.Order, err)
	}
	fmt.Fprintf(c.out, "%s %s (trace %s)\n", verdict, req.Order, trace)
	return nil
}
