// Package bucket is the local object store a Distributed Map reads its
// items from and writes its results to: each bucket is a directory of a
// configured root, each key a file under it. It serves the S3 Task
// resources Step Functions definitions use with Distributed Map
// (arn:aws:states:::s3:getObject, s3:listObjectsV2, s3:putObject), the
// ItemReader formats (JSON, JSONL, CSV, MANIFEST, S3 listings) and the
// ResultWriter's files, and, as Signalbox's extension, an HTTP(S) URL as an
// item source.
//
// CONTRACT (session 10): package placeholder; the helper building it
// writes the package. The runtime reaches it only through
// integrations.ItemReader and integrations.ResultWriter.
package bucket
