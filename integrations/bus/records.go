package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// The management plane keeps archives, connections and API destinations
// alike: each a JSON record in one hash of its kind, named, written
// compare-and-set (store.ArchiveWrite and its siblings). records[T] is
// one such kind; its read, create, change and list are written here once,
// and each resource's file says only what differs: its checks, its
// fields, its filters.
type records[T any] struct {
	what     string // in a corrupt record's error: "archive"
	title    string // in ConcurrentModificationException: "Archive"
	token    string // the page tokens' kind: "archives"
	limit    int    // the records of the kind, at most
	member   string // the requests' name member: "archiveName"
	maxName  int    // a name's length, at most
	missing  func(name string) *Error
	exists   func(name string) *Error // a create of a name taken
	get      func(st *store.Client, ctx context.Context, name string) (string, error)
	write    func(st *store.Client, ctx context.Context, name, expect, record string, limit int) error
	all      func(st *store.Client, ctx context.Context) (map[string]string, error)
	nameOf   func(v *T) string
	modified func(v *T, s *Service) // stamps a change (nil: not stamped)
}

var archiveRecords = &records[Archive]{what: "archive", title: "Archive", token: "archives", limit: MaxArchives,
	member: "archiveName", maxName: maxArchiveName,
	missing: archiveErrMissing,
	exists: func(name string) *Error {
		return errorf("ResourceAlreadyExistsException", "Archive %s already exists.", name)
	},
	get: (*store.Client).ArchiveGet, write: (*store.Client).ArchiveWrite, all: (*store.Client).Archives,
	nameOf: func(a *Archive) string { return a.ArchiveName }}

var connectionRecords = &records[Connection]{what: "connection", title: "Connection", token: "connections", limit: MaxConnections,
	member: "name", maxName: maxConnectionName,
	missing: connectionErrMissing,
	exists: func(name string) *Error {
		return errorf("ResourceAlreadyExistsException", "Connection %s already exists.", name)
	},
	get: (*store.Client).ConnectionGet, write: (*store.Client).ConnectionWrite, all: (*store.Client).Connections,
	nameOf:   func(c *Connection) string { return c.Name },
	modified: func(c *Connection, s *Service) { c.LastModifiedTime = s.now().UTC() }}

var apiDestRecords = &records[APIDestination]{what: "API destination", title: "API destination", token: "apidests", limit: MaxAPIDestinations,
	member: "name", maxName: maxConnectionName,
	missing: apiDestErrMissing,
	exists: func(name string) *Error {
		return errorf("ResourceAlreadyExistsException", "An api-destination %s already exists.", name)
	},
	get: (*store.Client).APIDestinationGet, write: (*store.Client).APIDestinationWrite, all: (*store.Client).APIDestinations,
	nameOf:   func(d *APIDestination) string { return d.Name },
	modified: func(d *APIDestination, s *Service) { d.LastModifiedTime = s.now().UTC() }}

// errRecordDeleted tells change to delete the record.
var errRecordDeleted = errors.New("delete the record")

func (k *records[T]) decode(name, rec string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal([]byte(rec), v); err != nil {
		return nil, storeError(fmt.Errorf("%w: %s %s: %v", store.ErrCorrupt, k.what, name, err), nil)
	}
	return v, nil
}

// read returns a record, decoded and as stored (the compare-and-set's
// expectation).
func (k *records[T]) read(ctx context.Context, s *Service, name string) (*T, string, error) {
	rec, err := k.get(s.st, ctx, name)
	if err != nil {
		return nil, "", storeError(err, k.missing(name))
	}
	v, err := k.decode(name, rec)
	if err != nil {
		return nil, "", err
	}
	return v, rec, nil
}

// describe checks a request's name and reads its record.
func (k *records[T]) describe(ctx context.Context, s *Service, name string) (*T, error) {
	if e := checkName(name, k.member, k.maxName); e != nil {
		return nil, e
	}
	v, _, err := k.read(ctx, s, name)
	return v, err
}

// create writes a new record; the name taken is the kind's
// ResourceAlreadyExistsException. It returns the record written.
func (k *records[T]) create(ctx context.Context, s *Service, v *T) (string, error) {
	name := k.nameOf(v)
	rec, err := json.Marshal(v)
	if err != nil {
		return "", storeError(err, nil)
	}
	err = k.write(s.st, ctx, name, "", string(rec), k.limit)
	if errors.Is(err, store.ErrBusChanged) {
		return "", k.exists(name)
	}
	if err != nil {
		return "", storeError(err, k.missing(name))
	}
	return string(rec), nil
}

// change reads a record, lets f change it and writes it back if it is
// still what was read, again while other writers come first (at most
// maxConcurrentTries times). f returning errRecordDeleted deletes the
// record. It returns the record as written (as read, when deleted).
func (k *records[T]) change(ctx context.Context, s *Service, name string, f func(v *T) error) (*T, error) {
	for range maxConcurrentTries {
		v, cur, err := k.read(ctx, s, name)
		if err != nil {
			return nil, err
		}
		rec := ""
		switch err := f(v); {
		case errors.Is(err, errRecordDeleted):
		case err != nil:
			return nil, err
		default:
			if k.modified != nil {
				k.modified(v, s)
			}
			b, err := json.Marshal(v)
			if err != nil {
				return nil, storeError(err, nil)
			}
			rec = string(b)
		}
		err = k.write(s.st, ctx, name, cur, rec, k.limit)
		if errors.Is(err, store.ErrBusChanged) {
			continue
		}
		if err != nil {
			return nil, storeError(err, k.missing(name))
		}
		return v, nil
	}
	return nil, errConcurrent(k.title + " " + name)
}

// list returns a page of the records whose names come after the page
// token and have the prefix, and that keep keeps: by name, at most limit
// (listLimit's, which the caller checked first), and the next page's token.
func (k *records[T]) list(ctx context.Context, s *Service, prefix, token string, limit int, keep func(v *T) bool) (page []T, next string, err error) {
	after, e := parsePageToken(k.token, token)
	if e != nil {
		return nil, "", e
	}
	recs, err := k.all(s.st, ctx)
	if err != nil {
		return nil, "", storeError(err, nil)
	}
	names := make([]string, 0, len(recs))
	for n := range recs {
		if n > after && strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	page = []T{}
	for _, n := range names {
		v, err := k.decode(n, recs[n])
		if err != nil {
			return nil, "", err
		}
		if !keep(v) {
			continue
		}
		if len(page) == limit {
			return page, pageToken(k.token, k.nameOf(&page[limit-1])), nil
		}
		page = append(page, *v)
	}
	return page, "", nil
}
