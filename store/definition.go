package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// DefinitionSHA returns the hash a definition is stored under.
func DefinitionSHA(definition []byte) string {
	sum := sha256.Sum256(definition)
	return hex.EncodeToString(sum[:])
}

// DefinitionPut stores a definition under its hash and returns the hash.
// Definitions are immutable: an execution keeps the definition it started
// with, whatever happens to its state machine later.
func (c *Client) DefinitionPut(ctx context.Context, definition []byte) (string, error) {
	sha := DefinitionSHA(definition)
	if _, ok := c.defsPut.Load(sha); ok {
		return sha, nil // stored before by this client: definitions never change
	}
	if _, err := hotWait(ctx, c, func() (bool, error) { return c.hot.SetNX(ctx, c.keys.DefinitionKey(sha), definition, 0).Result() }); err != nil {
		return "", fmt.Errorf("store: definition %s: %w", sha, err)
	}
	c.defsPut.Store(sha, struct{}{})
	return sha, nil
}

// DefinitionGet returns the definition stored under sha, or ErrNotFound.
func (c *Client) DefinitionGet(ctx context.Context, sha string) ([]byte, error) {
	b, err := c.rdb.Get(ctx, c.keys.DefinitionKey(sha)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: definition %s", ErrNotFound, sha)
	}
	if err != nil {
		return nil, fmt.Errorf("store: definition %s: %w", sha, err)
	}
	return b, nil
}

// VarsGet returns an execution's variables: "scope/name" → JSON value.
func (c *Client) VarsGet(ctx context.Context, execID string) (map[string]string, error) {
	if err := checkID("execution id", execID); err != nil {
		return nil, err
	}
	m, err := c.hot.HGetAll(ctx, c.keys.VarsKey(execID)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: variables of execution %s: %w", execID, err)
	}
	return m, nil
}
