package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

func TestBusPutClaimAck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "sbbus-")
	now := time.UnixMilli(1_700_000_000_000).UTC()

	err := st.BusPut(ctx, &store.BusPutParams{Bus: "orders", Version: 1, LeaseUntil: now})
	require.ErrorIs(t, err, store.ErrNotFound, "no bus yet")
	_, err = st.BusCreate(ctx, "orders", nil, nil, now, true)
	require.NoError(t, err)
	names, err := st.BusNames(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"orders"}, names)

	ver, rules, err := st.BusRules(ctx, "orders")
	require.NoError(t, err)
	require.EqualValues(t, 1, ver)
	require.Empty(t, rules)

	err = st.BusPut(ctx, &store.BusPutParams{Bus: "orders", Version: 2, LeaseUntil: now, Events: []store.BusEvent{{ID: "e0", Payload: "x", Deliveries: []string{"r\x00t"}}}})
	require.ErrorIs(t, err, store.ErrBusStale, "a put names the version it matched")

	lease := now.Add(30 * time.Second)
	require.NoError(t, st.BusPut(ctx, &store.BusPutParams{Bus: "orders", Version: 1, LeaseUntil: lease, Events: []store.BusEvent{
		{ID: "e1", Payload: "one", Deliveries: []string{"r1\x00a", "r1\x00b"}},
		{ID: "e2", Payload: "two"}, // matched nothing: not kept
	}}))
	n, err := st.BusPending(ctx, "orders")
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	ds, err := st.BusClaim(ctx, "orders", now, lease, 10)
	require.NoError(t, err)
	require.Empty(t, ds, "leased to the putter until the lease ends")
	due, err := st.BusesDue(ctx, []string{"orders"}, lease)
	require.NoError(t, err)
	require.Equal(t, []string{"orders"}, due)

	ds, err = st.BusClaim(ctx, "orders", lease, lease.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Len(t, ds, 2)
	require.Equal(t, store.BusDelivery{EventID: "e1", Rule: "r1", Target: "a", Payload: "one"}, ds[0])

	a := store.BusDeliveryMember("e1", "r1", "a")
	attempts, err := st.BusRetry(ctx, "orders", a, lease.Add(2*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, attempts)
	ended, err := st.BusAck(ctx, "orders", []string{store.BusDeliveryMember("e1", "r1", "b"), store.BusDeliveryMember("e1", "r1", "b")})
	require.NoError(t, err)
	require.Equal(t, 1, ended, "a member named twice ends once")

	ds, err = st.BusClaim(ctx, "orders", lease.Add(2*time.Minute), lease.Add(3*time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []store.BusDelivery{{EventID: "e1", Rule: "r1", Target: "a", Attempts: 1, Payload: "one"}}, ds)
	ended, err = st.BusAck(ctx, "orders", []string{a})
	require.NoError(t, err)
	require.Equal(t, 1, ended)
	_, err = st.BusRetry(ctx, "orders", a, lease)
	require.ErrorIs(t, err, store.ErrNotFound, "ended")
	n, err = st.BusPending(ctx, "orders")
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestBusTickFiresOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "sbbus-")
	now := time.UnixMilli(1_700_000_000_000).UTC()
	_, err := st.BusCreate(ctx, "default", nil, nil, now, false)
	require.NoError(t, err)
	require.NoError(t, st.BusScheduleSet(ctx, "default", "every-minute", now))
	require.NoError(t, st.BusScheduleSet(ctx, "default", "every-minute", now.Add(time.Hour)), "NX: a tick set is kept")
	due, err := st.BusSchedulesDue(ctx, []string{"default"}, now)
	require.NoError(t, err)
	require.Equal(t, []string{"default"}, due)

	tick := &store.BusTick{Rule: "every-minute", At: now, Next: now.Add(time.Minute)}
	ev := []store.BusEvent{{ID: "s1", Payload: "tick", Deliveries: []string{"every-minute\x00t"}}}
	require.NoError(t, st.BusPut(ctx, &store.BusPutParams{Bus: "default", Version: -1, LeaseUntil: now, Events: ev, Tick: tick}))
	err = st.BusPut(ctx, &store.BusPutParams{Bus: "default", Version: -1, LeaseUntil: now, Events: []store.BusEvent{{ID: "s2", Payload: "tick", Deliveries: []string{"every-minute\x00t"}}}, Tick: tick})
	require.ErrorIs(t, err, store.ErrTickTaken, "a second process firing the same tick")
	ticks, err := st.BusSchedules(ctx, "default")
	require.NoError(t, err)
	require.Equal(t, map[string]time.Time{"every-minute": now.Add(time.Minute)}, ticks)
	n, err := st.BusPending(ctx, "default")
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "one event for the tick")

	require.NoError(t, st.BusPut(ctx, &store.BusPutParams{Bus: "default", Version: -1, LeaseUntil: now, Tick: &store.BusTick{Rule: "every-minute", At: now.Add(time.Minute)}}))
	ticks, err = st.BusSchedules(ctx, "default")
	require.NoError(t, err)
	require.Empty(t, ticks, "a tick with no next ends the schedule")
}

func TestArchiveEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "sbbus-")
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	var evs []store.ArchivedEvent
	for i := range 250 {
		evs = append(evs, store.ArchivedEvent{ID: string(rune('a'+i%26)) + time.Duration(i).String(), Time: t0.Add(time.Duration(i/3) * time.Second), Payload: `{"n":1}`})
	}
	require.NoError(t, st.ArchivePut(ctx, "arch", evs))
	require.NoError(t, st.ArchivePut(ctx, "arch", evs[:10]), "archived twice, counted once")

	// read in pages of 7 through the cursor: every event once, in time order
	var got []store.ArchivedEvent
	var at time.Time
	var id string
	for {
		page, err := st.ArchiveRead(ctx, "arch", t0, t0.Add(time.Hour), at, id, 7)
		require.NoError(t, err)
		got = append(got, page...)
		if len(page) < 7 {
			break
		}
		at, id = page[len(page)-1].Time, page[len(page)-1].ID
	}
	require.Len(t, got, 250)
	seen := map[string]bool{}
	for i, e := range got {
		require.False(t, seen[e.ID], "read twice: %s", e.ID)
		seen[e.ID] = true
		if i > 0 {
			require.False(t, e.Time.Before(got[i-1].Time))
		}
	}

	removed, err := st.ArchiveTrim(ctx, "arch", t0.Add(10*time.Second), 1000)
	require.NoError(t, err)
	require.Equal(t, 30, removed, "the events of the first 10 seconds")
	page, err := st.ArchiveRead(ctx, "arch", t0, t0.Add(time.Hour), time.Time{}, "", 1)
	require.NoError(t, err)
	require.Equal(t, t0.Add(10*time.Second), page[0].Time)
}

func TestReplaySwap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t, "sbbus-")
	require.NoError(t, st.ReplaySwap(ctx, "r1", "", `{"State":"STARTING"}`, 10))
	require.ErrorIs(t, st.ReplaySwap(ctx, "r1", "", `{"State":"STARTING"}`, 10), store.ErrBusChanged, "exists")
	require.ErrorIs(t, st.ReplaySwap(ctx, "r1", `{"State":"RUNNING"}`, `{}`, 10), store.ErrBusChanged, "not what was read")
	require.NoError(t, st.ReplaySwap(ctx, "r1", `{"State":"STARTING"}`, `{"State":"RUNNING"}`, 10))
	require.ErrorIs(t, st.ReplaySwap(ctx, "r2", "", `{}`, 1), store.ErrLimit, "one replay at most")
	v, err := st.Replay(ctx, "r1")
	require.NoError(t, err)
	require.Equal(t, `{"State":"RUNNING"}`, v)
	_, err = st.Replay(ctx, "r2")
	require.ErrorIs(t, err, store.ErrNotFound)
}
