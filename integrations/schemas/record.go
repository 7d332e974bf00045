package schemas

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/signalbox/signalbox/store"
)

// record is one kind of the registry's JSON records kept whole under a
// name (registries, discoverers): their read and their compare-and-set
// change, with the answers both give, written once.
type record[T any] struct {
	what  string // in the store errors' context: "registry"
	title string // in NotFound and Conflict: "Registry"
	get   func(st *store.Client, ctx context.Context, name string) (string, error)
	swap  func(st *store.Client, ctx context.Context, name, old, new string) error
}

var (
	registryRecords   = record[registryRecord]{what: "registry", title: "Registry", get: (*store.Client).SchemaRegistryGet, swap: (*store.Client).SchemaRegistrySwap}
	discovererRecords = record[discovererRecord]{what: "discoverer", title: "Discoverer", get: (*store.Client).SchemaDiscovererGet, swap: (*store.Client).SchemaDiscovererSwap}
)

// maxSwaps bounds a change's compare-and-set attempts before it answers
// ConflictException.
const maxSwaps = 20

func (k *record[T]) missing(name string) *Error {
	return notFound("%s %s does not exist.", k.title, name)
}

// read returns a record, decoded and as stored (a change's expectation):
// NotFoundException when there is none.
func (k *record[T]) read(ctx context.Context, s *Service, name string) (*T, string, error) {
	raw, err := k.get(s.st, ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", k.missing(name)
	}
	if err != nil {
		return nil, "", s.storeError(err, "reading a "+k.what)
	}
	var r T
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, "", s.storeError(err, "reading a "+k.what)
	}
	return &r, raw, nil
}

// change reads a record with read (the kind's checks and read), changes
// it with f and swaps it in if it is still what was read, again when it
// moved meanwhile. It returns the record as written.
func (k *record[T]) change(ctx context.Context, s *Service, name string, read func() (*T, string, error), f func(*T) *Error) (*T, error) {
	for range maxSwaps {
		r, raw, err := read()
		if err != nil {
			return nil, err
		}
		if e := f(r); e != nil {
			return nil, e
		}
		err = k.swap(s.st, ctx, name, raw, encode(r))
		switch {
		case err == nil:
			return r, nil
		case errors.Is(err, store.ErrNotFound):
			return nil, k.missing(name)
		case !errors.Is(err, store.ErrStale):
			return nil, s.storeError(err, "updating a "+k.what)
		}
	}
	return nil, conflict("%s %s is being changed by another request; try again.", k.title, name)
}
