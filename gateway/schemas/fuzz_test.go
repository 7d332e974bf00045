package schemas

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/integrations/schemas"
	"github.com/signalbox/signalbox/store/storetest"
)

// FuzzREST: any method, path, query and body through the API, on a real
// registry: no panic, and every answer of the API is its own shape (an
// error: X-Amzn-ErrorType and {"Code", "Message"}; else JSON, an archive
// or nothing).
func FuzzREST(f *testing.F) {
	gin.SetMode(gin.ReleaseMode)
	reg := schemas.New(storetest.Open(f, "sbschemasfz-"), schemas.Config{})
	f.Cleanup(reg.Close)
	reg.Start(context.Background())
	_, _ = reg.CreateRegistry(context.Background(), &schemas.CreateRegistryInput{RegistryName: "r"})
	api := New(Options{Registry: reg})
	e := gin.New()
	e.NoRoute(func(c *gin.Context) {
		if !api.ServePath(c) {
			c.Status(http.StatusTeapot)
		}
	})
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	f.Add(uint8(1), "/v1/registries/name/r/schemas/name/s", "", `{"Type":"OpenApi3","Content":"{\"openapi\":\"3.0.0\",\"info\":{\"title\":\"t\",\"version\":\"1\"}}"}`)
	f.Add(uint8(0), "/v1/registries", "limit=2&scope=LOCAL&nextToken=YQ", "")
	f.Add(uint8(2), "/v1/registries/name/r/schemas/name/s", "", `{"Content":"{}","Type":"JSONSchemaDraft4","Description":null}`)
	f.Add(uint8(1), "/v1/discover", "", `{"Events":["{\"source\":\"a\",\"detail-type\":\"b\",\"detail\":{\"x\":[1,{}]}}"],"Type":"OpenApi3"}`)
	f.Add(uint8(1), "/tags/arn:aws:schemas:us-east-1:123456789012:registry%2Fr", "", `{"tags":{"a":"b"}}`)
	f.Add(uint8(3), "/tags/arn:aws:schemas:us-east-1:123456789012:registry%2Fr", "tagKeys=a&tagKeys=b", "")
	f.Add(uint8(1), "/v1/discoverers", "", `{"SourceArn":"arn:aws:events:us-east-1:123456789012:event-bus/b","CrossAccount":false}`)
	f.Add(uint8(1), "/v1/registries/name/r/schemas/name/s/language/Go1", "schemaVersion=1", "")
	f.Add(uint8(0), "/v1/registries/name/r/schemas/name/s/export", "type=JSONSchemaDraft4&schemaVersion=x", "")
	f.Add(uint8(0), "/v1/registries/name/r/schemas/search", "keywords=s&limit=-1", "[")
	f.Fuzz(func(t *testing.T, m uint8, path, query, body string) {
		if len(path) > 2048 || len(query) > 2048 || len(body) > 64<<10 {
			return
		}
		u, err := url.Parse("http://x" + path)
		if err != nil || !strings.HasPrefix(path, "/") {
			return
		}
		u.RawQuery = query
		req, err := http.NewRequest(methods[int(m)%len(methods)], u.String(), strings.NewReader(body))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code == http.StatusTeapot {
			return // not the API's
		}
		res := rec.Result()
		if rec.Code >= 400 {
			var eb struct{ Code, Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Code == "" || eb.Message == "" || res.Header.Get("X-Amzn-ErrorType") != eb.Code {
				t.Fatalf("%s %s: error answer %d %q", req.Method, u, rec.Code, rec.Body.String())
			}
			if rec.Code >= 500 {
				t.Fatalf("%s %s: server error %q", req.Method, u, rec.Body.String())
			}
			return
		}
		switch ct := res.Header.Get("Content-Type"); {
		case rec.Body.Len() == 0:
		case ct == "application/octet-stream":
			if !bytes.HasPrefix(rec.Body.Bytes(), []byte("PK")) {
				t.Fatalf("not an archive")
			}
		default:
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s: answer is not JSON: %q", req.Method, u, rec.Body.String())
			}
		}
	})
}
