package bucket

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
)

// setup returns a Service over a fresh root with the buckets named.
func setup(t testing.TB, buckets ...string) *Service {
	t.Helper()
	s, err := New(Options{Dir: t.TempDir(), Create: buckets})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func put(t testing.TB, s *Service, b, k, body string) {
	t.Helper()
	_, err := s.store.Put(b, k, []byte(body))
	require.NoError(t, err)
}

func invoke(s *Service, resource string, params map[string]any) (any, error) {
	return s.Invoke(context.Background(), &integrations.Request{Resource: resource, Parameters: params})
}

func errName(t *testing.T, err error) string {
	t.Helper()
	var ie *integrations.Error
	require.True(t, errors.As(err, &ie), "want an *integrations.Error, got %v", err)
	return ie.Name
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"a", true},
		{"data/2024/items.json", true},
		{"with space/ünïcode.csv", true},
		{"..a/b..", true},
		{"", false},
		{"/abs", false},
		{"a/", false},
		{"a//b", false},
		{"..", false},
		{"a/../b", false},
		{"./a", false},
		{"a\x00b", false},
		{"a\nb", false},
		{"\xff", false},
		{strings.Repeat("a", 256), false},
		{strings.Repeat("a/", 512) + "b", false},
		{strings.Repeat("abcd/", 204), false}, // trailing slash
	} {
		err := CheckKey(tc.key)
		if tc.ok {
			require.NoError(t, err, "%q", tc.key)
		} else {
			require.Error(t, err, "%q", tc.key)
		}
	}
}

func TestCheckBucketName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"abc", "my-bucket.2024", "a1b"} {
		require.NoError(t, CheckBucketName(ok), ok)
	}
	for _, bad := range []string{"ab", "Abc", "a_b", "-ab", "ab-", "a..b", "192.168.1.1", ".signalbox-tmp", "../etc", strings.Repeat("a", 64)} {
		require.Error(t, CheckBucketName(bad), bad)
	}
}

func TestSymlinkOutsideRootIsRefused(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	outside := filepath.Join(t.TempDir(), "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("secret"), 0o600))
	require.NoError(t, os.Symlink(outside, filepath.Join(s.store.Dir(), "data", "escape.txt")))
	require.NoError(t, os.Symlink(t.TempDir(), filepath.Join(s.store.Dir(), "data", "dir")))
	put(t, s, "data", "real.txt", "ok")
	require.NoError(t, os.Symlink("real.txt", filepath.Join(s.store.Dir(), "data", "alias.txt")))

	objs, err := s.store.List("data", "")
	require.NoError(t, err)
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	require.Equal(t, []string{"alias.txt", "real.txt"}, keys)

	_, err = invoke(s, ResourceGetObject, map[string]any{"Bucket": "data", "Key": "escape.txt"})
	require.Equal(t, "S3.AccessDeniedException", errName(t, err))
	_, err = invoke(s, ResourcePutObject, map[string]any{"Bucket": "data", "Key": "dir/x.txt", "Body": "x"})
	require.Equal(t, "S3.AccessDeniedException", errName(t, err))
	_, err = invoke(s, ResourcePutObject, map[string]any{"Bucket": "data", "Key": "escape.txt", "Body": "x"})
	require.NoError(t, err) // replaces the link itself (a rename), never writes outside
	got, err := os.ReadFile(outside)
	require.NoError(t, err)
	require.Equal(t, "secret", string(got))
	out, err := invoke(s, ResourceGetObject, map[string]any{"Bucket": "data", "Key": "alias.txt"})
	require.NoError(t, err) // a link inside the root is followed
	require.Equal(t, "ok", out.(map[string]any)["Body"])

}

func TestTaskPutGet(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	for _, r := range []string{ResourcePutObject, ResourceSDKPutObject} {
		out, err := invoke(s, r, map[string]any{"Bucket": "data", "Key": "in/a.json", "Body": map[string]any{"b": int64(1)}})
		require.NoError(t, err)
		require.Equal(t, `"4c0ba5a4d7ab9d2a6e7b0c53bdcea0f2"`[0:1], out.(map[string]any)["ETag"].(string)[0:1])
	}
	for _, r := range []string{ResourceGetObject, ResourceSDKGetObject} {
		out, err := invoke(s, r, map[string]any{"Bucket": "data", "Key": "in/a.json"})
		require.NoError(t, err)
		m := out.(map[string]any)
		require.Equal(t, `{"b":1}`, m["Body"])
		require.Equal(t, int64(7), m["ContentLength"])
		require.Equal(t, "application/json", m["ContentType"])
		require.Equal(t, `"`+md5hex(`{"b":1}`)+`"`, m["ETag"])
		require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`, m["LastModified"])
	}

	for _, tc := range []struct {
		resource string
		params   map[string]any
		want     string
	}{
		{ResourceGetObject, map[string]any{"Bucket": "data", "Key": "nope"}, "S3.NoSuchKeyException"},
		{ResourceGetObject, map[string]any{"Bucket": "nope", "Key": "a"}, "S3.NoSuchBucketException"},
		{ResourceGetObject, map[string]any{"Bucket": "Bad_Name", "Key": "a"}, "S3.InvalidBucketNameException"},
		{ResourceGetObject, map[string]any{"Bucket": "data", "Key": "../x"}, "S3.InvalidArgumentException"},
		{ResourcePutObject, map[string]any{"Bucket": "data", "Key": strings.Repeat("k", 1025), "Body": ""}, "S3.KeyTooLongErrorException"},
		{ResourceGetObject, map[string]any{"Bucket": "data"}, "States.Runtime"},
		{ResourceGetObject, map[string]any{"Bucket": "data", "Key": "a", "Range": "bytes=0-1"}, "States.Runtime"},
		{ResourcePutObject, map[string]any{"Bucket": "nope", "Key": "a", "Body": "x"}, "S3.NoSuchBucketException"},
	} {
		_, err := invoke(s, tc.resource, tc.params)
		require.Equal(t, tc.want, errName(t, err), "%v", tc.params)
	}
}

// A key cannot be both an object and the directory of other keys, as it
// can in S3: the second put fails with InvalidArgument, saying why.
func TestKeyAndDirectoryConflict(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	put(t, s, "data", "a", "x")
	_, err := invoke(s, ResourcePutObject, map[string]any{"Bucket": "data", "Key": "a/b", "Body": "y"})
	require.Equal(t, "S3.InvalidArgumentException", errName(t, err))
	put(t, s, "data", "c/d", "x")
	_, err = invoke(s, ResourcePutObject, map[string]any{"Bucket": "data", "Key": "c", "Body": "y"})
	require.Equal(t, "S3.InvalidArgumentException", errName(t, err))
	_, err = invoke(s, ResourceGetObject, map[string]any{"Bucket": "data", "Key": "c"})
	require.Equal(t, "S3.NoSuchKeyException", errName(t, err)) // a directory is no object
}

func TestTaskGetObjectBodyLimit(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	put(t, s, "data", "big", strings.Repeat("x", DefaultMaxTaskBodyBytes+1))
	_, err := invoke(s, ResourceGetObject, map[string]any{"Bucket": "data", "Key": "big"})
	require.Equal(t, "States.DataLimitExceeded", errName(t, err))
}

func TestTaskListObjectsV2(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	for _, k := range []string{"a-c", "a/b", "a/c/d", "a/c/e", "b", "photos/2024/x.jpg", "photos/2025/y.jpg", "photos/z.jpg"} {
		put(t, s, "data", k, k)
	}
	keys := func(out any) (ks []string) {
		c, _ := out.(map[string]any)["Contents"].([]any)
		for _, x := range c {
			ks = append(ks, x.(map[string]any)["Key"].(string))
		}
		return ks
	}
	prefixes := func(out any) (ps []string) {
		c, _ := out.(map[string]any)["CommonPrefixes"].([]any)
		for _, x := range c {
			ps = append(ps, x.(map[string]any)["Prefix"].(string))
		}
		return ps
	}

	out, err := invoke(s, ResourceSDKListObjectsV2, map[string]any{"Bucket": "data"})
	require.NoError(t, err)
	require.Equal(t, []string{"a-c", "a/b", "a/c/d", "a/c/e", "b", "photos/2024/x.jpg", "photos/2025/y.jpg", "photos/z.jpg"}, keys(out)) // byte order: '-' < '/'
	m := out.(map[string]any)
	require.Equal(t, int64(8), m["KeyCount"])
	require.Equal(t, false, m["IsTruncated"])
	require.Equal(t, "data", m["Name"])
	first := m["Contents"].([]any)[0].(map[string]any)
	require.Equal(t, `"`+md5hex("a-c")+`"`, first["ETag"])
	require.Equal(t, int64(3), first["Size"])
	require.Equal(t, "STANDARD", first["StorageClass"])

	out, err = invoke(s, ResourceListObjectsV2, map[string]any{"Bucket": "data", "Prefix": "photos/", "Delimiter": "/"})
	require.NoError(t, err)
	require.Equal(t, []string{"photos/z.jpg"}, keys(out))
	require.Equal(t, []string{"photos/2024/", "photos/2025/"}, prefixes(out))

	// Pages of 2, common prefixes counted as keys, until the end.
	var all []string
	params := map[string]any{"Bucket": "data", "Delimiter": "/", "MaxKeys": int64(2)}
	for range 10 {
		out, err := invoke(s, ResourceListObjectsV2, params)
		require.NoError(t, err)
		all = append(all, keys(out)...)
		all = append(all, prefixes(out)...)
		m := out.(map[string]any)
		if m["IsTruncated"] == false {
			break
		}
		params["ContinuationToken"] = m["NextContinuationToken"]
	}
	require.Equal(t, []string{"a-c", "a/", "b", "photos/"}, all)

	out, err = invoke(s, ResourceListObjectsV2, map[string]any{"Bucket": "data", "StartAfter": "a/c/d", "MaxKeys": 2.0})
	require.NoError(t, err)
	require.Equal(t, []string{"a/c/e", "b"}, keys(out))
	require.Equal(t, true, out.(map[string]any)["IsTruncated"])

	_, err = invoke(s, ResourceListObjectsV2, map[string]any{"Bucket": "data", "ContinuationToken": "!!"})
	require.Equal(t, "S3.InvalidArgumentException", errName(t, err))
	_, err = invoke(s, ResourceListObjectsV2, map[string]any{"Bucket": "none"})
	require.Equal(t, "S3.NoSuchBucketException", errName(t, err))
}

func TestRegister(t *testing.T) {
	t.Parallel()
	s := setup(t)
	m := integrations.NewMux()
	s.Register(m)
	for _, r := range Resources {
		h, ok := m.Lookup(r)
		require.True(t, ok, r)
		_, isReader := h.(integrations.ItemReader)
		_, isWriter := h.(integrations.ResultWriter)
		require.True(t, isReader && isWriter, r)
	}
}

// ETags are remembered by file, size and modification time: a file
// changed by hand gets its new ETag.
func TestETagFollowsTheFile(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	put(t, s, "data", "a", "x")
	etag := func() string {
		objs, err := s.store.List("data", "")
		require.NoError(t, err)
		s.store.WithETags(objs)
		return objs[0].ETag
	}
	require.Equal(t, `"`+md5hex("x")+`"`, etag())
	file := filepath.Join(s.store.Dir(), "data", "a")
	require.NoError(t, os.WriteFile(file, []byte("yy"), 0o644))
	require.Equal(t, `"`+md5hex("yy")+`"`, etag())
	require.NoError(t, os.WriteFile(file, []byte("zz"), 0o644)) // same size: the time tells
	fi, err := os.Stat(file)
	require.NoError(t, err)
	require.NoError(t, os.Chtimes(file, fi.ModTime(), fi.ModTime().Add(time.Second)))
	require.Equal(t, `"`+md5hex("zz")+`"`, etag())
}
