package bucket

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

// The Task calls: S3's GetObject, PutObject and ListObjectsV2 as Step
// Functions' AWS SDK integration returns them (PascalCase fields, the
// object's Body as a string, timestamps as ISO 8601 strings).

// taskError is the Task failure of err: an S3 error under its SDK
// integration name (S3.NoSuchKeyException), anything else as is.
func taskError(err error) error {
	var se *S3Error
	if errors.As(err, &se) {
		return &integrations.Error{Name: se.TaskErrorName(), Cause: se.Error()}
	}
	return err
}

// fields checks a Task's Parameters: an object whose fields are among
// allowed, with the required ones strings.
func fields(params any, allowed []string, required ...string) (map[string]any, error) {
	m, ok := params.(map[string]any)
	if !ok {
		return nil, integrations.ParamError(params, "The Parameters must be an OBJECT with the fields %s", strings.Join(allowed, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(allowed, k) {
			return nil, integrations.ParamError(params, "The field '%s' is not supported by Signalbox's bucket store (supported: %s)", k, strings.Join(allowed, ", "))
		}
	}
	for _, k := range required {
		if s, ok := m[k].(string); !ok || s == "" {
			return nil, integrations.ParamError(params, "The field '%s' is required and must be a non-empty STRING", k)
		}
	}
	return m, nil
}

func optString(params any, m map[string]any, k string) (string, error) {
	v, ok := m[k]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", integrations.ParamError(params, "The value for the field '%s' must be a STRING", k)
	}
	return s, nil
}

// isoTime is how the SDK integration renders a timestamp.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Service) getObject(params any) (any, error) {
	m, err := fields(params, []string{"Bucket", "Key"}, "Bucket", "Key")
	if err != nil {
		return nil, err
	}
	b, k := m["Bucket"].(string), m["Key"].(string)
	data, o, err := s.store.Get(b, k, s.opts.MaxTaskBodyBytes)
	if err != nil {
		var se *S3Error
		if errors.As(err, &se) && se.Code == "EntityTooLarge" {
			return nil, &integrations.Error{Name: "States.DataLimitExceeded", Cause: fmt.Sprintf(
				"The object %q of bucket %q is larger than the %d bytes a getObject Task returns; read it with a Distributed Map's ItemReader instead", k, b, s.opts.MaxTaskBodyBytes)}
		}
		return nil, taskError(err)
	}
	body := string(data)
	if !utf8.ValidString(body) {
		body = strings.ToValidUTF8(body, "\uFFFD")
	}
	return map[string]any{
		"AcceptRanges":  "bytes",
		"Body":          body,
		"ContentLength": o.Size,
		"ContentType":   o.ContentType,
		"ETag":          o.ETag,
		"LastModified":  isoTime(o.LastModified),
		"Metadata":      map[string]any{},
	}, nil
}

func (s *Service) putObject(params any) (any, error) {
	m, err := fields(params, []string{"Body", "Bucket", "ContentType", "Key"}, "Bucket", "Key")
	if err != nil {
		return nil, err
	}
	if _, err := optString(params, m, "ContentType"); err != nil {
		return nil, err
	}
	var body []byte
	switch v := m["Body"].(type) {
	case nil:
	case string:
		body = []byte(v)
	default: // a JSON value is written as its JSON text
		body = []byte(asl.EncodeJSON(v))
	}
	o, err := s.store.Put(m["Bucket"].(string), m["Key"].(string), body)
	if err != nil {
		return nil, taskError(err)
	}
	return map[string]any{"ETag": o.ETag}, nil
}

// listObjectsV2's defaults and bounds, S3's.
const (
	defaultMaxKeys = 1000
)

func (s *Service) listObjectsV2(params any) (any, error) {
	m, err := fields(params, []string{"Bucket", "ContinuationToken", "Delimiter", "MaxKeys", "Prefix", "StartAfter"}, "Bucket")
	if err != nil {
		return nil, err
	}
	var str [4]string
	for i, k := range []string{"ContinuationToken", "Delimiter", "Prefix", "StartAfter"} {
		if str[i], err = optString(params, m, k); err != nil {
			return nil, err
		}
	}
	token, delim, prefix, startAfter := str[0], str[1], str[2], str[3]
	maxKeys := int64(defaultMaxKeys)
	if v, ok := m["MaxKeys"]; ok {
		n, ok := v.(int64)
		if f, isFloat := v.(float64); isFloat && f == float64(int64(f)) {
			n, ok = int64(f), true
		}
		if !ok || n < 0 {
			return nil, integrations.ParamError(params, "The value for the field 'MaxKeys' must be a non-negative INTEGER")
		}
		maxKeys = min(n, defaultMaxKeys) // S3 returns at most 1,000
	}
	b := m["Bucket"].(string)
	after := startAfter
	if token != "" {
		k, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || !utf8.Valid(k) {
			return nil, taskError(invalidArgument("The continuation token provided is incorrect"))
		}
		after = string(k)
	}
	objs, err := s.store.List(b, prefix)
	if err != nil {
		return nil, taskError(err)
	}
	i, _ := slices.BinarySearchFunc(objs, after, func(o Object, k string) int { return strings.Compare(o.Key, k) })
	for i < len(objs) && objs[i].Key <= after {
		i++
	}
	var contents, prefixes []any
	var page []Object
	lastCP, lastKey := "", ""
	truncated := false
	for ; i < len(objs); i++ {
		k := objs[i].Key
		cp := ""
		if delim != "" {
			if j := strings.Index(k[len(prefix):], delim); j >= 0 {
				cp = k[:len(prefix)+j+len(delim)]
			}
		}
		if cp != "" && cp == lastCP {
			lastKey = k // in the common prefix just returned
			continue
		}
		if int64(len(page)+len(prefixes)) >= maxKeys {
			truncated = true
			break
		}
		if cp != "" {
			prefixes = append(prefixes, map[string]any{"Prefix": cp})
			lastCP = cp
		} else {
			page = append(page, objs[i])
		}
		lastKey = k
	}
	s.store.WithETags(page)
	for _, o := range page {
		contents = append(contents, map[string]any{
			"ETag": o.ETag, "Key": o.Key, "LastModified": isoTime(o.LastModified), "Size": o.Size, "StorageClass": "STANDARD",
		})
	}
	out := map[string]any{
		"IsTruncated": truncated,
		"KeyCount":    int64(len(contents) + len(prefixes)),
		"MaxKeys":     maxKeys,
		"Name":        b,
		"Prefix":      prefix,
	}
	if len(contents) > 0 {
		out["Contents"] = contents
	}
	if len(prefixes) > 0 {
		out["CommonPrefixes"] = prefixes
	}
	if delim != "" {
		out["Delimiter"] = delim
	}
	if token != "" {
		out["ContinuationToken"] = token
	}
	if startAfter != "" {
		out["StartAfter"] = startAfter
	}
	if truncated {
		out["NextContinuationToken"] = base64.RawURLEncoding.EncodeToString([]byte(lastKey))
	}
	return out, nil
}
