package queue

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// The queue attributes, as AWS's API reference (CreateQueue,
// SetQueueAttributes, GetQueueAttributes) lists them.
const (
	attrDelay             = "DelaySeconds"
	attrMaxSize           = "MaximumMessageSize"
	attrRetention         = "MessageRetentionPeriod"
	attrPolicy            = "Policy"
	attrWait              = "ReceiveMessageWaitTimeSeconds"
	attrVisibility        = "VisibilityTimeout"
	attrRedrive           = "RedrivePolicy"
	attrRedriveAllow      = "RedriveAllowPolicy"
	attrKmsKey            = "KmsMasterKeyId"
	attrKmsReuse          = "KmsDataKeyReusePeriodSeconds"
	attrSqsSSE            = "SqsManagedSseEnabled"
	attrFifo              = "FifoQueue"
	attrContentDedup      = "ContentBasedDeduplication"
	attrDedupScope        = "DeduplicationScope"
	attrThroughput        = "FifoThroughputLimit"
	attrMessages          = "ApproximateNumberOfMessages"
	attrMessagesNotVis    = "ApproximateNumberOfMessagesNotVisible"
	attrMessagesDelayed   = "ApproximateNumberOfMessagesDelayed"
	attrCreated           = "CreatedTimestamp"
	attrModified          = "LastModifiedTimestamp"
	attrArn               = "QueueArn"
	maxVisibilitySeconds  = 43_200
	maxDelaySeconds       = 900
	maxWaitSeconds        = 20
	defaultMaxMessageSize = 1_048_576
)

// intRange is an integer attribute's valid values.
type intRange struct{ min, max int }

// intAttrs: AWS's ranges. MaximumMessageSize's upper bound (and default)
// is 1 MiB since August 2025 (the SDK's CreateQueue documentation, v1.53).
var intAttrs = map[string]intRange{
	attrDelay:      {0, maxDelaySeconds},
	attrMaxSize:    {1024, defaultMaxMessageSize},
	attrRetention:  {60, 1_209_600},
	attrWait:       {0, maxWaitSeconds},
	attrVisibility: {0, maxVisibilitySeconds},
	attrKmsReuse:   {60, 86_400},
}

// standardDefaults are every queue's attributes when not given.
var standardDefaults = map[string]string{
	attrDelay:      "0",
	attrMaxSize:    strconv.Itoa(defaultMaxMessageSize),
	attrRetention:  "345600",
	attrWait:       "0",
	attrVisibility: "30",
	attrSqsSSE:     "true",
}

// fifoDefaults are a FIFO queue's further defaults.
var fifoDefaults = map[string]string{
	attrFifo:         "true",
	attrContentDedup: "false",
	attrDedupScope:   "queue",
	attrThroughput:   "perQueue",
}

// fifoOnly are the attributes only a FIFO queue takes.
var fifoOnly = map[string]bool{attrContentDedup: true, attrDedupScope: true, attrThroughput: true}

// readOnly are the attributes GetQueueAttributes computes.
var readOnly = map[string]bool{attrMessages: true, attrMessagesNotVis: true, attrMessagesDelayed: true,
	attrCreated: true, attrModified: true, attrArn: true}

// settable reports whether name is an attribute a request may set.
func settable(name string) bool {
	if _, ok := intAttrs[name]; ok {
		return true
	}
	switch name {
	case attrPolicy, attrRedrive, attrRedriveAllow, attrKmsKey, attrSqsSSE, attrFifo, attrContentDedup, attrDedupScope, attrThroughput:
		return true
	}
	return false
}

// The largest attribute value kept (a policy: AWS allows 20 KiB... and a
// KMS key id, a few hundred bytes).
const maxAttrValue = 20 * 1024

func errAttrValue(name string) *Error {
	return errorf("InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

// checkAttrs validates attributes of a create (create true: FifoQueue
// allowed) or a set, for a queue that is FIFO or not. It returns the first
// problem, in a stable order of names.
func checkAttrs(attrs map[string]string, fifo, create bool) *Error {
	names := sortedKeys(attrs)
	for _, name := range names {
		v := attrs[name]
		if !settable(name) {
			return errorf("InvalidAttributeName", "Unknown Attribute %s.", clip(name, 64))
		}
		if len(v) > maxAttrValue {
			return errAttrValue(name)
		}
		if r, ok := intAttrs[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < r.min || n > r.max {
				return errAttrValue(name)
			}
			continue
		}
		if fifoOnly[name] && !fifo {
			return errorf("InvalidAttributeName", "Unknown Attribute %s.", name)
		}
		if err := checkAttr(name, v, fifo, create); err != nil {
			return err
		}
	}
	if fifo && attrs[attrThroughput] == "perMessageGroupId" && attrs[attrDedupScope] == "queue" {
		return errHighThroughput()
	}
	return nil
}

// errHighThroughput: FifoThroughputLimit perMessageGroupId is allowed
// only with DeduplicationScope messageGroup.
func errHighThroughput() *Error {
	return errorf("InvalidAttributeValue", "Invalid value for the parameter FifoThroughputLimit. Reason: To enable high throughput for FIFO queues, DeduplicationScope must be messageGroup.")
}

// checkAttr validates one attribute that is not an integer.
func checkAttr(name, v string, fifo, create bool) *Error {
	switch name {
	case attrSqsSSE, attrContentDedup:
		if v != "true" && v != "false" {
			return errAttrValue(name)
		}
	case attrFifo:
		if !create || v != strconv.FormatBool(fifo) {
			if !create {
				return errorf("InvalidAttributeName", "Unknown Attribute %s.", name)
			}
			return errAttrValue(name)
		}
	case attrDedupScope:
		if v != "messageGroup" && v != "queue" {
			return errAttrValue(name)
		}
	case attrThroughput:
		if v != "perQueue" && v != "perMessageGroupId" {
			return errAttrValue(name)
		}
	case attrPolicy:
		if v != "" && !json.Valid([]byte(v)) {
			return errAttrValue(name)
		}
	case attrRedrive:
		if v != "" {
			if _, err := parseRedrivePolicy(v); err != nil {
				return err
			}
		}
	case attrRedriveAllow:
		if v != "" {
			if _, err := parseRedriveAllowPolicy(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// queueNameRE: 1 to 80 characters, alphanumeric, hyphens and underscores,
// with ".fifo" at the end of a FIFO queue's (counted in the 80).
var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkName validates a queue name for a FIFO queue or not.
func checkName(name string, fifo bool) *Error {
	if fifo {
		base, ok := strings.CutSuffix(name, ".fifo")
		if !ok || len(name) > 80 || !queueNameRE.MatchString(base) {
			return errInvalidValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil
	}
	if !queueNameRE.MatchString(name) {
		return errInvalidValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	return nil
}

// validName reports whether name could name a queue (GetQueue and the
// other calls by name answer QueueDoesNotExist otherwise).
func validName(name string) bool {
	return checkName(name, false) == nil || checkName(name, true) == nil
}
