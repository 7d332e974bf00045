package schemas

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/signalbox/signalbox/integrations/schemas/codegen"
	"github.com/signalbox/signalbox/store"
)

// Code bindings: PutCodeBinding records the binding CREATE_IN_PROGRESS
// and answers at once (202, as AWS); the code is generated in the
// background (codegen.Generate, at most two at once per process), zipped
// and stored with the binding CREATE_COMPLETE, or the binding is
// CREATE_FAILED. A failed binding, or one in progress for longer than
// bindingStale (its process died), is generated again by the next
// PutCodeBinding; a complete one is answered as it is.

// bindingStale is how long a binding may stay in progress before a put
// starts it again: generation takes well under a second.
const bindingStale = 5 * time.Minute

// maxBindingBytes bounds a binding's archive.
const maxBindingBytes = 8 << 20

// bindingRecord is a code binding as the store keeps it.
type bindingRecord struct {
	Status   string `json:"Status"`
	Created  int64  `json:"Created"`
	Modified int64  `json:"Modified"`
	Error    string `json:"Error,omitempty"`
}

func checkLanguage(l string) *Error {
	if !slices.Contains(codegen.Languages(), l) {
		return badRequest("Language %q is not valid: it must be one of %v.", clip(l, 100), codegen.Languages())
	}
	return nil
}

func bindingOut(version int, r *bindingRecord) *CodeBinding {
	return &CodeBinding{CreationDate: Timestamp(time.UnixMilli(r.Created)), LastModified: Timestamp(time.UnixMilli(r.Modified)),
		SchemaVersion: strconv.Itoa(version), Status: r.Status}
}

// PutCodeBinding starts the code binding of a schema version ("": the
// latest) in language, unless one is there.
func (s *Service) PutCodeBinding(ctx context.Context, registry, name, version, language string) (*CodeBinding, error) {
	if e := checkLanguage(language); e != nil {
		return nil, e
	}
	_, _, v, err := s.schemaVersion(ctx, registry, name, version)
	if err != nil {
		return nil, err
	}
	now := s.now()
	restart := []string{BindingFailed}
	if raw, _, err := s.st.SchemaBindingGet(ctx, registry, name, v.Version, language, false); err == nil {
		var cur bindingRecord
		if json.Unmarshal([]byte(raw), &cur) == nil && cur.Status == BindingInProgress && now.Sub(time.UnixMilli(cur.Modified)) > bindingStale {
			restart = append(restart, BindingInProgress)
		}
	}
	rec := &bindingRecord{Status: BindingInProgress, Created: now.UnixMilli(), Modified: now.UnixMilli()}
	started := encode(rec)
	raw, isNew, err := s.st.SchemaBindingPut(ctx, registry, name, v.Version, language, started, restart)
	if err != nil {
		return nil, s.schemaStoreError(err, registry, name, "starting a code binding")
	}
	if !isNew {
		var cur bindingRecord
		if err := json.Unmarshal([]byte(raw), &cur); err != nil {
			return nil, s.storeError(err, "reading a code binding")
		}
		return bindingOut(v.Version, &cur), nil
	}
	in := codegen.Input{RegistryName: registry, SchemaName: name, SchemaVersion: strconv.Itoa(v.Version), Type: v.Type, Content: []byte(v.Content)}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.generate(in, v.Version, language, started, rec)
	}()
	return bindingOut(v.Version, rec), nil
}

// generate writes a binding's code and ends it.
func (s *Service) generate(in codegen.Input, version int, language, started string, rec *bindingRecord) {
	select {
	case s.gen <- struct{}{}:
		defer func() { <-s.gen }()
	case <-s.life.Done():
		return // the binding stays in progress; a put after bindingStale starts it again
	}
	archive, err := func() (b []byte, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("the generator failed: %v", p)
			}
		}()
		files, err := codegen.Generate(language, in)
		if err != nil {
			return nil, err
		}
		return zipFiles(files)
	}()
	end := *rec
	end.Modified = s.now().UnixMilli()
	if err != nil {
		end.Status, end.Error = BindingFailed, clip(err.Error(), 1024)
		archive = nil
	} else {
		end.Status = BindingComplete
	}
	err = s.st.SchemaBindingEnd(s.life, in.RegistryName, in.SchemaName, version, language, started, encode(&end), archive)
	if err != nil && !errors.Is(err, store.ErrStale) && s.life.Err() == nil {
		s.cfg.Logger.Warn("code binding: storing", "schema", in.SchemaName, "language", language, "err", err)
	}
}

// zipFiles archives files by path, in path order with a fixed date, so
// that the same files make the same archive.
func zipFiles(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		f, err := w.CreateHeader(&zip.FileHeader{Name: p, Method: zip.Deflate, Modified: time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, fmt.Errorf("zipping %s: %w", p, err)
		}
		if _, err := f.Write(files[p]); err != nil {
			return nil, fmt.Errorf("zipping %s: %w", p, err)
		}
		if buf.Len() > maxBindingBytes {
			return nil, fmt.Errorf("the generated code is larger than %d bytes", maxBindingBytes)
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (s *Service) binding(ctx context.Context, registry, name, version, language string, withSource bool) (*bindingRecord, int, []byte, error) {
	if e := checkLanguage(language); e != nil {
		return nil, 0, nil, e
	}
	_, _, v, err := s.schemaVersion(ctx, registry, name, version)
	if err != nil {
		return nil, 0, nil, err
	}
	raw, src, err := s.st.SchemaBindingGet(ctx, registry, name, v.Version, language, withSource)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, nil, notFound("Schema %s version %d has no code binding in %s.", name, v.Version, language)
	}
	if err != nil {
		return nil, 0, nil, s.storeError(err, "reading a code binding")
	}
	var r bindingRecord
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, 0, nil, s.storeError(err, "reading a code binding")
	}
	return &r, v.Version, src, nil
}

// DescribeCodeBinding returns a code binding's status.
func (s *Service) DescribeCodeBinding(ctx context.Context, registry, name, version, language string) (*CodeBinding, error) {
	r, v, _, err := s.binding(ctx, registry, name, version, language, false)
	if err != nil {
		return nil, err
	}
	return bindingOut(v, r), nil
}

// GetCodeBindingSource returns a complete code binding's archive (a zip):
// NotFoundException while it is not complete.
func (s *Service) GetCodeBindingSource(ctx context.Context, registry, name, version, language string) ([]byte, error) {
	r, v, src, err := s.binding(ctx, registry, name, version, language, true)
	if err != nil {
		return nil, err
	}
	if r.Status != BindingComplete || src == nil {
		return nil, notFound("The code binding of schema %s version %d in %s is %s, not %s.", name, v, language, r.Status, BindingComplete)
	}
	return src, nil
}
