package store

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDefinitionsAndVars(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := Open(ctx, Options{Prefix: "deftest"})
	require.NoError(t, err)
	defer c.Close()

	def := []byte(`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)
	sha, err := c.DefinitionPut(ctx, def)
	require.NoError(t, err)
	require.Equal(t, DefinitionSHA(def), sha)
	again, err := c.DefinitionPut(ctx, def)
	require.NoError(t, err)
	require.Equal(t, sha, again, "storing twice is idempotent")
	got, err := c.DefinitionGet(ctx, sha)
	require.NoError(t, err)
	require.Equal(t, def, got)
	_, err = c.DefinitionGet(ctx, DefinitionSHA([]byte("other")))
	require.ErrorIs(t, err, ErrNotFound)

	vars, err := c.VarsGet(ctx, "e1")
	require.NoError(t, err)
	require.Empty(t, vars)
}
