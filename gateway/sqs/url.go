package sqs

import (
	"net/http"
	"net/url"
	"strings"
)

// Queue URLs. This server names a queue http://<host of the request>/
// <account>/<name>, as AWS names it https://sqs.<region>.amazonaws.com/
// <account>/<name>: the SDKs send the URL back in QueueUrl, and the query
// protocol's older clients POST to it. A queue URL is read by its path
// alone, so AWS's own forms name the same queue here (the SDK's
// sqs.<region>.amazonaws.com, the legacy <region>.queue.amazonaws.com and
// queue.amazonaws.com), and so does a URL whose host was this server's
// under another name (localhost, 127.0.0.1, a proxy's).

// maxQueueURL bounds a queue URL: a host name (253), an account (12) and
// a queue name (80) with their punctuation fit in far less; AWS's URL
// limits are 2,048 characters.
const maxQueueURL = 2048

// queueURL is the URL of the queue name, on the host the request came to.
func (s *API) queueURL(r *http.Request, name string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + "/" + s.opts.AccountID + "/" + name
}

// queuePath splits a queue URL's path, "/<account>/<name>" (a trailing
// slash allowed), into its account and name; ok is false for any other
// path.
func queuePath(path string) (account, name string, ok bool) {
	p := strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/")
	account, name, ok = strings.Cut(p, "/")
	if !ok || account == "" || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	return account, name, true
}

// parseQueueURL returns the name of the queue a queue URL names:
// InvalidAddress for what is no queue URL, QueueDoesNotExist for a queue
// of another account.
func (s *API) parseQueueURL(raw string) (string, error) {
	if raw == "" {
		return "", missing("QueueUrl")
	}
	// built only when needed: every request parses a URL
	invalid := func() error {
		return errorf("InvalidAddress", "The address %s is not valid for this endpoint.", truncate(raw, 200))
	}
	if len(raw) > maxQueueURL {
		return "", invalid()
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return "", invalid()
	}
	account, name, ok := queuePath(u.Path)
	if !ok {
		return "", invalid()
	}
	if account != s.opts.AccountID {
		return "", errorf("QueueDoesNotExist", "The specified queue does not exist.")
	}
	return name, nil
}

// truncate cuts s to n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
