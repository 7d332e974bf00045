package queue

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// A receipt handle names one receive of one message of one queue:
// base64url (unpadded) of "1:<queue name>:<message id>:<receipt token>",
// the token the queue's receive counter at that receive (QueueStateKey).
// It is not secret, as AWS's is not meant to be: it only has to be
// distinct per receive, so that a handle of an earlier receive stops
// working once the message is received again.

// maxReceiptHandle bounds the handles parsed (AWS's are about 400 bytes).
const maxReceiptHandle = 1024

func encodeReceipt(queue, id string, token int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("1:" + queue + ":" + id + ":" + strconv.FormatInt(token, 10)))
}

// decodeReceipt parses a receipt handle of the queue named queue.
func decodeReceipt(queue, h string) (id string, token int64, ok bool) {
	if h == "" || len(h) > maxReceiptHandle {
		return "", 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", 0, false
	}
	f := strings.Split(string(b), ":")
	if len(f) != 4 || f[0] != "1" || f[1] != queue || len(f[2]) != 36 || strings.ContainsAny(f[2], "|\n\x00") {
		return "", 0, false
	}
	token, err = strconv.ParseInt(f[3], 10, 64)
	if err != nil || token <= 0 {
		return "", 0, false
	}
	return f[2], token, true
}

func base64URL(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func unbase64URL(s string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return string(b), err == nil
}
