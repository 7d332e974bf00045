package main

import (
	"cmp"
	"regexp"
	"runtime/debug"
	"strings"
)

// version, when set at build time (-ldflags "-X main.version=v1.2.3"),
// replaces the module version of the build information.
var version string

// versionLine is what `signalbox version` prints, from the build
// information Go records in the binary (debug.ReadBuildInfo):
//
//	signalbox v1.2.3, commit 0123456789ab... (2026-12-06T18:59:00Z), go1.26.0
//
// The module version is the tag, or the pseudo-version Go derives from
// the commit (go install MODULE@VERSION, or go build in a git checkout;
// "+dirty" when the tree had changes), else "(devel)". The commit comes
// from the VCS stamp of go build in a checkout (with ", modified" when the
// tree had changes), else from a pseudo-version, else it is "unknown" (go
// run, -buildvcs=false, or a git worktree, which go does not recognise).
func versionLine() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "signalbox " + cmp.Or(version, "(devel)") + ", commit unknown (no build information)"
	}
	return describeBuild(info)
}

// pseudoVersionRev finds the commit in a pseudo-version
// (v0.0.0-20261206185900-0123456789ab, also after a tag's "-0." or ".0.").
var pseudoVersionRev = regexp.MustCompile(`[-.]\d{14}-([0-9a-f]{12})(\+incompatible)?$`)

func describeBuild(info *debug.BuildInfo) string {
	v := cmp.Or(version, info.Main.Version, "(devel)")
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	commit := settings["vcs.revision"]
	var notes []string
	if t := settings["vcs.time"]; t != "" && commit != "" {
		notes = append(notes, t)
	}
	if settings["vcs.modified"] == "true" && commit != "" {
		notes = append(notes, "modified")
	}
	if commit == "" {
		if m := pseudoVersionRev.FindStringSubmatch(v); m != nil {
			commit = m[1]
		}
	}
	line := "signalbox " + v + ", commit " + cmp.Or(commit, "unknown")
	if len(notes) > 0 {
		line += " (" + strings.Join(notes, ", ") + ")"
	}
	if info.GoVersion != "" {
		line += ", " + info.GoVersion
	}
	return line
}

// moduleVersion is the binary's version alone (service.version in its
// traces).
func moduleVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return cmp.Or(version, info.Main.Version, "(devel)")
	}
	return cmp.Or(version, "(devel)")
}
