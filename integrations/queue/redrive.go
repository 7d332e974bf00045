package queue

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// redrivePolicy is a RedrivePolicy: after maxReceiveCount receives a
// message moves to the queue deadLetterTargetArn names.
type redrivePolicy struct {
	Target     string
	MaxReceive int
}

// The largest policy document parsed; AWS's attribute values are far
// smaller in practice (a redrive policy is about 100 bytes).
const maxPolicyJSON = 20 * 1024

// parseRedrivePolicy parses a RedrivePolicy: a JSON object with
// deadLetterTargetArn (an SQS ARN) and maxReceiveCount (1..1000, a number
// or a string of one, as AWS takes both).
func parseRedrivePolicy(s string) (redrivePolicy, *Error) {
	bad := func(reason string) *Error {
		return errorf("InvalidAttributeValue", "Value %s for parameter RedrivePolicy is invalid. Reason: %s", clip(s, 200), reason)
	}
	if len(s) > maxPolicyJSON {
		return redrivePolicy{}, bad("Redrive policy is too long.")
	}
	var raw map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil || d.More() {
		return redrivePolicy{}, bad("Redrive policy is not a valid JSON map.")
	}
	var p redrivePolicy
	for k, v := range raw {
		switch k {
		case "deadLetterTargetArn":
			if err := json.Unmarshal(v, &p.Target); err != nil {
				return redrivePolicy{}, bad("Invalid value for deadLetterTargetArn.")
			}
		case "maxReceiveCount":
			n, ok := jsonInt(v)
			if !ok || n < 1 || n > 1000 {
				return redrivePolicy{}, bad("Invalid value for maxReceiveCount: " + clip(string(v), 32) + ", valid values are from 1 to 1000 both inclusive.")
			}
			p.MaxReceive = n
		default:
			return redrivePolicy{}, bad("Only following keys are allowed: deadLetterTargetArn, maxReceiveCount.")
		}
	}
	if p.Target == "" || p.MaxReceive == 0 {
		return redrivePolicy{}, bad("Redrive policy does not contain mandatory attribute: " +
			map[bool]string{true: "deadLetterTargetArn", false: "maxReceiveCount"}[p.Target == ""] + ".")
	}
	if _, _, _, ok := parseARN(p.Target); !ok {
		return redrivePolicy{}, bad("Invalid value for deadLetterTargetArn.")
	}
	return p, nil
}

// jsonInt reads an integer given as a JSON number or a string of one.
func jsonInt(v json.RawMessage) (int, bool) {
	v = bytes.TrimSpace(v)
	var s string
	if len(v) > 0 && v[0] == '"' {
		if json.Unmarshal(v, &s) != nil {
			return 0, false
		}
	} else {
		s = string(v)
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// redriveAllow is a RedriveAllowPolicy: which source queues may use this
// queue as their dead-letter queue.
type redriveAllow struct {
	Permission string   // allowAll (default), denyAll, byQueue
	Sources    []string // byQueue: up to 10 source queue ARNs
}

// parseRedriveAllowPolicy parses a RedriveAllowPolicy.
func parseRedriveAllowPolicy(s string) (redriveAllow, *Error) {
	bad := func(reason string) *Error {
		return errorf("InvalidAttributeValue", "Value %s for parameter RedriveAllowPolicy is invalid. Reason: %s", clip(s, 200), reason)
	}
	if len(s) > maxPolicyJSON {
		return redriveAllow{}, bad("Redrive allow policy is too long.")
	}
	var raw struct {
		RedrivePermission string   `json:"redrivePermission"`
		SourceQueueArns   []string `json:"sourceQueueArns"`
	}
	d := json.NewDecoder(strings.NewReader(s))
	d.DisallowUnknownFields()
	if err := d.Decode(&raw); err != nil || d.More() {
		return redriveAllow{}, bad("Redrive allow policy is not a valid JSON map with keys redrivePermission and sourceQueueArns.")
	}
	p := redriveAllow{Permission: raw.RedrivePermission, Sources: raw.SourceQueueArns}
	switch p.Permission {
	case "allowAll", "denyAll":
		if len(p.Sources) > 0 {
			return redriveAllow{}, bad("sourceQueueArns may be given only when redrivePermission is byQueue.")
		}
	case "byQueue":
		if len(p.Sources) == 0 || len(p.Sources) > 10 {
			return redriveAllow{}, bad("byQueue takes 1 to 10 sourceQueueArns.")
		}
		for _, a := range p.Sources {
			if _, _, _, ok := parseARN(a); !ok {
				return redriveAllow{}, bad("Invalid value for sourceQueueArns: " + clip(a, 100))
			}
		}
	default:
		return redriveAllow{}, bad("redrivePermission must be one of allowAll, denyAll, byQueue.")
	}
	return p, nil
}

// allows reports whether the policy lets the queue sourceARN redrive here.
func (p redriveAllow) allows(sourceARN string) bool {
	switch p.Permission {
	case "denyAll":
		return false
	case "byQueue":
		for _, a := range p.Sources {
			if a == sourceARN {
				return true
			}
		}
		return false
	}
	return true
}

// parseARN splits an SQS queue ARN, arn:aws:sqs:<region>:<account>:<name>.
func parseARN(arn string) (region, account, name string, ok bool) {
	f := strings.Split(arn, ":")
	if len(f) != 6 || f[0] != "arn" || f[1] == "" || f[2] != "sqs" || !validName(f[5]) {
		return "", "", "", false
	}
	return f[3], f[4], f[5], true
}
