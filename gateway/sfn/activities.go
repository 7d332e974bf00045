package sfn

import (
	"context"
	"time"

	"github.com/signalbox/signalbox/runtime"
)

// Step Functions' activity actions: an activity is a queue of tasks that
// workers take with GetActivityTask and answer with SendTask*.

type createActivityInput struct {
	Name                    string                   `json:"name"`
	Tags                    []tag                    `json:"tags"`
	EncryptionConfiguration *encryptionConfiguration `json:"encryptionConfiguration"`
}

type createActivityOutput struct {
	ActivityARN  string `json:"activityArn"`
	CreationDate epoch  `json:"creationDate"`
}

// createActivity creates an activity; as on AWS, creating one that exists
// returns it.
func createActivity(s *API, ctx context.Context, in *createActivityInput) (*createActivityOutput, error) {
	if in.Name == "" {
		return nil, required("name")
	}
	if err := checkConfigurations(nil, in.EncryptionConfiguration); err != nil {
		return nil, err
	}
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	a, err := s.rt().CreateActivity(ctx, in.Name, tags)
	if err != nil {
		return nil, err
	}
	return &createActivityOutput{ActivityARN: a.ARN, CreationDate: at(a.Created)}, nil
}

type activityARNInput struct {
	ActivityARN string `json:"activityArn"`
}

// deleteActivity deletes an activity; as on AWS, deleting one that does
// not exist succeeds.
func deleteActivity(s *API, ctx context.Context, in *activityARNInput) (*empty, error) {
	if in.ActivityARN == "" {
		return nil, required("activityArn")
	}
	return &empty{}, s.rt().DeleteActivity(ctx, in.ActivityARN)
}

type describeActivityOutput struct {
	ActivityARN  string `json:"activityArn"`
	Name         string `json:"name"`
	CreationDate epoch  `json:"creationDate"`
}

func describeActivity(s *API, ctx context.Context, in *activityARNInput) (*describeActivityOutput, error) {
	if in.ActivityARN == "" {
		return nil, required("activityArn")
	}
	a, err := s.rt().DescribeActivity(ctx, in.ActivityARN)
	if err != nil {
		return nil, err
	}
	return &describeActivityOutput{ActivityARN: a.ARN, Name: a.Name, CreationDate: at(a.Created)}, nil
}

type listActivitiesInput struct {
	MaxResults int    `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type listActivitiesOutput struct {
	Activities []describeActivityOutput `json:"activities"`
	NextToken  string                   `json:"nextToken,omitempty"`
}

func listActivities(s *API, ctx context.Context, in *listActivitiesInput) (*listActivitiesOutput, error) {
	limit, cursor, err := page(in.MaxResults, "activities", in.NextToken)
	if err != nil {
		return nil, err
	}
	list, next, err := s.rt().ListActivities(ctx, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &listActivitiesOutput{Activities: make([]describeActivityOutput, len(list)), NextToken: encodeToken("activities", next)}
	for i, a := range list {
		out.Activities[i] = describeActivityOutput{ActivityARN: a.ARN, Name: a.Name, CreationDate: at(a.Created)}
	}
	return out, nil
}

type getActivityTaskInput struct {
	ActivityARN string `json:"activityArn"`
	WorkerName  string `json:"workerName"`
}

type getActivityTaskOutput struct {
	TaskToken string  `json:"taskToken,omitempty"`
	Input     *string `json:"input,omitempty"`
}

// getActivityTask waits up to runtime.ActivityPoll for a task of the
// activity; when none comes it answers with no token, as AWS does.
func getActivityTask(s *API, ctx context.Context, in *getActivityTaskInput) (*getActivityTaskOutput, error) {
	if in.ActivityARN == "" {
		return nil, required("activityArn")
	}
	ctx, cancel := context.WithTimeout(ctx, runtime.ActivityPoll+5*time.Second)
	defer cancel()
	token, input, err := s.rt().GetActivityTask(ctx, in.ActivityARN, in.WorkerName)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return &getActivityTaskOutput{}, nil
	}
	text := string(input)
	return &getActivityTaskOutput{TaskToken: token, Input: &text}, nil
}
