package function

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Lambda's deployment package limits (Lambda quotas): a .zip uploaded
// directly is at most 50 MB, and its contents unzipped at most 250 MB.
// The number of entries is ours: Lambda has none, but each is a file
// made on the disk.
const (
	MaxZipBytes      = 50 << 20
	MaxUnzippedBytes = 262_144_000
	MaxZipEntries    = 20_000
)

// codeSha256 is the CodeSha256 Lambda answers: the package's SHA-256,
// base64.
func codeSha256(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func invalidZip(format string, args ...any) *APIError {
	return apiErr(CodeInvalidZipFile, http.StatusBadGateway, "Could not unzip uploaded file. "+format, args...)
}

// Unzip unpacks a deployment package into dir (which must not exist; it
// is made): entries are confined to dir (an absolute path, a ".." or a
// symbolic link is refused), regular files keep their executable bit,
// and the limits above hold whatever the archive claims. On error nothing
// is left of dir. Errors are InvalidZipFileException or
// RequestTooLargeException.
func Unzip(data []byte, dir string) error { return unzip(data, dir, MaxUnzippedBytes) }

// unzip is Unzip with a limit on the unpacked bytes.
func unzip(data []byte, dir string, maxUnzipped int64) (err error) {
	if len(data) > MaxZipBytes {
		return apiErr(CodeRequestTooLarge, http.StatusRequestEntityTooLarge, "Request must be smaller than %d bytes for the CreateFunction operation", MaxZipBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return invalidZip("Please check your file, then try to upload again: %v", err)
	}
	if len(zr.File) > MaxZipEntries {
		return invalidZip("The package has %d entries; Signalbox takes at most %d.", len(zr.File), MaxZipEntries)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("function: code directory: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("function: code directory: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	var total int64
	for _, f := range zr.File {
		name, err := entryPath(f.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue // the root itself
		}
		mode := f.Mode()
		target := filepath.Join(dir, filepath.FromSlash(name))
		switch {
		case mode&fs.ModeSymlink != 0:
			return invalidZip("The entry %q is a symbolic link; Signalbox unpacks only files and directories.", clip(f.Name))
		case f.FileInfo().IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("function: unpacking %q: %w", name, err)
			}
			continue
		case !mode.IsRegular():
			return invalidZip("The entry %q is not a regular file.", clip(f.Name))
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("function: unpacking %q: %w", name, err)
		}
		n, err := writeEntry(f, target, maxUnzipped-total, maxUnzipped)
		if err != nil {
			return err
		}
		total += n
	}
	return nil
}

// entryPath is an entry's path, cleaned and relative, or the refusal of
// one that would leave the directory.
func entryPath(name string) (string, error) {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || strings.ContainsRune(n, 0) || (len(n) >= 2 && n[1] == ':') {
		return "", invalidZip("The entry %q has an absolute path.", clip(name))
	}
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." {
			return "", invalidZip("The entry %q leaves the package's directory.", clip(name))
		}
	}
	n = path.Clean(n)
	if n == "." {
		return "", nil
	}
	return n, nil
}

// writeEntry writes one file of at most left bytes (whatever its header
// says) and returns its size.
func writeEntry(f *zip.File, target string, left, max int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, invalidZip("The entry %q: %v", clip(f.Name), err)
	}
	defer rc.Close()
	perm := os.FileMode(0o644)
	if f.Mode()&0o111 != 0 {
		perm = 0o755
	}
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, invalidZip("The entry %q is in the package twice.", clip(f.Name))
		}
		return 0, fmt.Errorf("function: unpacking %q: %w", f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, left+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if n > left {
		return 0, apiErr(CodeRequestTooLarge, http.StatusRequestEntityTooLarge,
			"Unzipped size must be smaller than %d bytes", max)
	}
	if err != nil {
		return 0, invalidZip("The entry %q: %v", clip(f.Name), err)
	}
	return n, nil
}

// findExecutable is the program a package's function runs: its
// bootstrap (a custom runtime's, or a Go handler built as bootstrap),
// else the file its Handler names (the go1.x runtime's convention), made
// executable. Errors are InvalidParameterValueException: Signalbox runs
// only programs that speak the Runtime API.
func findExecutable(dir, handler string) (string, error) {
	candidates := []string{"bootstrap"}
	if h, err := entryPath(handler); err == nil && h != "" && h != "bootstrap" {
		candidates = append(candidates, h)
	}
	for _, c := range candidates {
		p := filepath.Join(dir, filepath.FromSlash(c))
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if fi.Mode()&0o111 == 0 {
			if err := os.Chmod(p, fi.Mode()|0o755); err != nil {
				return "", fmt.Errorf("function: making %s executable: %w", c, err)
			}
		}
		return p, nil
	}
	return "", invalidParam("The deployment package has no bootstrap at its root, nor a file named by the Handler %q: Signalbox runs a program that implements the Lambda Runtime API (a custom runtime's bootstrap, or a Go handler built with aws-lambda-go)", clip(handler))
}

// codeDirName is the directory of a package: its SHA-256 in hex, so that
// the same package is unpacked once and versions share it.
func codeDirName(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// PackageSha256 is the CodeSha256 of a package, as CreateFunction
// answers it: the configuration compares a package with a function's by
// it.
func PackageSha256(zip []byte) string { return codeSha256(zip) }
