package runtime

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/store"
)

// Versions and aliases. A version is an immutable, numbered snapshot of a
// state machine's definition ("...:stateMachine:<name>:<n>"); an alias is a
// name ("...:stateMachine:<name>:<alias>") that routes executions to one
// version, or to two by weight. StartExecution with an alias ARN picks the
// version at random by weight, and the execution records both
// (ExecutionOrigin).

// AWS's errors about versions, aliases and executions.
var (
	// ErrConflict is AWS's ConflictException: an alias of that name
	// exists with another configuration.
	ErrConflict = errors.New("ConflictException")
	// ErrServiceQuotaExceeded is AWS's ServiceQuotaExceededException.
	ErrServiceQuotaExceeded = errors.New("ServiceQuotaExceededException")
	// ErrExecutionDoesNotExist is AWS's ExecutionDoesNotExist.
	ErrExecutionDoesNotExist = errors.New("ExecutionDoesNotExist")
)

// MaxAliases is how many aliases a state machine may have, as on AWS.
const MaxAliases = 100

// AliasRoute sends Weight percent of an alias's executions to a version.
type AliasRoute struct {
	VersionARN string
	Weight     int
}

// AliasInfo is a state machine alias, as DescribeStateMachineAlias
// returns it.
type AliasInfo struct {
	ARN, Name, Description string
	Routing                []AliasRoute
	Created, Updated       time.Time
}

// PublishStateMachineVersion publishes the state machine's current
// definition as its next version and returns the version's ARN and
// creation date. When the latest version already has that definition it
// is returned instead: publishing is idempotent for an unchanged state
// machine.
func (d *Durable) PublishStateMachineVersion(ctx context.Context, stateMachineARN, description string) (versionARN string, created time.Time, err error) {
	defer func() { err = fromStore(err) }()
	name, qualifier, err := splitStateMachineARN(stateMachineARN)
	if err != nil {
		return "", time.Time{}, err
	}
	if qualifier != "" {
		return "", time.Time{}, fmt.Errorf("%w: %q is a version or alias ARN, not a state machine's", ErrInvalidArn, stateMachineARN)
	}
	if err := checkDescription(description); err != nil {
		return "", time.Time{}, err
	}
	sm, err := d.store.StateMachineGet(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return "", time.Time{}, fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, d.StateMachineARN(name))
	}
	if err != nil {
		return "", time.Time{}, err
	}
	n, err := d.store.StateMachineVersionPublish(ctx, name, sm.DefinitionSHA, description, d.now())
	if err != nil {
		return "", time.Time{}, versionLimit(err)
	}
	v, err := d.store.StateMachineVersionGet(ctx, name, n)
	if err != nil {
		return "", time.Time{}, err
	}
	return d.versionARN(name, n), v.Created, nil
}

// DeleteStateMachineVersion deletes a published version: it can no longer
// be started, described or routed to, while its executions run on (each
// keeps the definition it started with). Deleting a version that does not
// exist does nothing, as on AWS; one that an alias routes to is
// ErrConflict with AWS's message, naming the aliases. Its number is never
// given to another version.
func (d *Durable) DeleteStateMachineVersion(ctx context.Context, versionARN string) (err error) {
	defer func() { err = fromStore(err) }()
	name, qualifier, err := splitStateMachineARN(versionARN)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(qualifier)
	if err != nil || version < 1 {
		return fmt.Errorf("%w: %q is not a state machine version ARN", ErrValidation, versionARN)
	}
	aliases, err := d.store.StateMachineVersionDelete(ctx, name, version)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [%s]",
			ErrConflict, strings.Join(aliases, ", "))
	}
	return err
}

// CreateStateMachineAlias creates an alias of the state machine whose
// versions routing names. As on AWS it is idempotent: the same name,
// description and routing return the existing alias; the same name with
// another configuration is ErrConflict.
func (d *Durable) CreateStateMachineAlias(ctx context.Context, name, description string, routing []AliasRoute) (_ *AliasInfo, err error) {
	defer func() { err = fromStore(err) }()
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	if err := checkDescription(description); err != nil {
		return nil, err
	}
	sm, routes, err := parseRouting(routing)
	if err != nil {
		return nil, err
	}
	now := d.now()
	a, _, err := d.store.AliasCreate(ctx, sm, &store.Alias{Name: name, Description: description, Routing: routes, Created: now, Updated: now}, MaxAliases)
	if err != nil {
		return nil, d.aliasError(err, sm, name)
	}
	return d.aliasInfo(sm, a), nil
}

// DescribeStateMachineAlias returns an alias.
func (d *Durable) DescribeStateMachineAlias(ctx context.Context, aliasARN string) (_ *AliasInfo, err error) {
	defer func() { err = fromStore(err) }()
	sm, name, err := parseAliasARN(aliasARN)
	if err != nil {
		return nil, err
	}
	a, err := d.store.AliasGet(ctx, sm, name)
	if err != nil {
		return nil, d.aliasError(err, sm, name)
	}
	return d.aliasInfo(sm, a), nil
}

// UpdateStateMachineAlias changes an alias's description (unless empty)
// and routing (unless nil); one of the two must be given. Executions
// started afterwards follow the new routing.
func (d *Durable) UpdateStateMachineAlias(ctx context.Context, aliasARN, description string, routing []AliasRoute) (_ *AliasInfo, err error) {
	defer func() { err = fromStore(err) }()
	sm, name, err := parseAliasARN(aliasARN)
	if err != nil {
		return nil, err
	}
	if description == "" && routing == nil {
		return nil, fmt.Errorf("%w: give a description or a routing configuration to update", ErrValidation)
	}
	if err := checkDescription(description); err != nil {
		return nil, err
	}
	var routes []store.AliasRoute
	if routing != nil {
		var of string
		if of, routes, err = parseRouting(routing); err != nil {
			return nil, err
		}
		if of != sm {
			return nil, fmt.Errorf("%w: alias %s of state machine %s cannot route to versions of %s", ErrValidation, name, sm, of)
		}
	}
	a, err := d.store.AliasUpdate(ctx, sm, name, d.now(), func(a *store.Alias) {
		if description != "" {
			a.Description = description
		}
		if routes != nil {
			a.Routing = routes
		}
	})
	if err != nil {
		return nil, d.aliasError(err, sm, name)
	}
	return d.aliasInfo(sm, a), nil
}

// DeleteStateMachineAlias deletes an alias; the versions it routed to
// stay.
func (d *Durable) DeleteStateMachineAlias(ctx context.Context, aliasARN string) (err error) {
	defer func() { err = fromStore(err) }()
	sm, name, err := parseAliasARN(aliasARN)
	if err != nil {
		return err
	}
	if err := d.store.AliasDelete(ctx, sm, name); err != nil {
		return d.aliasError(err, sm, name)
	}
	return nil
}

// ListStateMachineAliases lists a state machine's aliases, newest first,
// limit (0: 100, at most 1000) at a time; with a version ARN, the aliases
// that route to that version. next is the cursor of the following page,
// "" at the end.
func (d *Durable) ListStateMachineAliases(ctx context.Context, stateMachineARN, cursor string, limit int) (_ []*AliasInfo, _ string, err error) {
	defer func() { err = fromStore(err) }()
	sm, qualifier, err := splitStateMachineARN(stateMachineARN)
	if err != nil {
		return nil, "", err
	}
	version := 0
	if qualifier != "" {
		if version, err = strconv.Atoi(qualifier); err != nil || version < 1 {
			return nil, "", fmt.Errorf("%w: %q is an alias ARN; list the aliases of a state machine or of a version", ErrInvalidArn, stateMachineARN)
		}
	}
	if limit < 0 || limit > 1000 {
		return nil, "", fmt.Errorf("%w: maxResults must be 0 to 1000, got %d", ErrValidation, limit)
	}
	limit = cmp.Or(limit, 100)
	after, err := parseAliasCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	all, err := d.store.AliasList(ctx, sm)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, d.StateMachineARN(sm))
	}
	if err != nil {
		return nil, "", err
	}
	if version > 0 {
		if _, err := d.store.StateMachineVersionGet(ctx, sm, version); err != nil {
			return nil, "", d.aliasError(err, sm, "")
		}
		all = slices.DeleteFunc(all, func(a *store.Alias) bool {
			return !slices.ContainsFunc(a.Routing, func(r store.AliasRoute) bool { return r.Version == version })
		})
	}
	slices.SortFunc(all, compareAliases)
	if after != nil {
		i, _ := slices.BinarySearchFunc(all, after, compareAliases)
		for i < len(all) && compareAliases(all[i], after) <= 0 {
			i++
		}
		all = all[i:]
	}
	next := ""
	if len(all) > limit {
		all = all[:limit]
		last := all[limit-1]
		next = strconv.FormatInt(last.Created.UnixMilli(), 10) + "/" + last.Name
	}
	out := make([]*AliasInfo, len(all))
	for i, a := range all {
		out[i] = d.aliasInfo(sm, a)
	}
	return out, next, nil
}

// ListStateMachineVersions lists a state machine's published versions,
// newest first, limit (0: 100, at most 1000) at a time: their ARNs and
// creation dates. next is the cursor of the following page, "" at the
// end. A state machine that does not exist has none (AWS documents no
// StateMachineDoesNotExist for ListStateMachineVersions).
func (d *Durable) ListStateMachineVersions(ctx context.Context, name, cursor string, limit int) (_ []*StateMachineInfo, _ string, err error) {
	defer func() { err = fromStore(err) }()
	if limit < 0 || limit > 1000 {
		return nil, "", fmt.Errorf("%w: maxResults must be 0 to 1000, got %d", ErrValidation, limit)
	}
	limit = cmp.Or(limit, 100)
	before := 0 // the versions below this number; 0: all
	if cursor != "" {
		if before, err = strconv.Atoi(cursor); err != nil || before < 1 {
			return nil, "", fmt.Errorf("%w: %q is not a page token of ListStateMachineVersions", ErrInvalidToken, cursor)
		}
	}
	all, err := d.store.StateMachineVersionList(ctx, name)
	if err != nil {
		return nil, "", err
	}
	if before > 0 {
		all = slices.DeleteFunc(all, func(v *store.StateMachineVersion) bool { return v.Version >= before })
	}
	next := ""
	if len(all) > limit {
		all = all[:limit]
		next = strconv.Itoa(all[limit-1].Version)
	}
	out := make([]*StateMachineInfo, len(all))
	for i, v := range all {
		out[i] = &StateMachineInfo{ARN: d.versionARN(name, v.Version), Name: name, Created: v.Created, Description: v.Description}
	}
	return out, next, nil
}

// compareAliases orders aliases newest first, then by name.
func compareAliases(a, b *store.Alias) int {
	return cmp.Or(b.Created.Compare(a.Created), strings.Compare(a.Name, b.Name))
}

func parseAliasCursor(cursor string) (*store.Alias, error) {
	if cursor == "" {
		return nil, nil
	}
	ms, name, ok := strings.Cut(cursor, "/")
	n, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || name == "" {
		return nil, fmt.Errorf("%w: %q is not a page token of ListStateMachineAliases", ErrInvalidToken, cursor)
	}
	return &store.Alias{Name: name, Created: time.UnixMilli(n).UTC()}, nil
}

// ExecutionOrigin returns the version and alias ARNs an execution was
// started through, as DescribeExecution's stateMachineVersionArn and
// stateMachineAliasArn: both empty when it was started by the state
// machine's own ARN, the version only when by a version ARN.
func (d *Durable) ExecutionOrigin(ctx context.Context, id string) (versionARN, aliasARN string, err error) {
	defer func() { err = fromStore(err) }()
	return d.store.ExecutionOriginGet(ctx, id)
}

// DescribeStateMachineForExecution returns the state machine an execution
// runs, with the definition the execution started with (by hash), even
// when the state machine was updated or deleted since. RevisionID is the
// state machine's current revision when that still has the execution's
// definition, else empty.
func (d *Durable) DescribeStateMachineForExecution(ctx context.Context, executionARN string) (_ *StateMachineInfo, err error) {
	defer func() { err = fromStore(err) }()
	id, smName, err := d.ExecutionIDOf(executionARN)
	if err != nil {
		return nil, err
	}
	e, err := d.store.ExecutionGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrExecutionDoesNotExist, executionARN)
	}
	if err != nil {
		return nil, err
	}
	def, err := d.store.DefinitionGet(ctx, e.DefinitionSHA)
	if err != nil {
		return nil, err
	}
	info := &StateMachineInfo{ARN: e.StateMachineARN, Name: smName, Definition: def, Type: TypeStandard,
		RoleARN: cmp.Or(e.RoleARN, d.defaultRoleARN())}
	sm, err := d.store.StateMachineGet(ctx, smName)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return info, nil // deleted since
	case err != nil:
		return nil, err
	}
	info.Type, info.Created, info.Updated = sm.Type, sm.Created, cmp.Or(sm.Updated, sm.Created)
	info.RoleARN, info.Tracing = cmp.Or(sm.RoleARN, info.RoleARN), sm.Tracing
	if sm.DefinitionSHA == e.DefinitionSHA {
		info.RevisionID = sm.RevisionID
	}
	return info, nil
}

// origin is how an execution was started: through a version, and maybe an
// alias that picked it.
type origin struct{ version, alias string }

// route turns an alias ARN into the ARN of the version the alias picks for
// one execution, at random by weight; other ARNs are returned unchanged,
// with the version they name, if any.
func (d *Durable) route(ctx context.Context, arn string) (string, origin, error) {
	sm, qualifier, err := splitStateMachineARN(arn)
	if err != nil || qualifier == "" {
		return arn, origin{}, nil // resolve reports a malformed ARN
	}
	if v, err := strconv.Atoi(qualifier); err == nil {
		return arn, origin{version: d.versionARN(sm, v)}, nil
	}
	a, err := d.store.AliasGet(ctx, sm, qualifier)
	if errors.Is(err, store.ErrNotFound) {
		return "", origin{}, fmt.Errorf("%w: %s", ErrStateMachineDoesNotExist, arn)
	}
	if err != nil {
		return "", origin{}, err
	}
	v := pickVersion(a.Routing, rand.IntN(100))
	target := d.versionARN(sm, v)
	return target, origin{version: target, alias: d.aliasARN(sm, qualifier)}, nil
}

// pickVersion returns the version whose share of 0..99 holds n.
func pickVersion(routes []store.AliasRoute, n int) int {
	for _, r := range routes {
		if n < r.Weight {
			return r.Version
		}
		n -= r.Weight
	}
	return routes[len(routes)-1].Version
}

// recordOrigin records the version and alias an execution was started
// through; nothing for the state machine's own ARN.
func (d *Durable) recordOrigin(ctx context.Context, id string, o origin) error {
	if o == (origin{}) {
		return nil
	}
	return d.store.ExecutionOriginSet(ctx, id, o.version, o.alias)
}

func (d *Durable) versionARN(sm string, version int) string {
	return d.StateMachineARN(sm) + ":" + strconv.Itoa(version)
}

func (d *Durable) aliasARN(sm, alias string) string {
	return d.StateMachineARN(sm) + ":" + alias
}

func (d *Durable) aliasInfo(sm string, a *store.Alias) *AliasInfo {
	info := &AliasInfo{ARN: d.aliasARN(sm, a.Name), Name: a.Name, Description: a.Description, Created: a.Created, Updated: a.Updated}
	for _, r := range a.Routing {
		info.Routing = append(info.Routing, AliasRoute{VersionARN: d.versionARN(sm, r.Version), Weight: r.Weight})
	}
	return info
}

// aliasError translates the store's errors about aliases.
func (d *Durable) aliasError(err error, sm, alias string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %v", ErrResourceNotFound, strings.TrimPrefix(err.Error(), store.ErrNotFound.Error()+": "))
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: alias %s of %s exists with another description or routing", ErrConflict, alias, d.StateMachineARN(sm))
	case errors.Is(err, store.ErrLimit):
		return fmt.Errorf("%w: a state machine has at most %d aliases", ErrServiceQuotaExceeded, MaxAliases)
	}
	return err
}

// splitStateMachineARN splits
// "arn:<partition>:states:<region>:<account>:stateMachine:<name>[:<qualifier>]",
// the qualifier being a version number or an alias name.
func splitStateMachineARN(arn string) (name, qualifier string, err error) {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "states" || parts[5] != "stateMachine" || parts[6] == "" {
		return "", "", fmt.Errorf("%w: %q is not a state machine ARN", ErrInvalidArn, arn)
	}
	if len(parts) == 8 {
		if parts[7] == "" {
			return "", "", fmt.Errorf("%w: %q is not a state machine ARN", ErrInvalidArn, arn)
		}
		qualifier = parts[7]
	}
	return parts[6], qualifier, nil
}

// parseAliasARN splits "...:stateMachine:<name>:<alias>".
func parseAliasARN(arn string) (sm, alias string, err error) {
	sm, alias, err = splitStateMachineARN(arn)
	if err == nil && (alias == "" || checkAliasName(alias) != nil) {
		err = fmt.Errorf("%w: %q is not a state machine alias ARN", ErrInvalidArn, arn)
	}
	return sm, alias, err
}

// parseRouting checks a routing configuration: one or two versions of one
// state machine, weights of 0 to 100 that sum to 100.
func parseRouting(routing []AliasRoute) (sm string, routes []store.AliasRoute, err error) {
	if len(routing) < 1 || len(routing) > 2 {
		return "", nil, fmt.Errorf("%w: a routing configuration names 1 or 2 versions, got %d", ErrValidation, len(routing))
	}
	sum := 0
	for _, r := range routing {
		name, qualifier, err := splitStateMachineARN(r.VersionARN)
		if err != nil {
			return "", nil, err
		}
		v, err := strconv.Atoi(qualifier)
		if err != nil || v < 1 {
			return "", nil, fmt.Errorf("%w: %q is not a state machine version ARN", ErrValidation, r.VersionARN)
		}
		if sm != "" && name != sm {
			return "", nil, fmt.Errorf("%w: the versions of a routing configuration belong to one state machine", ErrValidation)
		}
		if len(routes) > 0 && routes[0].Version == v {
			return "", nil, fmt.Errorf("%w: version %d is routed to twice", ErrValidation, v)
		}
		if r.Weight < 0 || r.Weight > 100 {
			return "", nil, fmt.Errorf("%w: a weight is 0 to 100, got %d", ErrValidation, r.Weight)
		}
		sm, sum = name, sum+r.Weight
		routes = append(routes, store.AliasRoute{Version: v, Weight: r.Weight})
	}
	if sum != 100 {
		return "", nil, fmt.Errorf("%w: the weights of a routing configuration sum to 100, got %d", ErrValidation, sum)
	}
	return sm, routes, nil
}

// checkAliasName applies AWS's rules to an alias name: 1 to 80 of
// a-z A-Z 0-9 _ - ., not all digits (it would read as a version).
func checkAliasName(name string) error {
	if len(name) == 0 || len(name) > 80 {
		return fmt.Errorf("%w: an alias name must be 1 to 80 characters long, got %d", ErrInvalidName, len(name))
	}
	digits := true
	for _, r := range name {
		switch {
		case r >= '0' && r <= '9':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_', r == '-', r == '.':
			digits = false
		default:
			return fmt.Errorf("%w: the alias name %q may only contain a-z A-Z 0-9 _ - .", ErrInvalidName, name)
		}
	}
	if digits {
		return fmt.Errorf("%w: the alias name %q is all digits, like a version", ErrInvalidName, name)
	}
	return nil
}

func checkDescription(s string) error {
	if n := utf8.RuneCountInString(s); n > 256 {
		return fmt.Errorf("%w: a description is at most 256 characters, got %d", ErrValidation, n)
	}
	return nil
}
