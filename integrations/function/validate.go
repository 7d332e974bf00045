package function

import (
	"encoding/base64"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Lambda's checks of a function's configuration, names, tags and pages.

// checkUnsupported refuses what Signalbox does not implement.
func (s *Service) checkUnsupported(in *CreateFunctionInput) error {
	switch {
	case len(in.Layers) > 0:
		return notSupported("Layers (put what a layer holds into the deployment package)")
	case len(in.FileSystemConfigs) > 0:
		return notSupported("FileSystemConfigs")
	case in.PackageType != "" && in.PackageType != "Zip":
		return notSupported("PackageType " + in.PackageType + " (container images): use a .zip package, or the runtimes http and executable")
	case len(in.ImageConfig) > 0 && string(in.ImageConfig) != "null":
		return notSupported("ImageConfig")
	case in.CodeSigningConfigArn != "":
		return notSupported("CodeSigningConfigArn")
	}
	return nil
}

// kindOf is the kind of function a runtime makes.
func kindOf(runtime string) string {
	switch runtime {
	case RuntimeHTTP:
		return kindHTTP
	case RuntimeExecutable:
		return kindExec
	}
	return kindZip
}

// checkConfig checks a record's configuration (not its code) as
// CreateFunction and UpdateFunctionConfiguration do.
func (s *Service) checkConfig(r *record) error {
	r.Kind = kindOf(r.Runtime)
	switch {
	case r.Runtime == "":
		return invalidParam("Runtime is required for a .zip deployment package (Signalbox takes no container images; or give Runtime %q with the endpoint as Handler, or %q with the program's path as Handler)", RuntimeHTTP, RuntimeExecutable)
	case !runtimeRE.MatchString(r.Runtime):
		return validation("1 validation error detected: Value '%s' at 'runtime' failed to satisfy constraint: Member must be a runtime name", clip(r.Runtime))
	case r.Timeout < minTimeout || r.Timeout > maxTimeout:
		return validation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value between %d and %d", r.Timeout, minTimeout, maxTimeout)
	case r.MemorySize < minMemory || r.MemorySize > maxMemory:
		return validation("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value between %d and %d", r.MemorySize, minMemory, maxMemory)
	case len(r.Description) > maxDescription:
		return validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
	case !roleRE.MatchString(r.Role):
		return validation("1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", clip(r.Role))
	case r.Ephemeral != 0 && (r.Ephemeral < 512 || r.Ephemeral > 10240):
		return validation("1 validation error detected: Value '%d' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between 512 and 10240", r.Ephemeral)
	case r.TracingMode != "" && r.TracingMode != "Active" && r.TracingMode != "PassThrough":
		return validation("1 validation error detected: Value '%s' at 'tracingConfig.mode' failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]", clip(r.TracingMode))
	}
	for _, a := range r.Architectures {
		if a != "x86_64" && a != "arm64" || len(r.Architectures) > 1 {
			return validation("1 validation error detected: Value '[%s]' at 'architectures' failed to satisfy constraint: Member must have length 1 and be x86_64 or arm64", clip(strings.Join(r.Architectures, ", ")))
		}
	}
	switch r.Kind {
	case kindHTTP:
		if err := checkEndpoint(r.Handler); err != nil {
			return err
		}
	case kindExec:
		if err := checkProgram(r.Handler); err != nil {
			return err
		}
	default:
		if r.Handler != "" && (len(r.Handler) > maxHandler || !handlerRE.MatchString(r.Handler)) {
			return validation("1 validation error detected: Value '%s' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+ and have length less than or equal to %d", clip(r.Handler), maxHandler)
		}
	}
	return checkEnv(r.Env)
}

// checkEndpoint checks an HTTP function's URL.
func checkEndpoint(h string) error {
	u, err := url.Parse(h)
	if h == "" || len(h) > maxEndpoint || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return invalidParam("Runtime %q takes the function's endpoint as Handler: an http or https URL of at most %d characters without credentials, got %q", RuntimeHTTP, maxEndpoint, clip(h))
	}
	return nil
}

// checkProgram checks an executable function's program: an absolute
// path to a regular file that may be executed.
func checkProgram(h string) error {
	if h == "" || len(h) > maxEndpoint || !filepath.IsAbs(h) {
		return invalidParam("Runtime %q takes the absolute path of the program as Handler, got %q", RuntimeExecutable, clip(h))
	}
	fi, err := os.Stat(h)
	switch {
	case err != nil:
		return invalidParam("Runtime %q: the program %s: %v", RuntimeExecutable, clip(h), errors.Unwrap(err))
	case !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0:
		return invalidParam("Runtime %q: %s is not an executable file", RuntimeExecutable, clip(h))
	}
	return nil
}

// checkEnv checks a function's variables as Lambda does: names of
// letters, digits and underscores starting with a letter, none Lambda
// sets itself, at most 4 KB in all.
func checkEnv(env map[string]string) error {
	size := 0
	var reserved []string
	for k, v := range env {
		if !envKeyRE.MatchString(k) {
			return validation("1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
		}
		if slices.Contains(reservedEnv, k) {
			reserved = append(reserved, k)
		}
		size += len(k) + len(v)
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	if size > maxEnvBytes {
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d bytes", size)
	}
	return nil
}

// checkTags checks tags as TagResource does.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return invalidParam("A function has at most %d tags; the request has %d", maxTags, len(tags))
	}
	for k, v := range tags {
		if k == "" || len(k) > maxTagKey || len(v) > maxTagValue || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidParam("A tag's key is 1-%d characters not starting with aws:, its value at most %d: %q", maxTagKey, maxTagValue, clip(k))
		}
	}
	return nil
}

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and %d", clip(name), maxFunctionName)
	}
	return nil
}

// listLimit is a page's size: MaxItems 1-10,000, 50 when absent.
func listLimit(maxItems int) (int, error) {
	if maxItems == 0 {
		return defaultListItems, nil
	}
	if maxItems < 1 || maxItems > maxListItems {
		return 0, validation("1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", maxItems, maxListItems)
	}
	return maxItems, nil
}

// listPage is what a list call's MaxItems and Marker ask for: the page's
// size (listLimit) and the marker's value ("" for the first page).
func listPage(maxItems int, marker string) (limit int, after string, err error) {
	if limit, err = listLimit(maxItems); err != nil {
		return 0, "", err
	}
	after, err = decodeMarker(marker)
	return limit, after, err
}

// A marker is the last name or version of the page before, opaque to
// the caller.
func encodeMarker(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeMarker(m string) (string, error) {
	if m == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || len(b) == 0 || len(b) > 256 {
		return "", invalidParam("Invalid Marker %q: pass the NextMarker of the page before", clip(m))
	}
	return string(b), nil
}

func (s *Service) checkConcurrency(n int) error {
	if n < 0 || n > s.o.ConcurrencyLimit {
		return invalidParam("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]: at most %d", s.o.ConcurrencyLimit)
	}
	return nil
}
