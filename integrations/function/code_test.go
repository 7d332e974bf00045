package function

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func rawZip(t testing.TB, entries ...func(w *zip.Writer)) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		e(w)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func entry(name string, mode os.FileMode, content string) func(w *zip.Writer) {
	return func(w *zip.Writer) {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		f, _ := w.CreateHeader(h)
		_, _ = f.Write([]byte(content))
	}
}

func TestUnzipRefuses(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"zip slip":      rawZip(t, entry("../evil", 0o644, "x")),
		"deep slip":     rawZip(t, entry("a/../../evil", 0o644, "x")),
		"backslash":     rawZip(t, entry(`..\evil`, 0o644, "x")),
		"absolute":      rawZip(t, entry("/etc/evil", 0o644, "x")),
		"drive":         rawZip(t, entry("C:/evil", 0o644, "x")),
		"symlink":       rawZip(t, entry("link", os.ModeSymlink|0o777, "/etc/passwd")),
		"duplicate":     rawZip(t, entry("a", 0o644, "1"), entry("a", 0o644, "2")),
		"not a zip":     []byte("PK\x03\x04 garbage"),
		"device":        rawZip(t, entry("dev", os.ModeDevice|0o644, "")),
		"file then dir": rawZip(t, entry("a", 0o644, "1"), entry("a/b", 0o644, "2")),
	} {
		dir := filepath.Join(t.TempDir(), "code")
		err := Unzip(data, dir)
		require.Error(t, err, name)
		_, ok := err.(*APIError)
		if name != "file then dir" {
			require.True(t, ok, "%s: %v", name, err)
		}
		require.NoDirExists(t, dir, name)
	}
}

func TestUnzipLimits(t *testing.T) {
	t.Parallel()
	// a bomb: 3 MB of zeros in a small package, over a limit of 2 MB
	// (Unzip's is 250 MB)
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	f, err := w.Create("zeros")
	require.NoError(t, err)
	chunk := make([]byte, 1<<20)
	for range 3 {
		_, err = f.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	require.Less(t, buf.Len(), 64<<10)
	dir := filepath.Join(t.TempDir(), "code")
	err = unzip(buf.Bytes(), dir, 2<<20)
	require.Equal(t, CodeRequestTooLarge, err.(*APIError).Code)
	require.NoDirExists(t, dir)

	err = Unzip(make([]byte, MaxZipBytes+1), dir)
	require.Equal(t, CodeRequestTooLarge, err.(*APIError).Code)
}

func TestUnzipKeepsModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "code")
	require.NoError(t, Unzip(rawZip(t, entry("./bin/", os.ModeDir|0o755, ""), entry("bin/run", 0o700, "#!/bin/sh"), entry("data.txt", 0o600, "d")), dir))
	fi, err := os.Stat(filepath.Join(dir, "bin", "run"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o755), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Join(dir, "data.txt"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
}

// FuzzUnzip: whatever the package, Unzip answers without a panic, and
// writes nothing outside its directory.
func FuzzUnzip(f *testing.F) {
	f.Add(rawZip(f, entry("bootstrap", 0o755, "#!/bin/sh")))
	f.Add(rawZip(f, entry("../x", 0o644, "x")))
	f.Add(rawZip(f, entry("a/b/c", 0o644, "x"), entry("a/", os.ModeDir|0o755, "")))
	f.Add(rawZip(f, entry("l", os.ModeSymlink|0o777, "../../x")))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		dir := filepath.Join(root, "in", "code")
		require.NoError(t, os.Mkdir(filepath.Join(root, "in"), 0o755))
		err := unzip(data, dir, 1<<20) // Unzip's limit, small: a mutated stream inflates
		entries, rerr := os.ReadDir(root)
		require.NoError(t, rerr)
		for _, e := range entries {
			require.Equal(t, "in", e.Name())
		}
		in, rerr := os.ReadDir(filepath.Join(root, "in"))
		require.NoError(t, rerr)
		if err != nil {
			require.Empty(t, in)
			return
		}
		require.Len(t, in, 1)
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			require.NoError(t, err)
			require.True(t, d.Type().IsDir() || d.Type().IsRegular(), p)
			return nil
		})
	})
}

// FuzzParseRef: any FunctionName and Qualifier parse without a panic
// into a valid name, or are refused with the API's error (*APIError, for
// the parser's *Error too).
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"fn", "fn:1", "fn:$LATEST", "fn:live", "123456789012:function:fn", "123456789012:function:fn:live",
		"arn:aws:lambda:us-east-1:123456789012:function:fn", "arn:aws:lambda:us-east-1:123456789012:function:fn:2",
		"arn:aws:lambda:us-east-1:123456789012:function:", "fn:", ":", "a:b:c", strings.Repeat("a", 171)} {
		f.Add(s, "")
		f.Add(s, "live")
	}
	f.Fuzz(func(t *testing.T, s, q string) {
		r, err := parseRef(s, q)
		if err != nil {
			_, ok := err.(*APIError)
			require.True(t, ok)
			return
		}
		require.Regexp(t, `^[a-zA-Z0-9._-]{1,64}$`, r.Name) // Invoke's names may hold dots; CreateFunction's may not
		if r.Qualifier != "" {
			require.Regexp(t, qualifierRE, r.Qualifier)
		}
		if q != "" {
			require.Equal(t, q, r.Qualifier)
		}
	})
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	for in, want := range map[[2]string]functionRef{
		{"fn", ""}:                            {Name: "fn"},
		{"fn:1", ""}:                          {Name: "fn", Qualifier: "1"},
		{"fn:1", "1"}:                         {Name: "fn", Qualifier: "1"},
		{"fn", "live"}:                        {Name: "fn", Qualifier: "live"},
		{"123456789012:function:fn:live", ""}: {Name: "fn", Qualifier: "live", Account: "123456789012"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:fn", ""}:   {Name: "fn", Partition: "aws", Region: "eu-west-1", Account: "123456789012"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:fn:2", ""}: {Name: "fn", Qualifier: "2", Partition: "aws", Region: "eu-west-1", Account: "123456789012"},
	} {
		got, err := parseRef(in[0], in[1])
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range [][2]string{{"", ""}, {"fn:", ""}, {"fn:1", "2"}, {"arn:aws:lambda:x:1:function:fn", ""},
		{"123:function:fn", ""}, {"fn:1:2", ""}, {"fn", "a b"}, {"arn:aws:lambda:eu-west-1:123456789012:layer:fn", ""}} {
		_, err := parseRef(in[0], in[1])
		require.Error(t, err, in)
	}
}
