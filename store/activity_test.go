package store

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// forEachStore runs test against the embedded server and, when
// SIGNALBOX_REDIS_URL is set, against that Redis.
func forEachStore(t *testing.T, test func(t *testing.T, c *Client)) {
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		test(t, openTest(t, Options{}))
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		url := os.Getenv(EnvRedisURL)
		if url == "" {
			t.Skip(EnvRedisURL + " is not set")
		}
		test(t, openTest(t, Options{URL: url}))
	})
}

func TestActivities(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		a, existing, err := c.ActivityCreate(ctx, "b-act", map[string]string{"team": "x"}, t0)
		require.NoError(t, err)
		require.False(t, existing)
		require.Equal(t, &Activity{Name: "b-act", Created: t0}, a)

		a, existing, err = c.ActivityCreate(ctx, "b-act", map[string]string{"team": "y"}, t0.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, existing)
		require.Equal(t, t0, a.Created, "a repeated create returns the activity unchanged")
		tags, err := c.TagsGet(ctx, Tagged{Activity: true, Name: "b-act"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"team": "x"}, tags, "and ignores its tags")

		for _, n := range []string{"c-act", "a-act"} {
			_, _, err := c.ActivityCreate(ctx, n, nil, t0)
			require.NoError(t, err)
		}
		page, next, err := c.ActivityList(ctx, "", 2)
		require.NoError(t, err)
		require.Equal(t, []*Activity{{Name: "a-act", Created: t0}, {Name: "b-act", Created: t0}}, page)
		page, next, err = c.ActivityList(ctx, next, 2)
		require.NoError(t, err)
		require.Equal(t, []*Activity{{Name: "c-act", Created: t0}}, page)
		require.Empty(t, next)

		require.NoError(t, c.ActivityTaskPush(ctx, "b-act", ActivityTask{Seq: 1, Token: "tok"}))
		require.NoError(t, c.ActivityDelete(ctx, "b-act"))
		require.NoError(t, c.ActivityDelete(ctx, "b-act"), "deleting a missing activity is no error")
		_, err = c.ActivityGet(ctx, "b-act")
		require.ErrorIs(t, err, ErrNotFound)
		tasks, err := c.ActivityTasks(ctx, "b-act")
		require.NoError(t, err)
		require.Empty(t, tasks, "its queue went with it")
		_, err = c.TagsGet(ctx, Tagged{Activity: true, Name: "b-act"})
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorIs(t, c.ActivityTaskPush(ctx, "b-act", ActivityTask{Seq: 1, Token: "tok"}), ErrNotFound)
		page, _, err = c.ActivityList(ctx, "", 10)
		require.NoError(t, err)
		require.Len(t, page, 2)

		_, _, err = c.ActivityCreate(ctx, "bad{name}", nil, t0)
		require.ErrorIs(t, err, ErrInvalid)
	})
}

func TestActivityQueue(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		_, _, err := c.ActivityCreate(ctx, "q", nil, t0)
		require.NoError(t, err)
		got, err := c.ActivityTaskWait(ctx, "q", 0)
		require.NoError(t, err)
		require.Nil(t, got, "an empty queue")

		first, second := ActivityTask{Seq: 3, Token: "one"}, ActivityTask{Seq: 7, Token: "two"}
		require.NoError(t, c.ActivityTaskPush(ctx, "q", first))
		require.NoError(t, c.ActivityTaskPush(ctx, "q", second))
		tasks, err := c.ActivityTasks(ctx, "q")
		require.NoError(t, err)
		require.Equal(t, []ActivityTask{first, second}, tasks, "oldest first")

		// Taking a task leaves it queued, behind the others: a taker that
		// dies loses nothing, and the next taker gets the next task.
		got, err = c.ActivityTaskWait(ctx, "q", 0)
		require.NoError(t, err)
		require.Equal(t, &first, got)
		got, err = c.ActivityTaskWait(ctx, "q", time.Second)
		require.NoError(t, err)
		require.Equal(t, &second, got)
		tasks, err = c.ActivityTasks(ctx, "q")
		require.NoError(t, err)
		require.ElementsMatch(t, []ActivityTask{first, second}, tasks)

		require.NoError(t, c.ActivityTaskDone(ctx, "q", first))
		require.NoError(t, c.ActivityTaskDone(ctx, "q", first), "done twice is harmless")
		tasks, err = c.ActivityTasks(ctx, "q")
		require.NoError(t, err)
		require.Equal(t, []ActivityTask{second}, tasks)

		// A blocked taker wakes up when a task comes.
		require.NoError(t, c.ActivityTaskDone(ctx, "q", second))
		done := make(chan *ActivityTask, 1)
		go func() {
			got, err := c.ActivityTaskWait(ctx, "q", 2*time.Second)
			if err != nil {
				got = &ActivityTask{Token: "error: " + err.Error()}
			}
			done <- got
		}()
		require.NoError(t, c.ActivityTaskPush(ctx, "q", first))
		require.Equal(t, &first, <-done)
	})
}

func TestTags(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		sm := Tagged{Name: "m"}
		require.ErrorIs(t, c.TagsSet(ctx, sm, map[string]string{"a": "1"}, 50), ErrNotFound)
		require.ErrorIs(t, c.TagsRemove(ctx, sm, []string{"a"}), ErrNotFound)
		_, err := c.TagsGet(ctx, sm)
		require.ErrorIs(t, err, ErrNotFound)

		_, _, err = c.StateMachineCreate(ctx, &StateMachineCreateParams{Name: "m", DefinitionSHA: "s", Type: "STANDARD", Now: t0})
		require.NoError(t, err)
		tags, err := c.TagsGet(ctx, sm)
		require.NoError(t, err)
		require.Empty(t, tags)
		require.NoError(t, c.TagsSet(ctx, sm, map[string]string{"a": "1", "b": "2"}, 3))
		require.NoError(t, c.TagsSet(ctx, sm, map[string]string{"a": "one", "c": "3"}, 3), "overwriting counts once")
		require.ErrorIs(t, c.TagsSet(ctx, sm, map[string]string{"d": "4"}, 3), ErrLimit)
		require.NoError(t, c.TagsRemove(ctx, sm, []string{"b", "missing"}))
		tags, err = c.TagsGet(ctx, sm)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"a": "one", "c": "3"}, tags)

		require.NoError(t, c.StateMachineDelete(ctx, "m"))
		_, _, err = c.StateMachineCreate(ctx, &StateMachineCreateParams{Name: "m", DefinitionSHA: "s", Type: "STANDARD", Now: t0})
		require.NoError(t, err)
		tags, err = c.TagsGet(ctx, sm)
		require.NoError(t, err)
		require.Empty(t, tags, "deleting a state machine deletes its tags")
	})
}

func TestAliases(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		prod := &Alias{Name: "PROD", Description: "live", Routing: []AliasRoute{{1, 100}}, Created: t0, Updated: t0}
		_, _, err := c.AliasCreate(ctx, "m", prod, 2)
		require.ErrorIs(t, err, ErrNotFound, "no state machine")

		_, _, err = c.StateMachineCreate(ctx, &StateMachineCreateParams{Name: "m", DefinitionSHA: "s1", Type: "STANDARD", Now: t0})
		require.NoError(t, err)
		_, _, err = c.AliasCreate(ctx, "m", prod, 2)
		require.ErrorIs(t, err, ErrNotFound, "no version 1")
		for _, sha := range []string{"s1", "s2"} {
			_, err := c.StateMachineVersionPublish(ctx, "m", sha, "", t0)
			require.NoError(t, err)
		}
		got, existing, err := c.AliasCreate(ctx, "m", prod, 2)
		require.NoError(t, err)
		require.False(t, existing)
		require.Equal(t, prod, got)

		again := *prod
		again.Created = t0.Add(time.Hour)
		got, existing, err = c.AliasCreate(ctx, "m", &again, 2)
		require.NoError(t, err)
		require.True(t, existing, "the same configuration is an idempotent create")
		require.Equal(t, t0, got.Created)
		other := *prod
		other.Description = "other"
		_, _, err = c.AliasCreate(ctx, "m", &other, 2)
		require.ErrorIs(t, err, ErrConflict)

		_, _, err = c.AliasCreate(ctx, "m", &Alias{Name: "BETA", Routing: []AliasRoute{{1, 50}, {2, 50}}, Created: t0, Updated: t0}, 2)
		require.NoError(t, err)
		_, _, err = c.AliasCreate(ctx, "m", &Alias{Name: "GAMMA", Routing: []AliasRoute{{2, 100}}, Created: t0, Updated: t0}, 2)
		require.ErrorIs(t, err, ErrLimit)

		updated, err := c.AliasUpdate(ctx, "m", "PROD", t0.Add(time.Minute), func(a *Alias) { a.Routing = []AliasRoute{{2, 100}} })
		require.NoError(t, err)
		require.Equal(t, &Alias{Name: "PROD", Description: "live", Routing: []AliasRoute{{2, 100}}, Created: t0, Updated: t0.Add(time.Minute)}, updated)
		_, err = c.AliasUpdate(ctx, "m", "PROD", t0, func(a *Alias) { a.Routing = []AliasRoute{{9, 100}} })
		require.ErrorIs(t, err, ErrNotFound, "no version 9")
		_, err = c.AliasUpdate(ctx, "m", "NONE", t0, func(a *Alias) {})
		require.ErrorIs(t, err, ErrNotFound)

		all, err := c.AliasList(ctx, "m")
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.NoError(t, c.AliasDelete(ctx, "m", "BETA"))
		require.ErrorIs(t, c.AliasDelete(ctx, "m", "BETA"), ErrNotFound)
		_, err = c.AliasGet(ctx, "m", "BETA")
		require.ErrorIs(t, err, ErrNotFound)

		require.NoError(t, c.StateMachineDelete(ctx, "m"))
		_, err = c.AliasList(ctx, "m")
		require.ErrorIs(t, err, ErrNotFound)
		_, err = c.AliasGet(ctx, "m", "PROD")
		require.ErrorIs(t, err, ErrNotFound, "deleting a state machine deletes its aliases")
	})
}

func TestExecutionOrigin(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		id := ExecutionID(testARN, "run")
		require.ErrorIs(t, c.ExecutionOriginSet(ctx, id, "v", "a"), ErrNotFound)
		_, _, err := c.ExecutionOriginGet(ctx, id)
		require.ErrorIs(t, err, ErrNotFound)

		_, err = c.ExecutionCreate(ctx, &ExecutionCreateParams{StateMachineARN: testARN, Name: "run", DefinitionSHA: "s", Input: []byte(`{}`), StartDate: t0, StateMachine: "sm", Thread: []byte(testRecord)})
		require.NoError(t, err)
		v, a, err := c.ExecutionOriginGet(ctx, id)
		require.NoError(t, err)
		require.Empty(t, v)
		require.Empty(t, a)
		require.NoError(t, c.ExecutionOriginSet(ctx, id, testARN+":1", testARN+":PROD"))
		require.NoError(t, c.ExecutionOriginSet(ctx, id, testARN+":2", ""), "the first record stands")
		v, a, err = c.ExecutionOriginGet(ctx, id)
		require.NoError(t, err)
		require.Equal(t, testARN+":1", v)
		require.Equal(t, testARN+":PROD", a)
		x, err := c.ExecutionGet(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "RUNNING", x.Status, "the execution's record is otherwise untouched")
	})
}

func TestActivityAliasAndTagKeys(t *testing.T) {
	t.Parallel()
	k := NewKeys("sb")
	require.Equal(t, "sb:act:{resize}", k.ActivityKey("resize"))
	require.Equal(t, "sb:act:{resize}:q", k.ActivityQueueKey("resize"))
	require.Equal(t, "sb:act:{resize}:tags", k.ActivityTagsKey("resize"))
	require.Equal(t, "sb:acts", k.ActivitiesKey())
	require.Equal(t, "sb:sm:{orders}:a", k.StateMachineAliasesKey("orders"))
	require.Equal(t, "sb:sm:{orders}:tags", k.StateMachineTagsKey("orders"))
	// The keys one script touches share a slot.
	require.Equal(t, slot(k.ActivityKey("resize")), slot(k.ActivityQueueKey("resize")))
	require.Equal(t, slot(k.ActivityKey("resize")), slot(k.ActivityTagsKey("resize")))
	for _, key := range []string{k.StateMachineVersionsKey("orders"), k.StateMachineAliasesKey("orders"), k.StateMachineTagsKey("orders")} {
		require.Equal(t, slot(k.StateMachineKey("orders")), slot(key), key)
	}
}
