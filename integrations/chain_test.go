package integrations_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
)

// TestChainWrapsInOrder: the first middleware is the outermost.
func TestChainWrapsInOrder(t *testing.T) {
	var order []string
	mw := func(name string) integrations.Middleware {
		return func(next integrations.Handler) integrations.Handler {
			return integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
				order = append(order, name+">")
				out, err := next.Invoke(ctx, req)
				order = append(order, "<"+name)
				return out, err
			})
		}
	}
	h := integrations.HandlerFunc(func(context.Context, *integrations.Request) (any, error) {
		order = append(order, "handler")
		return "ok", nil
	})
	out, err := integrations.Chain(h, mw("a"), mw("b")).Invoke(context.Background(), &integrations.Request{})
	require.NoError(t, err)
	require.Equal(t, "ok", out)
	require.Equal(t, []string{"a>", "b>", "handler", "<b", "<a"}, order)
}
