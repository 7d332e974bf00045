package bucket

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/integrations"
)

// Limits of the store, S3's where S3 has one.
const (
	// MaxKeyBytes is S3's limit on a key's length (UTF-8 bytes).
	MaxKeyBytes = 1024
	// MaxSegmentBytes bounds one "/"-separated part of a key: a file or
	// directory name (NAME_MAX of the common file systems).
	MaxSegmentBytes = 255
	// DefaultMaxObjectBytes bounds an object a putObject writes or a read
	// takes whole.
	DefaultMaxObjectBytes = 1 << 30
	// DefaultMaxListKeys bounds the keys one listing looks at (the
	// listing sorts them in memory, as S3 orders keys by their bytes).
	DefaultMaxListKeys = 1_000_000
)

// tmpDir is where writes are staged before their rename: a directory of
// the root that no bucket name can be (bucket names start with a letter
// or a digit).
const tmpDir = ".signalbox-tmp"

// Store is a directory of buckets: each bucket a sub-directory of the root,
// each object a file under it, a key's "/" separating directories. Every
// file is reached through an os.Root, so no key, symbolic link or ".."
// leads outside the root.
type Store struct {
	root       *os.Root
	dir        string
	maxObject  int64
	maxListKey int
	now        func() time.Time
	etags      etagCache
}

// Object is an object's metadata.
type Object struct {
	Bucket, Key  string
	Size         int64
	LastModified time.Time
	ETag         string // quoted hex MD5 of the content, as S3 writes it for a single PUT
	ContentType  string
}

// Open opens the store at dir, which must exist, and creates the buckets
// named in create (directories) when missing.
func Open(dir string, create ...string) (*Store, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("buckets directory: %w", err)
	}
	s := &Store{root: root, dir: dir, maxObject: DefaultMaxObjectBytes, maxListKey: DefaultMaxListKeys, now: time.Now}
	for _, b := range create {
		if err := CheckBucketName(b); err != nil {
			root.Close()
			return nil, err
		}
		if err := root.Mkdir(b, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			root.Close()
			return nil, fmt.Errorf("bucket %q: %w", b, err)
		}
	}
	return s, nil
}

// Dir is the store's root directory.
func (s *Store) Dir() string { return s.dir }

// Close releases the root directory.
func (s *Store) Close() error { return s.root.Close() }

// S3Error is a failure as S3 reports it: its error code (NoSuchKey,
// NoSuchBucket, InvalidArgument, ...), HTTP status and message.
type S3Error struct {
	Code    string
	Status  int
	Message string
}

func (e *S3Error) Error() string {
	return fmt.Sprintf("%s (Service: S3, Status Code: %d)", e.Message, e.Status)
}

// TaskErrorName is the error name Step Functions gives this failure of an
// S3 SDK integration: "S3." and the code with the suffix "Exception"
// (S3.NoSuchKeyException), as its AWS SDK integration docs prescribe.
func (e *S3Error) TaskErrorName() string {
	if strings.HasSuffix(e.Code, "Exception") {
		return "S3." + e.Code
	}
	return "S3." + e.Code + "Exception"
}

func noSuchBucket(string) *S3Error {
	return &S3Error{Code: "NoSuchBucket", Status: 404, Message: "The specified bucket does not exist"}
}

func noSuchKey(string) *S3Error {
	return &S3Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist."}
}

func invalidArgument(format string, args ...any) *S3Error {
	return &S3Error{Code: "InvalidArgument", Status: 400, Message: fmt.Sprintf(format, args...)}
}

// CheckBucketName holds a bucket name to S3's rules for general purpose
// buckets: 3 to 63 characters of lower-case letters, digits, dots and
// hyphens, starting and ending with a letter or digit, no "..", not an IP
// address. Such a name is always one safe directory name.
func CheckBucketName(b string) error {
	bad := func(why string) error {
		return &S3Error{Code: "InvalidBucketName", Status: 400, Message: fmt.Sprintf("The specified bucket is not valid: %q %s", b, why)}
	}
	if len(b) < 3 || len(b) > 63 {
		return bad("(3 to 63 characters)")
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("(lower-case letters, digits, dots and hyphens only)")
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) {
		return bad("(must start and end with a letter or digit)")
	}
	if strings.Contains(b, "..") {
		return bad("(no two adjacent dots)")
	}
	if isIPv4(b) {
		return bad("(must not be an IP address)")
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isIPv4(s string) bool {
	p := strings.Split(s, ".")
	if len(p) != 4 {
		return false
	}
	for _, x := range p {
		if x == "" || len(x) > 3 || strings.Trim(x, "0123456789") != "" {
			return false
		}
	}
	return true
}

// CheckKey holds a key to what the store can keep as a file: non-empty
// UTF-8 of at most MaxKeyBytes bytes, no NUL or other control character,
// not starting with "/", and every "/"-separated part non-empty, not "."
// or "..", and at most MaxSegmentBytes bytes. S3 takes some of these keys
// (a//b, a/../b, folder markers ending in "/"); the store refuses them
// with InvalidArgument, since a file system cannot keep them apart.
func CheckKey(k string) error {
	switch {
	case k == "":
		return invalidArgument("The key must not be empty")
	case len(k) > MaxKeyBytes:
		return &S3Error{Code: "KeyTooLongError", Status: 400, Message: fmt.Sprintf("Your key is too long: %d bytes (at most %d)", len(k), MaxKeyBytes)}
	case !utf8.ValidString(k):
		return invalidArgument("The key is not valid UTF-8")
	}
	for _, r := range k {
		if r < 0x20 || r == 0x7f {
			return invalidArgument("The key %q contains a control character", k)
		}
	}
	for seg := range strings.SplitSeq(k, "/") {
		switch {
		case seg == "":
			return invalidArgument("The key %q has an empty part (a leading, trailing or doubled \"/\"), which this store cannot keep as a file", k)
		case seg == "." || seg == "..":
			return invalidArgument("The key %q has a %q part, which this store refuses", k, seg)
		case len(seg) > MaxSegmentBytes:
			return invalidArgument("The key %q has a part longer than %d bytes", k, MaxSegmentBytes)
		}
	}
	return nil
}

// checkBucket checks the name and that the bucket exists.
func (s *Store) checkBucket(b string) error {
	if err := CheckBucketName(b); err != nil {
		return err
	}
	fi, err := s.root.Stat(b)
	if err != nil || !fi.IsDir() {
		return noSuchBucket(b)
	}
	return nil
}

// objectPath is the file of bucket b's key k, relative to the root.
func objectPath(b, k string) string { return b + "/" + k }

// Open opens an object for reading, with its metadata but no ETag.
func (s *Store) Open(b, k string) (*os.File, *Object, error) {
	if err := s.checkBucket(b); err != nil {
		return nil, nil, err
	}
	if err := CheckKey(k); err != nil {
		return nil, nil, err
	}
	f, err := s.root.Open(objectPath(b, k))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || isNotDir(err) {
			return nil, nil, noSuchKey(k)
		}
		return nil, nil, pathError(k, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, noSuchKey(k)
	}
	return f, &Object{Bucket: b, Key: k, Size: fi.Size(), LastModified: fi.ModTime().UTC(), ContentType: contentType(k)}, nil
}

// Get reads an object whole, up to limit bytes (<= 0: the store's limit).
func (s *Store) Get(b, k string, limit int64) ([]byte, *Object, error) {
	f, o, err := s.Open(b, k)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if limit <= 0 {
		limit = s.maxObject
	}
	if o.Size > limit {
		return nil, nil, &S3Error{Code: "EntityTooLarge", Status: 400, Message: fmt.Sprintf("The object %q has %d bytes, more than the %d this read takes", k, o.Size, limit)}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, &S3Error{Code: "EntityTooLarge", Status: 400, Message: fmt.Sprintf("The object %q has more than the %d bytes this read takes", k, limit)}
	}
	sum := md5.Sum(data)
	o.ETag = quoteETag(sum[:])
	if int64(len(data)) == o.Size {
		s.etags.remember(objectPath(b, k), o.Size, o.LastModified, o.ETag)
	}
	o.Size = int64(len(data))
	return data, o, nil
}

// Put writes an object whole and atomically: to a temporary file of the
// root, synced, then renamed over the key's file; a reader sees the old
// object or the new one, never a part.
func (s *Store) Put(b, k string, data []byte) (*Object, error) {
	if err := s.checkBucket(b); err != nil {
		return nil, err
	}
	if err := CheckKey(k); err != nil {
		return nil, err
	}
	if int64(len(data)) > s.maxObject {
		return nil, &S3Error{Code: "EntityTooLarge", Status: 400, Message: fmt.Sprintf("Your proposed upload of %d bytes exceeds the maximum allowed object size (%d)", len(data), s.maxObject)}
	}
	p := objectPath(b, k)
	if dir := path.Dir(p); dir != b {
		if err := s.root.MkdirAll(dir, 0o755); err != nil {
			return nil, writeConflict(k, err)
		}
	}
	if err := s.root.MkdirAll(tmpDir, 0o700); err != nil {
		return nil, err
	}
	tmp := tmpDir + "/" + integrations.NewUUID()
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := cmp.Or(werr, serr, cerr); err != nil {
		s.root.Remove(tmp)
		return nil, err
	}
	if err := s.root.Rename(tmp, p); err != nil {
		s.root.Remove(tmp)
		return nil, writeConflict(k, err)
	}
	sum := md5.Sum(data)
	o := &Object{Bucket: b, Key: k, Size: int64(len(data)), LastModified: s.now().UTC(), ETag: quoteETag(sum[:]), ContentType: contentType(k)}
	if fi, err := s.root.Stat(p); err == nil {
		o.LastModified = fi.ModTime().UTC()
		s.etags.remember(p, o.Size, o.LastModified, o.ETag)
	}
	return o, nil
}

// List returns the keys of bucket b that start with prefix, in S3's order
// (by their bytes), with their size and modification time (no ETag: see
// WithETags). Files the store could not have written (names that are not
// valid keys, symbolic links leading outside the root, other than
// regular files) are left out.
func (s *Store) List(b, prefix string) ([]Object, error) {
	if err := s.checkBucket(b); err != nil {
		return nil, err
	}
	// Walk only the directory the prefix is certainly under.
	start := b
	if i := strings.LastIndexByte(prefix, '/'); i > 0 {
		dir := prefix[:i]
		if CheckKey(dir) != nil {
			return nil, nil // no key has an invalid directory
		}
		start = objectPath(b, dir)
		if fi, err := s.root.Stat(start); err != nil || !fi.IsDir() {
			return nil, nil
		}
	}
	var out []Object
	err := fs.WalkDir(s.root.FS(), start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start {
				return err
			}
			return nil // an unreadable directory: skipped
		}
		if d.IsDir() {
			return nil
		}
		k := strings.TrimPrefix(p, b+"/")
		if !strings.HasPrefix(k, prefix) || CheckKey(k) != nil {
			return nil
		}
		fi, err := s.root.Stat(p) // follows a link, inside the root only
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		if len(out) >= s.maxListKey {
			return &S3Error{Code: "InternalError", Status: 500, Message: fmt.Sprintf("The listing of bucket %q looks at more than %d keys, this store's limit", b, s.maxListKey)}
		}
		out = append(out, Object{Bucket: b, Key: k, Size: fi.Size(), LastModified: fi.ModTime().UTC()})
		return nil
	})
	if err != nil {
		var se *S3Error
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, err
	}
	slices.SortFunc(out, func(x, y Object) int { return strings.Compare(x.Key, y.Key) })
	return out, nil
}

// WithETags fills the ETags of objs: remembered ones for files of the same
// size and modification time, else by reading the object.
func (s *Store) WithETags(objs []Object) {
	for i := range objs {
		o := &objs[i]
		p := objectPath(o.Bucket, o.Key)
		if e, ok := s.etags.lookup(p, o.Size, o.LastModified); ok {
			o.ETag = e
			continue
		}
		f, err := s.root.Open(p)
		if err != nil {
			continue
		}
		h := md5.New()
		if n, err := io.Copy(h, f); err == nil {
			o.ETag = quoteETag(h.Sum(nil))
			if n == o.Size {
				s.etags.remember(p, o.Size, o.LastModified, o.ETag)
			}
		}
		f.Close()
	}
}

// maxETags bounds the ETags remembered (about 100 bytes each).
const maxETags = 100_000

// etagCache remembers the ETags computed, by file, size and modification
// time (nanoseconds): a listing reads each unchanged object once per
// process, not at every listing. A file rewritten by hand with the same
// size within one tick of the file system's clock would keep its old
// ETag; the store's own writes change the modification time.
type etagCache struct {
	mu sync.Mutex
	m  map[etagKey]string
}

type etagKey struct {
	path        string
	size, mtime int64
}

func (c *etagCache) lookup(p string, size int64, mtime time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[etagKey{p, size, mtime.UnixNano()}]
	return e, ok
}

func (c *etagCache) remember(p string, size int64, mtime time.Time, etag string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxETags {
		c.m = make(map[etagKey]string)
	}
	c.m[etagKey{p, size, mtime.UnixNano()}] = etag
}

func quoteETag(sum []byte) string { return `"` + hex.EncodeToString(sum) + `"` }

// contentType is the media type of a key by its extension, S3's default
// (binary/octet-stream) when unknown: the store keeps no metadata.
func contentType(k string) string {
	if t := mime.TypeByExtension(path.Ext(k)); t != "" {
		return t
	}
	return "binary/octet-stream"
}

func isNotDir(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "not a directory")
}

// writeConflict is the error of a put whose file or directories cannot be
// made: most often a key that would be an object and a directory of other
// keys at once.
func writeConflict(k string, err error) *S3Error {
	if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) {
		return invalidArgument("The key %q cannot be written: an object and a directory of other keys would share a name (S3 allows it, a directory of files does not)", k)
	}
	return pathError(k, err)
}

// pathError is the S3 error of a file operation on key k that failed:
// AccessDenied when a symbolic link leads outside the root.
func pathError(k string, err error) *S3Error {
	err = cleanPathError(err)
	if strings.Contains(err.Error(), "escapes") {
		return &S3Error{Code: "AccessDenied", Status: 403, Message: fmt.Sprintf("Access Denied: the key %q leads outside the buckets directory", k)}
	}
	return invalidArgument("The key %q cannot be used: %v", k, err)
}

// cleanPathError drops the path (which would show the root) from err.
func cleanPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
