package bucket

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
)

func read(s *Service, req integrations.ReadItemsRequest) ([]any, error) {
	if req.Resource == "" {
		req.Resource = ResourceGetObject
	}
	return s.ReadItems(context.Background(), &req)
}

func obj(bucket, key string) map[string]any { return map[string]any{"Bucket": bucket, "Key": key} }

func TestCSVRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		delim    byte
		want     [][]string
		err      string
	}{
		{name: "plain", in: "a,b,c\n1,2,3\n", want: [][]string{{"a", "b", "c"}, {"1", "2", "3"}}},
		{name: "no final newline, CRLF", in: "a,b\r\n1,2", want: [][]string{{"a", "b"}, {"1", "2"}}},
		{name: "empty lines skipped", in: "a\n\n\nb\n\n", want: [][]string{{"a"}, {"b"}}},
		{name: "empty fields", in: ",,\n", want: [][]string{{"", "", ""}}},
		{name: "empty quoted field", in: `a,"",b`, want: [][]string{{"a", "", "b"}}},
		{name: "quoted delimiter and newline", in: "\"x,y\nz\",2\n", want: [][]string{{"x,y\nz", "2"}}},
		{name: "doubled quote in quotes", in: `"say ""hi""",1`, want: [][]string{{`say "hi"`, "1"}}},
		{name: "doubled quote unquoted (AWS's example)", in: `{""MyKey"":""MyValue""},"[1,2,3]"`, want: [][]string{{`{"MyKey":"MyValue"}`, "[1,2,3]"}}},
		{name: "lone quote inside unquoted field kept", in: `5" screen,1`, want: [][]string{{`5" screen`, "1"}}},
		{name: "backslashes (AWS's example)", in: `C:\\Program Files\\MyApp.exe,6534512`, want: [][]string{{`C:\Program Files\MyApp.exe`, "6534512"}}},
		{name: "backslash escapes quote and delimiter", in: `a\"b,c\,d`, want: [][]string{{`a"b`, "c,d"}}},
		{name: "backslash before other character dropped", in: `a\nb\`, want: [][]string{{"anb"}}},
		{name: "pipe", in: "a|b,c\n", delim: '|', want: [][]string{{"a", "b,c"}}},
		{name: "tab", in: "a\tb\n", delim: '\t', want: [][]string{{"a", "b"}}},
		{name: "unterminated quote", in: "a,\"b\n", err: "not closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.delim
			if d == 0 {
				d = ','
			}
			r := newCSVReader(strings.NewReader(tc.in), d)
			var got [][]string
			for {
				rec, err := r.Read()
				if err != nil {
					if tc.err != "" {
						require.ErrorContains(t, err, tc.err)
						return
					}
					require.ErrorIs(t, err, io.EOF)
					break
				}
				got = append(got, append([]string(nil), rec...))
			}
			require.Empty(t, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestReadItemsFormats(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	put(t, s, "data", "items.json", `[{"id":1},{"id":2.5},"three",[4],null]`)
	put(t, s, "data", "nested.json", `{"data":{"items":[{"id":1},{"id":2}]}}`)
	put(t, s, "data", "items.jsonl", "{\"id\":1}\n\n  {\"id\":2}  \r\n\"x\"")
	put(t, s, "data", "ratings.csv", "rating,movieId,userId,timestamp\n3.5,307,1,1256677221\n1.5,1091\n")
	put(t, s, "data", "given.csv", "1,307,3.5,1256677221,extra\n1,481,3.5,1256677456\n")
	put(t, s, "data", "aws.csv", "abc,123,\"This string contains commas, a double quotation marks (\"\"), and a newline (\n)\",{\"\"MyKey\"\":\"\"MyValue\"\"},\"[1,2,3]\"\n")
	put(t, s, "data", "paths.csv", "path,size\nC:\\\\Program Files\\\\MyApp.exe,6534512\n")
	put(t, s, "data", "semi.csv", "a;b\n1;2\n")
	put(t, s, "data", "bom.csv", "\xef\xbb\xbfname,n\nx,1\n")
	put(t, s, "data", "dup.csv", "a,b,a\n1,2,3\n")
	put(t, s, "data", "header-only.csv", "a,b\n")

	for _, tc := range []struct {
		name string
		req  integrations.ReadItemsRequest
		want string // the items as JSON
		err  string // or the cause's beginning
	}{
		{name: "JSON", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.json"), InputType: "JSON"}, want: `[{"id":1},{"id":2.5},"three",[4],null]`},
		{name: "JSON is the default", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.json")}, want: `[{"id":1},{"id":2.5},"three",[4],null]`},
		{name: "JSON MaxItems", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.json"), InputType: "JSON", MaxItems: 2}, want: `[{"id":1},{"id":2.5}]`},
		{name: "JSON not an array", req: integrations.ReadItemsRequest{Parameters: obj("data", "nested.json"), InputType: "JSON"}, err: "Attempting to map over non-iterable node."},
		{name: "JSON ItemsPointer", req: integrations.ReadItemsRequest{Parameters: obj("data", "nested.json"), InputType: "JSON", ItemsPointer: "/data/items"}, want: `[{"id":1},{"id":2}]`},
		{name: "JSON ItemsPointer missing", req: integrations.ReadItemsRequest{Parameters: obj("data", "nested.json"), InputType: "JSON", ItemsPointer: "/data/nope"}, err: "ReaderConfig.ItemsPointer \"/data/nope\": no field"},
		{name: "JSON not JSON", req: integrations.ReadItemsRequest{Parameters: obj("data", "ratings.csv"), InputType: "JSON"}, err: "The file is not valid JSON"},
		{name: "JSONL", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.jsonl"), InputType: "JSONL"}, want: `[{"id":1},{"id":2},"x"]`},
		{name: "JSONL MaxItems", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.jsonl"), InputType: "JSONL", MaxItems: 1}, want: `[{"id":1}]`},
		{name: "JSONL of one array line", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.json"), InputType: "JSONL"}, want: `[[{"id":1},{"id":2.5},"three",[4],null]]`},
		{name: "JSONL invalid", req: integrations.ReadItemsRequest{Parameters: obj("data", "ratings.csv"), InputType: "JSONL"}, err: "Line 1 of the JSONL file is not valid JSON"},
		{name: "CSV FIRST_ROW, short row padded", req: integrations.ReadItemsRequest{Parameters: obj("data", "ratings.csv"), InputType: "CSV", CSVHeaderLocation: "FIRST_ROW"},
			want: `[{"movieId":"307","rating":"3.5","timestamp":"1256677221","userId":"1"},{"movieId":"1091","rating":"1.5","timestamp":"","userId":""}]`},
		{name: "CSV GIVEN (AWS's example), extra field skipped", req: integrations.ReadItemsRequest{Parameters: obj("data", "given.csv"), InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"userId", "movieId", "rating", "timestamp"}},
			want: `[{"movieId":"307","rating":"3.5","timestamp":"1256677221","userId":"1"},{"movieId":"481","rating":"3.5","timestamp":"1256677456","userId":"1"}]`},
		{name: "CSV AWS's parsing example", req: integrations.ReadItemsRequest{Parameters: obj("data", "aws.csv"), InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"MyLetters", "MyNumbers", "MyString", "MyObject", "MyArray"}},
			want: `[{"MyArray":"[1,2,3]","MyLetters":"abc","MyNumbers":"123","MyObject":"{\"MyKey\":\"MyValue\"}","MyString":"This string contains commas, a double quotation marks (\"), and a newline (\n)"}]`},
		{name: "CSV backslashes (AWS's example)", req: integrations.ReadItemsRequest{Parameters: obj("data", "paths.csv"), InputType: "CSV"}, want: `[{"path":"C:\\Program Files\\MyApp.exe","size":"6534512"}]`},
		{name: "CSV SEMICOLON", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "CSV", CSVDelimiter: "SEMICOLON"}, want: `[{"a":"1","b":"2"}]`},
		{name: "CSV MaxItems after the header", req: integrations.ReadItemsRequest{Parameters: obj("data", "ratings.csv"), InputType: "CSV", MaxItems: 1},
			want: `[{"movieId":"307","rating":"3.5","timestamp":"1256677221","userId":"1"}]`},
		{name: "CSV with a byte order mark", req: integrations.ReadItemsRequest{Parameters: obj("data", "bom.csv"), InputType: "CSV"}, want: `[{"n":"1","name":"x"}]`},
		{name: "CSV header only", req: integrations.ReadItemsRequest{Parameters: obj("data", "header-only.csv"), InputType: "CSV"}, want: `[]`},
		{name: "CSV duplicate headers", req: integrations.ReadItemsRequest{Parameters: obj("data", "dup.csv"), InputType: "CSV"}, err: "CSV headers cannot contain duplicates."},
		{name: "CSV duplicate given headers", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "CSV", CSVHeaderLocation: "GIVEN", CSVHeaders: []string{"x", "x"}}, err: "CSV headers cannot contain duplicates."},
		{name: "CSV GIVEN without headers", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "CSV", CSVHeaderLocation: "GIVEN"}, err: "ReaderConfig.CSVHeaders must list"},
		{name: "CSV bad delimiter", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "CSV", CSVDelimiter: "COLON"}, err: "ReaderConfig.CSVDelimiter"},
		{name: "PARQUET", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "PARQUET"}, err: "ReaderConfig.InputType PARQUET is not supported"},
		{name: "unknown InputType", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "XML"}, err: "ReaderConfig.InputType \"XML\""},
		{name: "MaxItems above AWS's limit", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "CSV", MaxItems: MaxItemsLimit + 1}, err: "ReaderConfig.MaxItems"},
		{name: "no such key", req: integrations.ReadItemsRequest{Parameters: obj("data", "nope.json")}, err: "The specified key does not exist. (Service: S3, Status Code: 404)"},
		{name: "no such bucket", req: integrations.ReadItemsRequest{Parameters: obj("nope", "a.json")}, err: "The specified bucket does not exist"},
		{name: "VersionId", req: integrations.ReadItemsRequest{Parameters: map[string]any{"Bucket": "data", "Key": "items.json", "VersionId": "x"}}, err: "The ItemReader's Parameters field VersionId is not supported"},
		{name: "byte limit", req: integrations.ReadItemsRequest{Parameters: obj("data", "items.json"), MaxBytes: 10}, err: "The ItemReader's data is larger than 10 bytes"},
		{name: "byte limit exact", req: integrations.ReadItemsRequest{Parameters: obj("data", "semi.csv"), InputType: "CSV", CSVDelimiter: "SEMICOLON", MaxBytes: 8}, want: `[{"a":"1","b":"2"}]`},
		{name: "putObject is no reader", req: integrations.ReadItemsRequest{Resource: ResourcePutObject, Parameters: obj("data", "items.json")}, err: "The ItemReader's Resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, err := read(s, tc.req)
			if tc.err != "" {
				var ie *integrations.Error
				require.ErrorAs(t, err, &ie)
				require.Equal(t, ErrItemReaderFailed, ie.Name)
				require.True(t, strings.HasPrefix(ie.Cause, tc.err), "cause %q", ie.Cause)
				return
			}
			require.NoError(t, err)
			if items == nil {
				items = []any{}
			}
			require.Equal(t, tc.want, asl.EncodeJSON(items))
		})
	}
}

func TestReadItemsListing(t *testing.T) {
	t.Parallel()
	s := setup(t, "data")
	put(t, s, "data", "in/b.jsonl", "{\"n\":3}\n{\"n\":4}\n")
	put(t, s, "data", "in/a.jsonl", "{\"n\":1}\n{\"n\":2}\n")
	put(t, s, "data", "other.txt", "x")

	items, err := read(s, integrations.ReadItemsRequest{Resource: ResourceListObjectsV2, Parameters: map[string]any{"Bucket": "data", "Prefix": "in/"}})
	require.NoError(t, err)
	require.Len(t, items, 2)
	first := items[0].(map[string]any)
	require.Equal(t, "in/a.jsonl", first["Key"])
	require.Equal(t, `"`+md5hex("{\"n\":1}\n{\"n\":2}\n")+`"`, first["Etag"])
	require.Equal(t, int64(16), first["Size"])
	require.Equal(t, "STANDARD", first["StorageClass"])
	require.IsType(t, int64(0), first["LastModified"]) // epoch seconds, as AWS's listing items
	require.Len(t, first, 5)

	items, err = read(s, integrations.ReadItemsRequest{Resource: ResourceSDKListObjectsV2, Parameters: map[string]any{"Bucket": "data"}, MaxItems: 1})
	require.NoError(t, err)
	require.Len(t, items, 1)

	items, err = read(s, integrations.ReadItemsRequest{Resource: ResourceListObjectsV2, Parameters: map[string]any{"Bucket": "data", "Prefix": "in/"}, InputType: "JSONL", Transformation: "LOAD_AND_FLATTEN", MaxItems: 3})
	require.NoError(t, err)
	require.Equal(t, `[{"n":1},{"n":2},{"n":3}]`, asl.EncodeJSON(items))

	_, err = read(s, integrations.ReadItemsRequest{Resource: ResourceListObjectsV2, Parameters: map[string]any{"Bucket": "data"}, InputType: "JSONL"})
	require.ErrorContains(t, err, "without Transformation LOAD_AND_FLATTEN")
	_, err = read(s, integrations.ReadItemsRequest{Resource: ResourceListObjectsV2, Parameters: map[string]any{"Bucket": "data"}, InputType: "JSON", Transformation: "LOAD_AND_FLATTEN"})
	require.ErrorContains(t, err, `The object "in/a.jsonl": Attempting to map over non-iterable node.`) // the failing object is named
	_, err = read(s, integrations.ReadItemsRequest{Resource: ResourceListObjectsV2, Parameters: map[string]any{"Bucket": "data", "Key": "x"}})
	require.ErrorContains(t, err, `field "Key" is not supported`)
}

func gz(t *testing.T, s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.String()
}

func TestReadItemsManifest(t *testing.T) {
	t.Parallel()
	s := setup(t, "source", "inventory")
	put(t, s, "inventory", "src/inv/data/1.csv.gz", gz(t, "\"source\",\"a.jpg\",\"10\",\"2024-01-02T03:04:05.000Z\"\n\"source\",\"b.jpg\",\"20\",\"2024-01-02T03:04:06.000Z\"\n"))
	put(t, s, "inventory", "src/inv/data/2.csv", "\"source\",\"c.jpg\",\"30\",\"2024-01-02T03:04:07.000Z\"\n")
	put(t, s, "inventory", "src/inv/manifest.json", `{
  "sourceBucket": "source",
  "destinationBucket": "arn:aws:s3:::inventory",
  "version": "2016-11-30",
  "creationTimestamp": "1514944800000",
  "fileFormat": "CSV",
  "fileSchema": "Bucket, Key, Size, LastModifiedDate",
  "files": [
    {"key": "src/inv/data/1.csv.gz", "size": 1, "MD5checksum": "x"},
    {"key": "src/inv/data/2.csv", "size": 1, "MD5checksum": "y"}
  ]
}`)
	items, err := read(s, integrations.ReadItemsRequest{Parameters: obj("inventory", "src/inv/manifest.json"), InputType: "MANIFEST"})
	require.NoError(t, err)
	require.Equal(t, `[{"Bucket":"source","Key":"a.jpg","LastModifiedDate":"2024-01-02T03:04:05.000Z","Size":"10"},`+
		`{"Bucket":"source","Key":"b.jpg","LastModifiedDate":"2024-01-02T03:04:06.000Z","Size":"20"},`+
		`{"Bucket":"source","Key":"c.jpg","LastModifiedDate":"2024-01-02T03:04:07.000Z","Size":"30"}]`, asl.EncodeJSON(items))

	items, err = read(s, integrations.ReadItemsRequest{Parameters: obj("inventory", "src/inv/manifest.json"), InputType: "MANIFEST", MaxItems: 1})
	require.NoError(t, err)
	require.Len(t, items, 1)

	put(t, s, "inventory", "orc/manifest.json", `{"destinationBucket":"arn:aws:s3:::inventory","fileFormat":"ORC","fileSchema":"x","files":[]}`)
	_, err = read(s, integrations.ReadItemsRequest{Parameters: obj("inventory", "orc/manifest.json"), InputType: "MANIFEST"})
	require.ErrorContains(t, err, `fileFormat "ORC": only CSV inventories are supported`)
}

func TestReadItemsURL(t *testing.T) {
	t.Parallel()
	s := setup(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/items.jsonl":
			fmt.Fprint(w, "{\"a\":1}\n{\"a\":2}\n")
		case "/big":
			w.Write(bytes.Repeat([]byte("[1,"), 1000))
		case "/hang":
			<-r.Context().Done()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	items, err := read(s, integrations.ReadItemsRequest{Parameters: map[string]any{"Url": srv.URL + "/items.jsonl"}, InputType: "JSONL"})
	require.NoError(t, err)
	require.Equal(t, `[{"a":1},{"a":2}]`, asl.EncodeJSON(items))

	_, err = read(s, integrations.ReadItemsRequest{Parameters: map[string]any{"Url": srv.URL + "/missing"}, InputType: "JSONL"})
	require.ErrorContains(t, err, "HTTP status 404")
	_, err = read(s, integrations.ReadItemsRequest{Parameters: map[string]any{"Url": srv.URL + "/big"}, InputType: "JSON", MaxBytes: 100})
	require.ErrorContains(t, err, "larger than 100 bytes")
	_, err = read(s, integrations.ReadItemsRequest{Parameters: map[string]any{"Url": "file:///etc/passwd"}})
	require.ErrorContains(t, err, "is not an http or https URL")
	_, err = read(s, integrations.ReadItemsRequest{Parameters: map[string]any{"Url": srv.URL, "Bucket": "x"}})
	require.ErrorContains(t, err, "either Url or Bucket and Key")

	short, err := New(Options{Dir: t.TempDir(), URLTimeout: 50_000_000}) // 50ms: the server never answers
	require.NoError(t, err)
	t.Cleanup(func() { short.Close() })
	_, err = read(short, integrations.ReadItemsRequest{Parameters: map[string]any{"Url": srv.URL + "/hang"}})
	require.ErrorContains(t, err, "States.ItemReaderFailed")
}
