package config

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/signalbox/signalbox/integrations/schemas"
)

// SchemaService is what ApplyRegistries needs of the schema registry (a
// *schemas.Service).
type SchemaService interface {
	CheckRegistry(in *schemas.CreateRegistryInput) error
	CheckSchema(in *schemas.CreateSchemaInput) error
	CheckDiscoverer(in *schemas.CreateDiscovererInput) error
	EventBusARN(name string) string
	RegistryARN(name string) string
	SchemaARN(registry, name string) string

	DescribeRegistry(ctx context.Context, name string) (*schemas.Registry, error)
	CreateRegistry(ctx context.Context, in *schemas.CreateRegistryInput) (*schemas.Registry, error)
	UpdateRegistry(ctx context.Context, name string, description *string) (*schemas.Registry, error)
	DescribeSchema(ctx context.Context, registry, name, version string) (*schemas.Schema, error)
	CreateSchema(ctx context.Context, in *schemas.CreateSchemaInput) (*schemas.Schema, error)
	UpdateSchema(ctx context.Context, in *schemas.UpdateSchemaInput) (*schemas.Schema, error)
	DescribeDiscoverer(ctx context.Context, id string) (*schemas.Discoverer, error)
	CreateDiscoverer(ctx context.Context, in *schemas.CreateDiscovererInput) (*schemas.Discoverer, error)
	StartDiscoverer(ctx context.Context, id string) (*schemas.DiscovererState, error)
	StopDiscoverer(ctx context.Context, id string) (*schemas.DiscovererState, error)
	ListTagsForResource(ctx context.Context, arn string) (map[string]string, error)
	TagResource(ctx context.Context, arn string, tags map[string]string) error
}

// ApplyRegistries makes the schema registry hold the file's registries
// and their schemas, and a discoverer on each bus whose discovery the
// file gives. It first checks everything with the registry's own checks
// (what CreateRegistry, CreateSchema and CreateDiscoverer would refuse),
// and when anything is wrong it reports every problem, each at the line
// of its field, and writes nothing. It runs after ApplyBuses: a
// discoverer's bus must exist.
//
// Then each missing registry and schema is created; an existing
// registry's description is updated (UpdateRegistry) when it differs; an
// existing schema gets a new version (UpdateSchema) only when its latest
// version's content (as JSON) or type differ from the file's, and its
// description is updated when it differs; tags missing are added
// (TagResource). A bus with discovery: true gets a discoverer (created
// STARTED) or has its stopped one started; false stops it. Nothing is
// deleted. Applying an unchanged file changes nothing.
//
// It returns what it did to each resource ("registry created shop:
// schema Order created", "discoverer created events-event-bus-orders").
func (c *Config) ApplyRegistries(ctx context.Context, svc SchemaService) ([]string, []Problem) {
	d := &decoder{file: c.File}
	a := &registryApply{c: c, d: d, svc: svc}
	a.check()
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	var done []string
	for _, r := range c.Registries {
		if what := a.applyRegistry(ctx, r); what != "" {
			done = append(done, what)
		}
	}
	for _, b := range c.Buses {
		if what := a.applyDiscovery(ctx, b); what != "" {
			done = append(done, what)
		}
	}
	return done, d.problems
}

// registryApply is one ApplyRegistries: the file and its problems.
type registryApply struct {
	c   *Config
	d   *decoder
	svc SchemaService
}

func (a *registryApply) fail(list string, i int, field string, err error) {
	a.c.itemProblem(a.d, list, i, field, err.Error())
}

// schemaCode: the registry answered with that error code.
func schemaCode(err error, code string) bool {
	var se *schemas.Error
	return errors.As(err, &se) && se.Code == code
}

// schemaField is the field of a registry or a schema an error of the
// registry's checks is about, from how its message starts.
func schemaField(err error, otherwise string) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok {
		msg = rest
	}
	for _, w := range [][2]string{{"RegistryName", "name"}, {"Registry names", "name"}, {"SchemaName", "name"}, {"Type ", "type"},
		{"Description", "description"}, {"Tag", "tags"}, {"A resource may carry", "tags"}, {"The value of tag", "tags"}} {
		if strings.HasPrefix(msg, w[0]) {
			return w[1]
		}
	}
	return otherwise
}

func registryInput(r SchemaRegistry) *schemas.CreateRegistryInput {
	return &schemas.CreateRegistryInput{RegistryName: r.Name, Description: r.Description, Tags: r.Tags}
}

func schemaInput(registry string, s RegistrySchema) *schemas.CreateSchemaInput {
	return &schemas.CreateSchemaInput{RegistryName: registry, SchemaName: s.Name, Type: s.Type, Content: s.Content,
		Description: s.Description, Tags: s.Tags}
}

func (a *registryApply) discovererInput(b Bus) *schemas.CreateDiscovererInput {
	return &schemas.CreateDiscovererInput{SourceArn: a.svc.EventBusARN(b.Name)}
}

// check reports, without writing, what the registry would refuse of the
// file.
func (a *registryApply) check() {
	for _, r := range a.c.Registries {
		if err := a.svc.CheckRegistry(registryInput(r)); err != nil {
			a.fail("registries", r.index, schemaField(err, "name"), err)
		}
		for _, s := range r.Schemas {
			at := fmt.Sprintf("schemas[%d]", s.index)
			if s.Content == "" {
				continue // the file's problem, said by Decode
			}
			err := a.svc.CheckSchema(schemaInput(r.Name, s))
			if err == nil {
				continue
			}
			field := schemaField(err, "content")
			if field == "content" && s.File != "" {
				err = fmt.Errorf("%s: %w", s.File, err)
			}
			a.fail("registries", r.index, at+"."+field, err)
		}
	}
	for _, b := range a.c.Buses {
		if b.Discovery == nil {
			continue
		}
		if err := a.svc.CheckDiscoverer(a.discovererInput(b)); err != nil {
			a.fail("buses", b.index, "discovery", err)
		}
	}
}

// tag adds tags to a resource when it lacks some; true when it did.
func (a *registryApply) tag(ctx context.Context, arn string, tags map[string]string) (bool, error) {
	if len(tags) == 0 {
		return false, nil
	}
	have, err := a.svc.ListTagsForResource(ctx, arn)
	if err != nil {
		return false, err
	}
	if maps.Equal(have, mergeTags(have, tags)) {
		return false, nil
	}
	return true, a.svc.TagResource(ctx, arn, tags)
}

// applyRegistry creates or updates a registry, then its schemas ("" when
// the registry was refused).
func (a *registryApply) applyRegistry(ctx context.Context, r SchemaRegistry) string {
	svc := a.svc
	verb := "unchanged"
	var notes []string
	stored, err := svc.DescribeRegistry(ctx, r.Name)
	if schemaCode(err, schemas.CodeNotFound) {
		_, cerr := svc.CreateRegistry(ctx, registryInput(r))
		switch {
		case cerr == nil:
			verb = "created"
		case schemaCode(cerr, schemas.CodeConflict):
			stored, err = svc.DescribeRegistry(ctx, r.Name) // made meanwhile: updated if it differs
		default:
			a.fail("registries", r.index, "name", cerr)
			return ""
		}
	}
	switch {
	case verb == "created":
	case err != nil:
		a.fail("registries", r.index, "name", err)
		return ""
	default:
		if r.Description != nil && *r.Description != stored.Description {
			if _, err := svc.UpdateRegistry(ctx, r.Name, r.Description); err != nil {
				a.fail("registries", r.index, "description", err)
				return ""
			}
			notes = append(notes, "description")
		}
		if note, err := a.tag(ctx, svc.RegistryARN(r.Name), r.Tags); err != nil {
			a.fail("registries", r.index, "tags", err)
		} else if note {
			notes = append(notes, "tags")
		}
	}
	for _, s := range r.Schemas {
		notes = append(notes, a.applySchema(ctx, r, s)...)
	}
	return describe("registry", verb, r.Name, notes)
}

// applySchema creates a schema, or updates it when the file's differs:
// "schema Order created", "schema Order updated: version 2", nothing
// when unchanged.
func (a *registryApply) applySchema(ctx context.Context, r SchemaRegistry, s RegistrySchema) []string {
	svc := a.svc
	at := fmt.Sprintf("schemas[%d]", s.index)
	stored, err := svc.DescribeSchema(ctx, r.Name, s.Name, "")
	if schemaCode(err, schemas.CodeNotFound) {
		_, cerr := svc.CreateSchema(ctx, schemaInput(r.Name, s))
		if cerr == nil {
			return []string{nested("schema", "created", s.Name, nil)}
		}
		if !schemaCode(cerr, schemas.CodeConflict) {
			a.fail("registries", r.index, at+"."+schemaField(cerr, "content"), cerr)
			return nil
		}
		stored, err = svc.DescribeSchema(ctx, r.Name, s.Name, "") // made meanwhile: updated if it differs
	}
	if err != nil {
		a.fail("registries", r.index, at+".name", err)
		return nil
	}
	upd := &schemas.UpdateSchemaInput{RegistryName: r.Name, SchemaName: s.Name}
	var notes []string
	if stored.Type != s.Type || !sameValue(true, stored.Content, s.Content) {
		upd.Type, upd.Content = &s.Type, &s.Content
	}
	if s.Description != nil && *s.Description != stored.Description {
		upd.Description, notes = s.Description, append(notes, "description")
	}
	if upd.Content != nil || upd.Description != nil {
		out, err := svc.UpdateSchema(ctx, upd)
		if err != nil {
			a.fail("registries", r.index, at+"."+schemaField(err, "content"), err)
			return nil
		}
		if upd.Content != nil {
			notes = append(notes, "version "+out.SchemaVersion)
		}
	}
	if note, err := a.tag(ctx, svc.SchemaARN(r.Name, s.Name), s.Tags); err != nil {
		a.fail("registries", r.index, at+".tags", err)
	} else if note {
		notes = append(notes, "tags")
	}
	if len(notes) == 0 {
		return nil
	}
	return []string{nested("schema", "updated", s.Name, notes)}
}

// applyDiscovery brings a bus's discoverer to the file's discovery:
// created (STARTED) or started when true, stopped when false ("" when the
// file leaves discovery out, or when false finds none).
func (a *registryApply) applyDiscovery(ctx context.Context, b Bus) string {
	if b.Discovery == nil {
		return ""
	}
	svc := a.svc
	id := schemas.DiscovererID(b.Name)
	stored, err := svc.DescribeDiscoverer(ctx, id)
	switch {
	case schemaCode(err, schemas.CodeNotFound) && !*b.Discovery:
		return ""
	case schemaCode(err, schemas.CodeNotFound):
		_, cerr := svc.CreateDiscoverer(ctx, a.discovererInput(b))
		if cerr == nil {
			return describe("discoverer", "created", id, nil)
		}
		if !schemaCode(cerr, schemas.CodeConflict) {
			a.fail("buses", b.index, "discovery", cerr)
			return ""
		}
		if stored, err = svc.DescribeDiscoverer(ctx, id); err != nil { // made meanwhile: started if stopped
			a.fail("buses", b.index, "discovery", err)
			return ""
		}
	case err != nil:
		a.fail("buses", b.index, "discovery", err)
		return ""
	}
	switch {
	case *b.Discovery && stored.State != schemas.StateStarted:
		_, err = svc.StartDiscoverer(ctx, id)
		if err == nil {
			return describe("discoverer", "updated", id, []string{"started"})
		}
	case !*b.Discovery && stored.State != schemas.StateStopped:
		_, err = svc.StopDiscoverer(ctx, id)
		if err == nil {
			return describe("discoverer", "updated", id, []string{"stopped"})
		}
	default:
		return describe("discoverer", "unchanged", id, nil)
	}
	a.fail("buses", b.index, "discovery", err)
	return ""
}
