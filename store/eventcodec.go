package store

import (
	"strconv"
	"strings"
	"time"
)

// A history event's fields are stored packed: the timestamp the runtime
// writes first ("timestamp":"2006-01-02T15:04:05.000Z") as codeTime and
// its unix milliseconds, and the byte strings every execution's events
// repeat (the types and details keys of the common events, the payloads'
// "truncated":false) as one control byte each. A JSON text holds no raw
// control byte but the whitespace \t, \n and \r, so none of these codes
// can come from the fields themselves, and unpacking gives the fields
// back byte for byte. Bytes cost Redis CPU: in a script's RPUSH, in the
// memory a new history takes and in the AOF (measured on the create
// script alone: a pass5 history of 12 events, 1.8 KB, costs about 15 µs
// more than 12 one-byte elements). bench durable --workloads pass5,
// appendfsync everysec, alternated with the binary before in one session
// (load 7 to 11): 0.6 KB packed, Redis CPU per start 67-73 -> 52-54 µs
// (per state 13.4-14.5 -> 10.5-10.9 µs). Binaries from before packing
// cannot read packed events.

// codeTime opens packed fields: the timestamp's unix milliseconds follow.
const codeTime = '\x01'

// timeLayout is the runtime's timestamp format (asl.TimeFormat).
const timeLayout = "2006-01-02T15:04:05.000Z"

// eventDict are the byte strings codes 0x02... stand for, skipping \t,
// \n and \r; longer strings before the strings they begin with, as the
// packer tries them in this order.
var eventDict = []string{
	`,"type":"`,
	`StateEntered","stateEnteredEventDetails":{"input":"`,
	`","inputDetails":{"truncated":false},"name":"`,
	`StateExited","stateExitedEventDetails":{"name":"`,
	`","output":"`,
	`","outputDetails":{"truncated":false}}`,
	`ExecutionStarted","executionStartedEventDetails":{"input":"`,
	`","inputDetails":{"truncated":false},"roleArn":"`,
	`ExecutionSucceeded","executionSucceededEventDetails":{"output":"`,
	`"outputDetails":{"truncated":false}`,
	`"inputDetails":{"truncated":false}`,
	`TaskScheduled","taskScheduledEventDetails":{"parameters":"`,
	`","region":"`,
	`","resource":"`,
	`","resourceType":"`,
	`TaskStarted","taskStartedEventDetails":{"resource":"`,
	`TaskSucceeded","taskSucceededEventDetails":{"output":"`,
	`TaskFailed","taskFailedEventDetails":{`,
	`ExecutionFailed","executionFailedEventDetails":{`,
	`MapIteration`,
	`EventDetails":{"index":`,
	`,"name":"`,
	`"cause":"`,
	`"error":"`,
	`arn:aws:`,
}

var eventPacker, eventUnpacker = newEventCodec()

func newEventCodec() (*strings.Replacer, *strings.Replacer) {
	var pack, unpack []string
	c := byte(codeTime)
	for _, s := range eventDict {
		c++
		for c == '\t' || c == '\n' || c == '\r' {
			c++
		}
		if c >= ' ' {
			panic("store: too many packed event strings")
		}
		pack = append(pack, s, string(c))
		unpack = append(unpack, string(c), s)
	}
	return strings.NewReplacer(pack...), strings.NewReplacer(unpack...)
}

// packEvent packs an event's fields (a JSON object's, without its braces).
func packEvent(fields string) string {
	const head = `"timestamp":"`
	var ms string
	if rest, ok := strings.CutPrefix(fields, head); ok && len(rest) > len(timeLayout) && rest[len(timeLayout)] == '"' {
		ts := rest[:len(timeLayout)]
		if t, err := time.Parse(timeLayout, ts); err == nil && t.UnixMilli() >= 0 && t.UTC().Format(timeLayout) == ts {
			ms, fields = strconv.FormatInt(t.UnixMilli(), 10), rest[len(timeLayout)+1:]
		}
	}
	packed := eventPacker.Replace(fields)
	if ms == "" {
		return packed
	}
	return string(codeTime) + ms + packed
}

// unpackEvent reverses packEvent; fields that were never packed come back
// unchanged.
func unpackEvent(fields string) string {
	if !strings.ContainsFunc(fields, func(r rune) bool { return r < ' ' && r != '\t' && r != '\n' && r != '\r' }) {
		return fields
	}
	var head string
	if fields[0] == codeTime {
		k := 1
		for k < len(fields) && fields[k] >= '0' && fields[k] <= '9' {
			k++
		}
		ms, err := strconv.ParseInt(fields[1:k], 10, 64)
		if err == nil {
			head = `"timestamp":"` + time.UnixMilli(ms).UTC().Format(timeLayout) + `"`
			fields = fields[k:]
		}
	}
	return head + eventUnpacker.Replace(fields)
}
