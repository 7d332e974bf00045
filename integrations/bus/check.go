package bus

// The checks of the management plane's requests, without the store: what
// CreateEventBus, PutRule, PutTargets, CreateArchive, CreateConnection and
// CreateApiDestination would refuse of a request on its own. The
// configuration file (internal/config) checks all of its buses with them
// before it writes anything, so that a file the router refuses changes
// nothing; each answers the *Error the action would.

// CheckEventBus checks a bus as CreateEventBus does; the default bus,
// which exists already, is checked for what UpdateEventBus and
// TagResource take.
func (s *Service) CheckEventBus(in *CreateEventBusInput) error {
	if in.Name != DefaultBus {
		if e := checkNewBusName(in.Name); e != nil {
			return e
		}
	}
	if e := checkDescription(in.Description); e != nil {
		return e
	}
	if e := checkDLQ(in.DeadLetterConfig); e != nil {
		return e
	}
	if e := checkTags(in.Tags); e != nil {
		return e
	}
	return nil
}

// CheckRule checks a rule as PutRule does.
func (s *Service) CheckRule(in *PutRuleInput) error {
	bus, e := s.busNameOf(in.EventBusName)
	if e != nil {
		return e
	}
	if e := checkRule(bus, in); e != nil {
		return e
	}
	return nil
}

// CheckTargets checks the targets of one rule as PutTargets does (each
// one's shape, then the target), and that a rule holds them: each
// target's refusal (nil for a target taken), and the whole list's, each
// an *Error.
func (s *Service) CheckTargets(ts []Target) (each []error, all error) {
	if len(ts) > MaxTargetsPerRule {
		all = errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed: a rule has at most %d targets.", MaxTargetsPerRule)
	}
	each = make([]error, len(ts))
	for i := range ts {
		if e := checkTargetShape(i, &ts[i]); e != nil {
			each[i] = e
		} else if e := s.checkTarget(&ts[i]); e != nil {
			each[i] = e
		}
	}
	return each, all
}

// CheckArchive checks an archive as CreateArchive does.
func (s *Service) CheckArchive(in *CreateArchiveInput) error {
	if e := checkName(in.ArchiveName, "archiveName", maxArchiveName); e != nil {
		return e
	}
	if _, e := s.archiveSource(in.EventSourceArn); e != nil {
		return e
	}
	if e := checkDescription(in.Description); e != nil {
		return e
	}
	if e := checkRetention(in.RetentionDays); e != nil {
		return e
	}
	if in.EventPattern != "" {
		if e := checkEventPattern(in.EventPattern); e != nil {
			return e
		}
	}
	return nil
}

// CheckConnection checks a connection as CreateConnection does.
func (s *Service) CheckConnection(in *CreateConnectionInput) error {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return e
	}
	if e := checkDescription(in.Description); e != nil {
		return e
	}
	if e := checkAuth(in.AuthorizationType, &in.AuthParameters); e != nil {
		return e
	}
	return nil
}

// CheckAPIDestination checks an API destination as CreateApiDestination
// does, but for its connection (ConnectionArn), which is the store's to
// say.
func (s *Service) CheckAPIDestination(in *APIDestinationInput) error {
	if e := checkName(in.Name, "name", maxConnectionName); e != nil {
		return e
	}
	d := &APIDestination{Name: in.Name, InvocationEndpoint: in.InvocationEndpoint, HttpMethod: in.HttpMethod,
		InvocationRateLimitPerSecond: in.InvocationRateLimitPerSecond}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if d.InvocationRateLimitPerSecond == 0 {
		d.InvocationRateLimitPerSecond = defaultRateLimit
	}
	if e := checkAPIDest(d); e != nil {
		return e
	}
	return nil
}
