package schemas

import "strings"

// Checks without writing: what CreateRegistry, CreateSchema and
// CreateDiscoverer would refuse of their input, for a caller that checks
// a whole configuration before writing any of it (internal/config). Each
// calls the same private checks the action does, in the same order, so
// the error is the action's.

// CheckRegistry returns what CreateRegistry would refuse of in, nil when
// nothing (whether the registry exists is not checked).
func (s *Service) CheckRegistry(in *CreateRegistryInput) error {
	if e := checkRegistryName(in.RegistryName); e != nil {
		return e
	}
	if strings.HasPrefix(in.RegistryName, "aws.") {
		return forbidden("Registry names starting with aws. are reserved for AWS.")
	}
	if e := firstError(checkDescription(in.Description), checkTags(in.Tags)); e != nil {
		return e
	}
	return nil
}

// CheckSchema returns what CreateSchema (or UpdateSchema with the same
// type and content) would refuse of in, nil when nothing (whether the
// registry exists is not checked).
func (s *Service) CheckSchema(in *CreateSchemaInput) error {
	if e := firstError(checkRegistryName(in.RegistryName), checkSchemaName(in.SchemaName), checkType(in.Type),
		checkDescription(in.Description), checkTags(in.Tags)); e != nil {
		return e
	}
	if msg := checkContent(in.Type, in.Content); msg != "" {
		return badRequest("%s", msg)
	}
	return nil
}

// CheckDiscoverer returns what CreateDiscoverer would refuse of in, nil
// when nothing (whether the bus exists is not checked).
func (s *Service) CheckDiscoverer(in *CreateDiscovererInput) error {
	if _, e := s.busOf(in.SourceArn); e != nil {
		return e
	}
	if e := firstError(checkDescription(in.Description), checkTags(in.Tags)); e != nil {
		return e
	}
	return nil
}

// EventBusARN is the ARN of the event bus name of the registry's region
// and account: a discoverer's SourceArn.
func (s *Service) EventBusARN(name string) string {
	return "arn:aws:events:" + s.cfg.Region + ":" + s.cfg.AccountID + ":event-bus/" + name
}

// DiscovererID is the id of the discoverer of the event bus name (a bus
// has at most one).
func DiscovererID(bus string) string { return discovererIDPrefix + bus }
