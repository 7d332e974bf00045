package sfn

import (
	"context"

	"github.com/signalbox/signalbox/runtime"
)

type testStateInput struct {
	Definition      string  `json:"definition"`
	StateName       *string `json:"stateName"`
	RoleArn         string  `json:"roleArn"`
	Input           *string `json:"input"`
	Variables       *string `json:"variables"`
	Context         *string `json:"context"`
	InspectionLevel string  `json:"inspectionLevel"`
	RevealSecrets   bool    `json:"revealSecrets"`
	Mock            *struct {
		Result      *string `json:"result"`
		ErrorOutput *struct {
			Error string `json:"error"`
			Cause string `json:"cause"`
		} `json:"errorOutput"`
		FieldValidationMode string `json:"fieldValidationMode"`
	} `json:"mock"`
	StateConfiguration *struct {
		RetrierRetryCount        *int    `json:"retrierRetryCount"`
		ErrorCausedByState       *string `json:"errorCausedByState"`
		MapIterationFailureCount *int    `json:"mapIterationFailureCount"`
		MapItemReaderData        *string `json:"mapItemReaderData"`
	} `json:"stateConfiguration"`
}

type testStateOutput struct {
	Status         string               `json:"status"`
	NextState      string               `json:"nextState,omitempty"`
	Output         *string              `json:"output,omitempty"`
	Error          string               `json:"error,omitempty"`
	Cause          string               `json:"cause,omitempty"`
	InspectionData *inspectionDataShape `json:"inspectionData,omitempty"`
}

// inspectionDataShape is AWS's InspectionData: each stage a JSON text.
type inspectionDataShape struct {
	Input                      *string            `json:"input,omitempty"`
	AfterArguments             *string            `json:"afterArguments,omitempty"`
	AfterInputPath             *string            `json:"afterInputPath,omitempty"`
	AfterParameters            *string            `json:"afterParameters,omitempty"`
	AfterItemsPath             *string            `json:"afterItemsPath,omitempty"`
	Result                     *string            `json:"result,omitempty"`
	AfterResultSelector        *string            `json:"afterResultSelector,omitempty"`
	AfterResultPath            *string            `json:"afterResultPath,omitempty"`
	Variables                  *string            `json:"variables,omitempty"`
	MaxConcurrency             *int               `json:"maxConcurrency,omitempty"`
	ToleratedFailureCount      *int               `json:"toleratedFailureCount,omitempty"`
	ToleratedFailurePercentage *float64           `json:"toleratedFailurePercentage,omitempty"`
	ErrorDetails               *errorDetailsShape `json:"errorDetails,omitempty"`
	Request                    *httpRequestShape  `json:"request,omitempty"`
	Response                   *httpResponseShape `json:"response,omitempty"`
}

// httpRequestShape and httpResponseShape are AWS's InspectionDataRequest
// and InspectionDataResponse.
type httpRequestShape struct {
	Protocol string `json:"protocol"`
	Method   string `json:"method"`
	URL      string `json:"url"`
	Headers  string `json:"headers"`
	Body     string `json:"body"`
}

type httpResponseShape struct {
	Protocol      string `json:"protocol"`
	StatusCode    string `json:"statusCode"`
	StatusMessage string `json:"statusMessage"`
	Headers       string `json:"headers"`
	Body          string `json:"body"`
}

type errorDetailsShape struct {
	CatchIndex                  *int `json:"catchIndex,omitempty"`
	RetryIndex                  *int `json:"retryIndex,omitempty"`
	RetryBackoffIntervalSeconds *int `json:"retryBackoffIntervalSeconds,omitempty"`
}

// testState runs one state (runtime.TestState). TRACE shows an HTTP
// task's request and response beside what DEBUG shows.
func testState(s *API, ctx context.Context, in *testStateInput) (*testStateOutput, error) {
	if in.Definition == "" {
		return nil, required("definition")
	}
	if err := checkDefinition(in.Definition); err != nil {
		return nil, err
	}
	p := &runtime.TestStateParams{Definition: in.Definition, RoleArn: in.RoleArn, Input: in.Input, Variables: in.Variables,
		Context: in.Context, RevealSecrets: in.RevealSecrets}
	if in.StateName != nil {
		if n := len(*in.StateName); n < 1 || n > 80 {
			return nil, errorf(excValidation, "1 validation error detected: Value at 'stateName' failed to satisfy constraint: Member must have length between 1 and 80")
		}
		p.StateName = *in.StateName
	}
	if in.RoleArn != "" {
		if err := checkRoleARN(in.RoleArn); err != nil {
			return nil, err
		}
	}
	var mockResult *string
	if in.Mock != nil {
		mockResult = in.Mock.Result
	}
	for _, f := range []struct {
		member string
		v      *string
	}{{"input", in.Input}, {"variables", in.Variables}, {"context", in.Context}, {"mock.result", mockResult}} {
		if f.v != nil && len(*f.v) > runtime.MaxPayload {
			return nil, tooLong(f.member, len(*f.v), runtime.MaxPayload)
		}
	}
	switch in.InspectionLevel {
	case "", "INFO":
	case "DEBUG":
		p.Inspect = true
	case "TRACE":
		p.Inspect, p.Trace = true, true
	default:
		return nil, notInEnum("inspectionLevel", in.InspectionLevel, "INFO", "DEBUG", "TRACE")
	}
	if m := in.Mock; m != nil {
		switch m.FieldValidationMode {
		case "", "STRICT", "PRESENT", "NONE":
		default:
			return nil, notInEnum("mock.fieldValidationMode", m.FieldValidationMode, "STRICT", "PRESENT", "NONE")
		}
		p.Mock = &runtime.TestStateMock{Result: m.Result, FieldValidationMode: m.FieldValidationMode}
		if e := m.ErrorOutput; e != nil {
			p.Mock.Error = &runtime.TestStateError{Error: e.Error, Cause: e.Cause}
		}
	}
	if c := in.StateConfiguration; c != nil {
		for _, n := range []struct {
			member string
			v      *int
		}{{"retrierRetryCount", c.RetrierRetryCount}, {"mapIterationFailureCount", c.MapIterationFailureCount}} {
			if n.v != nil && *n.v < 0 {
				return nil, errorf(excValidation, "1 validation error detected: Value '%d' at 'stateConfiguration.%s' failed to satisfy constraint: Member must have value greater than or equal to 0", *n.v, n.member)
			}
		}
		if c.MapItemReaderData != nil {
			return nil, notSupported("TestState's stateConfiguration.mapItemReaderData (a Map's ItemReader is not read)")
		}
		if c.RetrierRetryCount != nil {
			p.Config.RetrierRetryCount = *c.RetrierRetryCount
		}
		if c.MapIterationFailureCount != nil {
			p.Config.MapIterationFailureCount = *c.MapIterationFailureCount
		}
		if c.ErrorCausedByState != nil {
			p.Config.ErrorCausedByState = *c.ErrorCausedByState
		}
	}
	res, err := s.opts.Runtime.TestState(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &testStateOutput{Status: res.Status, NextState: res.NextState, Output: res.Output, Error: res.Error, Cause: res.Cause}
	if i := res.Inspection; i != nil {
		stage := func(name string) *string {
			if v, ok := i.Stages[name]; ok {
				return &v
			}
			return nil
		}
		out.InspectionData = &inspectionDataShape{Input: stage("input"), AfterArguments: stage("afterArguments"),
			AfterInputPath: stage("afterInputPath"), AfterParameters: stage("afterParameters"), AfterItemsPath: stage("afterItemsPath"),
			Result: stage("result"), AfterResultSelector: stage("afterResultSelector"), AfterResultPath: stage("afterResultPath"),
			Variables: stage("variables"), MaxConcurrency: i.MaxConcurrency, ToleratedFailureCount: i.ToleratedFailureCount,
			ToleratedFailurePercentage: i.ToleratedFailurePercentage}
		if x := i.HTTP; x != nil {
			q := x.Request
			out.InspectionData.Request = &httpRequestShape{Protocol: q.Protocol, Method: q.Method, URL: q.URL, Headers: q.Headers, Body: q.Body}
			if x.Answered {
				r := x.Response
				out.InspectionData.Response = &httpResponseShape{Protocol: r.Protocol, StatusCode: r.StatusCode, StatusMessage: r.StatusMessage, Headers: r.Headers, Body: r.Body}
			}
		}
		if d := i.ErrorDetails; d != nil {
			out.InspectionData.ErrorDetails = &errorDetailsShape{CatchIndex: d.CatchIndex, RetryIndex: d.RetryIndex, RetryBackoffIntervalSeconds: d.RetryBackoffIntervalSeconds}
		}
	}
	return out, nil
}
