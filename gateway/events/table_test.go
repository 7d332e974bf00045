package events

import (
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/stretchr/testify/require"
)

// Every action of the SDK's EventBridge client is in the action table, and
// the table holds no other; the unsupported ones are those listed.
func TestEveryActionOfTheSDKIsInTheTable(t *testing.T) {
	t.Parallel()
	var sdk []string
	ct := reflect.TypeOf(&eventbridge.Client{})
	for i := range ct.NumMethod() {
		m := ct.Method(i)
		if m.Type.NumIn() >= 3 && m.Type.In(2).Kind() == reflect.Pointer && m.Type.In(2).Elem().Name() == m.Name+"Input" {
			sdk = append(sdk, m.Name)
		}
	}
	require.Len(t, sdk, 57, "aws-sdk-go-v2/service/eventbridge v1.55.11 has 57 actions")
	var table []string
	for name := range service.Actions {
		table = append(table, name)
	}
	require.ElementsMatch(t, sdk, table)
	served := 0
	for name, ok := range Actions() {
		if ok {
			served++
		}
		require.Contains(t, table, name)
	}
	require.Equal(t, 40, served)
	require.Len(t, unsupportedActions, 17)
	for _, name := range unsupportedActions {
		require.True(t, slices.Contains(table, name))
	}
}
