package schemas

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations/schemas/codegen"
	"github.com/signalbox/signalbox/store"
)

// schemaRecord is a schema as the store keeps it (its versions apart).
type schemaRecord struct {
	Description string            `json:"Description,omitempty"`
	Tags        map[string]string `json:"Tags,omitempty"`
}

func checkType(t string) *Error {
	if t != TypeOpenAPI3 && t != TypeJSONSchemaDraft4 {
		return badRequest("Type %q is not valid: it must be %s or %s.", clip(t, 100), TypeOpenAPI3, TypeJSONSchemaDraft4)
	}
	return nil
}

// parseVersion reads a SchemaVersion parameter: 0 for "" (the latest).
func parseVersion(v string) (int, *Error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || strconv.Itoa(n) != v {
		return 0, badRequest("SchemaVersion %q is not valid: versions are 1, 2, ...", clip(v, 100))
	}
	return n, nil
}

// writableRegistry checks that schemas may be written in registry name.
func (s *Service) writableRegistry(ctx context.Context, name string) error {
	r, _, err := s.registry(ctx, name)
	if err != nil {
		return err
	}
	if r.Scope == ScopeAWS {
		return forbidden("Registry %s is AWS's: its schemas cannot be changed.", name)
	}
	return nil
}

func (s *Service) schemaOut(registry, name string, rec *schemaRecord, modified time.Time, v *store.SchemaVersion) *Schema {
	return &Schema{Content: v.Content, Description: rec.Description, LastModified: Timestamp(modified),
		SchemaArn: s.SchemaARN(registry, name), SchemaName: name, SchemaVersion: strconv.Itoa(v.Version),
		Tags: rec.Tags, Type: v.Type, VersionCreatedDate: Timestamp(v.Created)}
}

// CreateSchemaInput is CreateSchema's request.
type CreateSchemaInput struct {
	RegistryName, SchemaName string
	Type, Content            string
	Description              *string
	Tags                     map[string]string
}

// CreateSchema creates a schema with its version 1: ConflictException
// when it exists.
func (s *Service) CreateSchema(ctx context.Context, in *CreateSchemaInput) (*Schema, error) {
	if e := firstError(checkRegistryName(in.RegistryName), checkSchemaName(in.SchemaName), checkType(in.Type),
		checkDescription(in.Description), checkTags(in.Tags)); e != nil {
		return nil, e
	}
	if msg := checkContent(in.Type, in.Content); msg != "" {
		return nil, badRequest("%s", msg)
	}
	if err := s.writableRegistry(ctx, in.RegistryName); err != nil {
		return nil, err
	}
	rec := &schemaRecord{Tags: in.Tags}
	if in.Description != nil {
		rec.Description = *in.Description
	}
	now := s.now()
	res, err := s.st.SchemaPut(ctx, &store.SchemaPutParams{Registry: in.RegistryName, Name: in.SchemaName, Mode: store.SchemaCreate,
		Type: in.Type, Content: in.Content, Record: encode(rec), MaxVersions: maxVersions, Now: now})
	if err != nil {
		return nil, s.schemaStoreError(err, in.RegistryName, in.SchemaName, "creating a schema")
	}
	return s.schemaOut(in.RegistryName, in.SchemaName, rec, now, &store.SchemaVersion{Version: res.Version, Type: in.Type, Created: now}), nil
}

// versionMissing matches the store's error for a version that does not
// exist (schema names have no spaces).
var versionMissing = regexp.MustCompile(` version (\d+)$`)

func firstError(es ...*Error) *Error {
	for _, e := range es {
		if e != nil {
			return e
		}
	}
	return nil
}

func (s *Service) schemaStoreError(err error, registry, name, what string) error {
	switch {
	case errors.Is(err, store.ErrConflict):
		return conflict("Schema %s already exists in registry %s.", name, registry)
	case errors.Is(err, store.ErrLimit):
		return badRequest("Schema %s has %d versions, the most it may hold: delete some first.", name, maxVersions)
	case errors.Is(err, store.ErrNotFound) && strings.Contains(err.Error(), "not found: registry "):
		return notFound("Registry %s does not exist.", registry)
	case errors.Is(err, store.ErrNotFound) && versionMissing.MatchString(err.Error()):
		return notFound("Version %s of schema %s does not exist.", versionMissing.FindStringSubmatch(err.Error())[1], name)
	case errors.Is(err, store.ErrNotFound):
		return notFound("Schema %s does not exist in registry %s.", name, registry)
	}
	return s.storeError(err, what)
}

// schemaVersion reads a schema's version as a request names it ("": the
// latest) with its record.
func (s *Service) schemaVersion(ctx context.Context, registry, name, version string) (*schemaRecord, *store.SchemaRecord, *store.SchemaVersion, error) {
	n, e := parseVersion(version)
	if e != nil {
		return nil, nil, nil, e
	}
	return s.getSchema(ctx, registry, name, n)
}

// getSchema reads a schema's version (0: the latest) with its record.
func (s *Service) getSchema(ctx context.Context, registry, name string, version int) (*schemaRecord, *store.SchemaRecord, *store.SchemaVersion, error) {
	if e := firstError(checkRegistryName(registry), checkSchemaName(name)); e != nil {
		return nil, nil, nil, e
	}
	if registry == RegistryAWSEvents {
		if err := s.ensureAWSRegistry(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	sr, v, err := s.st.SchemaVersionGet(ctx, registry, name, version)
	if err != nil {
		return nil, nil, nil, s.schemaStoreError(err, registry, name, "reading a schema")
	}
	var rec schemaRecord
	if err := json.Unmarshal([]byte(sr.Record), &rec); err != nil {
		return nil, nil, nil, s.storeError(err, "reading a schema")
	}
	return &rec, sr, v, nil
}

// DescribeSchema returns a version of a schema ("": the latest) with its
// content.
func (s *Service) DescribeSchema(ctx context.Context, registry, name, version string) (*Schema, error) {
	rec, sr, v, err := s.schemaVersion(ctx, registry, name, version)
	if err != nil {
		return nil, err
	}
	return s.schemaOut(registry, name, rec, sr.Modified, v), nil
}

// UpdateSchemaInput is UpdateSchema's request.
type UpdateSchemaInput struct {
	RegistryName, SchemaName string
	ClientTokenID            string
	Content, Description     *string
	Type                     *string
}

// UpdateSchema changes a schema: a Content (or Type) other than the
// latest version's makes a new version; the same content makes none. A
// Description is the schema's, whichever version.
func (s *Service) UpdateSchema(ctx context.Context, in *UpdateSchemaInput) (*Schema, error) {
	if e := firstError(checkRegistryName(in.RegistryName), checkSchemaName(in.SchemaName), checkDescription(in.Description)); e != nil {
		return nil, e
	}
	if in.Type != nil {
		if e := checkType(*in.Type); e != nil {
			return nil, e
		}
	}
	if len(in.ClientTokenID) > 36 {
		return nil, badRequest("ClientTokenId is longer than 36 characters.")
	}
	if err := s.writableRegistry(ctx, in.RegistryName); err != nil {
		return nil, err
	}
	for range 20 {
		rec, sr, latest, err := s.getSchema(ctx, in.RegistryName, in.SchemaName, 0)
		if err != nil {
			return nil, err
		}
		typ, content := latest.Type, latest.Content
		if in.Type != nil {
			typ = *in.Type
		}
		if in.Content != nil {
			content = *in.Content
		}
		if msg := checkContent(typ, content); msg != "" {
			return nil, badRequest("%s", msg)
		}
		if in.Description != nil {
			rec.Description = *in.Description
		}
		now := s.now()
		res, err := s.st.SchemaPut(ctx, &store.SchemaPutParams{Registry: in.RegistryName, Name: in.SchemaName, Mode: store.SchemaUpdate,
			Type: typ, Content: content, Expect: sr.Record, Record: encode(rec), MaxVersions: maxVersions, Now: now})
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return nil, s.schemaStoreError(err, in.RegistryName, in.SchemaName, "updating a schema")
		}
		out := s.schemaOut(in.RegistryName, in.SchemaName, rec, now, &store.SchemaVersion{Version: res.Version, Type: typ, Created: latest.Created})
		if res.New {
			out.VersionCreatedDate = Timestamp(now)
		}
		out.Content = ""
		return out, nil
	}
	return nil, conflict("Schema %s is being changed by another request; try again.", in.SchemaName)
}

// DeleteSchema deletes a schema with its versions and code bindings.
func (s *Service) DeleteSchema(ctx context.Context, registry, name string) error {
	if e := firstError(checkRegistryName(registry), checkSchemaName(name)); e != nil {
		return e
	}
	if err := s.writableRegistry(ctx, registry); err != nil {
		return err
	}
	err := s.st.SchemaDelete(ctx, registry, name, codegen.Languages())
	if err != nil {
		return s.schemaStoreError(err, registry, name, "deleting a schema")
	}
	return nil
}

// DeleteSchemaVersion deletes one version of a schema: the one before
// becomes the latest; deleting the only version deletes the schema.
func (s *Service) DeleteSchemaVersion(ctx context.Context, registry, name, version string) error {
	if e := firstError(checkRegistryName(registry), checkSchemaName(name)); e != nil {
		return e
	}
	n, e := parseVersion(version)
	if e != nil {
		return e
	}
	if n == 0 {
		return badRequest("SchemaVersion is required.")
	}
	if err := s.writableRegistry(ctx, registry); err != nil {
		return err
	}
	err := s.st.SchemaVersionDelete(ctx, registry, name, n, codegen.Languages(), s.now())
	if err != nil {
		return s.schemaStoreError(err, registry, name, "deleting a schema version")
	}
	return nil
}

// ListSchemasInput is ListSchemas's request.
type ListSchemasInput struct {
	RegistryName     string
	Limit            int
	NextToken        string
	SchemaNamePrefix string
}

// ListSchemas lists a registry's schemas by name.
func (s *Service) ListSchemas(ctx context.Context, in *ListSchemasInput) (*SchemaList, error) {
	if e := checkRegistryName(in.RegistryName); e != nil {
		return nil, e
	}
	limit, after, e := page(in.Limit, in.NextToken)
	if e != nil {
		return nil, e
	}
	if in.RegistryName == RegistryAWSEvents {
		if err := s.ensureAWSRegistry(ctx); err != nil {
			return nil, err
		}
	}
	names, next, err := s.st.SchemaList(ctx, in.RegistryName, in.SchemaNamePrefix, after, limit)
	if err != nil {
		return nil, s.schemaStoreError(err, in.RegistryName, "", "listing schemas")
	}
	recs, err := s.st.SchemaGet(ctx, in.RegistryName, names...)
	if err != nil {
		return nil, s.schemaStoreError(err, in.RegistryName, "", "listing schemas")
	}
	out := &SchemaList{Schemas: []SchemaSummary{}, NextToken: pageToken(next)}
	for _, r := range recs {
		var rec schemaRecord
		_ = json.Unmarshal([]byte(r.Record), &rec)
		out.Schemas = append(out.Schemas, SchemaSummary{LastModified: Timestamp(r.Modified), SchemaArn: s.SchemaARN(in.RegistryName, r.Name),
			SchemaName: r.Name, Tags: rec.Tags, VersionCount: int64(r.Versions)})
	}
	return out, nil
}

// ListSchemaVersions lists a schema's versions, oldest first.
func (s *Service) ListSchemaVersions(ctx context.Context, registry, name string, limit int, nextToken string) (*VersionList, error) {
	if e := firstError(checkRegistryName(registry), checkSchemaName(name)); e != nil {
		return nil, e
	}
	limit, tok, e := page(limit, nextToken)
	if e != nil {
		return nil, e
	}
	after := 0
	if tok != "" {
		if after, e = parseVersion(tok); e != nil {
			return nil, badRequest("NextToken %q is not valid.", clip(nextToken, 100))
		}
	}
	if _, _, _, err := s.getSchema(ctx, registry, name, 0); err != nil {
		return nil, err
	}
	vs, next, err := s.st.SchemaVersionList(ctx, registry, name, after, limit)
	if err != nil {
		return nil, s.schemaStoreError(err, registry, name, "listing schema versions")
	}
	out := &VersionList{SchemaVersions: []VersionSummary{}}
	if next > 0 {
		out.NextToken = pageToken(strconv.Itoa(next))
	}
	for _, v := range vs {
		out.SchemaVersions = append(out.SchemaVersions, VersionSummary{SchemaArn: s.SchemaARN(registry, name), SchemaName: name,
			SchemaVersion: strconv.Itoa(v.Version), Type: v.Type})
	}
	return out, nil
}

// SearchSchemas finds a registry's schemas by keywords: a schema matches
// when each keyword (the words of Keywords) is in its name, ignoring case,
// as the console's search matches names. Each match lists its versions.
func (s *Service) SearchSchemas(ctx context.Context, registry, keywords string, limit int, nextToken string) (*SearchList, error) {
	if e := checkRegistryName(registry); e != nil {
		return nil, e
	}
	words := strings.Fields(strings.ToLower(keywords))
	if len(words) == 0 {
		return nil, badRequest("Keywords is required.")
	}
	if len(keywords) > 1024 {
		return nil, badRequest("Keywords is longer than 1024 characters.")
	}
	limit, after, e := page(limit, nextToken)
	if e != nil {
		return nil, e
	}
	if registry == RegistryAWSEvents {
		if err := s.ensureAWSRegistry(ctx); err != nil {
			return nil, err
		}
	}
	out := &SearchList{Schemas: []SearchSummary{}}
	for scanned := 0; scanned < maxSchemasScanned; {
		names, next, err := s.st.SchemaList(ctx, registry, "", after, pageDefault)
		if err != nil {
			return nil, s.schemaStoreError(err, registry, "", "searching schemas")
		}
		scanned += len(names)
		for i, n := range names {
			after = n
			low := strings.ToLower(n)
			match := true
			for _, w := range words {
				if !strings.Contains(low, w) {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			vs, _, err := s.st.SchemaVersionList(ctx, registry, n, 0, maxVersions)
			if err != nil {
				return nil, s.schemaStoreError(err, registry, n, "searching schemas")
			}
			sum := SearchSummary{RegistryName: registry, SchemaArn: s.SchemaARN(registry, n), SchemaName: n, SchemaVersions: []SearchVersion{}}
			for _, v := range vs {
				sum.SchemaVersions = append(sum.SchemaVersions, SearchVersion{CreatedDate: Timestamp(v.Created), SchemaVersion: strconv.Itoa(v.Version), Type: v.Type})
			}
			out.Schemas = append(out.Schemas, sum)
			if len(out.Schemas) == limit {
				if next != "" || i < len(names)-1 {
					out.NextToken = pageToken(n)
				}
				return out, nil
			}
		}
		if next == "" {
			break
		}
	}
	return out, nil
}

// ExportSchema returns a version of a schema in type typ: JSONSchemaDraft4
// (AWS's one export type), converted from an OpenApi3 schema, or as it is.
func (s *Service) ExportSchema(ctx context.Context, registry, name, version, typ string) (*Export, error) {
	if typ != TypeJSONSchemaDraft4 {
		return nil, badRequest("Type %q cannot be exported to: the export type is %s.", clip(typ, 100), TypeJSONSchemaDraft4)
	}
	_, _, v, err := s.schemaVersion(ctx, registry, name, version)
	if err != nil {
		return nil, err
	}
	content := v.Content
	if v.Type == TypeOpenAPI3 {
		b, err := exportDraft4(v.Content)
		if err != nil {
			return nil, badRequest("Schema %s cannot be exported: %v.", name, err)
		}
		content = string(b)
	}
	return &Export{Content: content, SchemaArn: s.SchemaARN(registry, name), SchemaName: name, SchemaVersion: strconv.Itoa(v.Version), Type: typ}, nil
}

// GetDiscoveredSchema infers the schema of events (1 to 10 JSON events of
// one source and detail-type) in type typ.
func (s *Service) GetDiscoveredSchema(ctx context.Context, events []string, typ string) (string, error) {
	if e := checkType(typ); e != nil {
		return "", e
	}
	if len(events) == 0 || len(events) > maxDiscoverEvents {
		return "", badRequest("Events must hold 1 to %d events.", maxDiscoverEvents)
	}
	for i, ev := range events {
		if len(ev) > maxEventBytes {
			return "", badRequest("Event %d is larger than %d bytes.", i+1, maxEventBytes)
		}
	}
	doc, err := inferEvents(events)
	if err != nil {
		return "", badRequest("%s", err.Error())
	}
	if typ == TypeJSONSchemaDraft4 {
		if doc, err = exportDraft4(string(doc)); err != nil {
			return "", badRequest("%s", err.Error())
		}
	}
	return string(doc), nil
}
