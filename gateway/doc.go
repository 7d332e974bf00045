// Package gateway will hold Signalbox's HTTP layer on gin: user routes, the
// management API and the AWS-compatible protocol endpoints. It arrives with
// milestone M4; nothing uses it yet.
package gateway
