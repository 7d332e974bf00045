package integrations

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTaskResources(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"P","States":{
		"P":{"Type":"Parallel","Branches":[{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}],"Next":"M"},
		"M":{"Type":"Map","ItemProcessor":{"StartAt":"Q","States":{"Q":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}},"Next":"I"},
		"I":{"Type":"Map","Iterator":{"StartAt":"A/b","States":{"A/b":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:work","End":true}}},"Next":"H"},
		"H":{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Next":"D"},
		"D":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject"},
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED"},"StartAt":"E","States":{"E":{"Type":"Pass","End":true}}},"Next":"Done"},
		"Done":{"Type":"Pass","End":true}}}`
	require.Equal(t, []TaskResource{
		{Path: "/States/D/ItemReader/Resource", State: "D", Resource: "arn:aws:states:::s3:getObject"},
		{Path: "/States/D/ResultWriter/Resource", State: "D", Resource: "arn:aws:states:::s3:putObject"},
		{Path: "/States/H/Resource", State: "H", Resource: "arn:aws:states:::http:invoke"},
		{Path: "/States/I/Iterator/States/A~1b/Resource", State: "A/b", Resource: "arn:aws:states:us-east-1:123456789012:activity:work"},
		{Path: "/States/M/ItemProcessor/States/Q/Resource", State: "Q", Resource: "arn:aws:states:::sqs:sendMessage"},
		{Path: "/States/P/Branches/0/States/L/Resource", State: "L", Resource: "arn:aws:states:::lambda:invoke"},
	}, TaskResources([]byte(def)))

	m := NewMux()
	m.Handle("arn:aws:states:::http:invoke", HandlerFunc(nil))
	unhandled := m.Unhandled([]byte(def))
	require.Len(t, unhandled, 4, "activities and handled resources are not listed")
	require.Equal(t, "L", unhandled[3].State)
	require.Equal(t, `the Task state "Q" calls the resource "arn:aws:states:::sqs:sendMessage", which no integration of Signalbox handles: its calls fail with States.TaskFailed (which Retry and Catch handle), unless a mock test case answers them`, unhandled[2].UnhandledMessage())
	require.Equal(t, `the ItemReader of the Map state "D" names the resource "arn:aws:states:::s3:getObject", which no integration of Signalbox handles (serve --buckets-dir serves the S3 ones): the Map fails with States.ItemReaderFailed (which Retry and Catch handle)`, unhandled[0].UnhandledMessage())

	require.Nil(t, TaskResources([]byte(`not json`)))
}
