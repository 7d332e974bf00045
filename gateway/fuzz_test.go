package gateway

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/signalbox/signalbox/asl"
)

// FuzzPathTemplate: any route path either parses or is refused; a parsed
// template matches paths without a panic, and a match names every
// parameter.
func FuzzPathTemplate(f *testing.F) {
	for _, p := range []string{"/orders", "/orders/{id}", "/a/{b}/c/{rest+}", "/{a}/{a}", "/{", "/}{", "//x", "/{a+}/b", "/é/{ü}"} {
		f.Add(p, "/orders/12/x")
	}
	f.Fuzz(func(t *testing.T, tmpl, path string) {
		pt, err := parsePathTemplate(tmpl)
		if err != nil {
			return
		}
		_ = pt.shape()
		segs := strings.Split(strings.Trim(path, "/"), "/")
		if params, ok := pt.match(segs); ok {
			for _, s := range pt.segs {
				if s.kind != segLiteral {
					if _, ok := params[s.text]; !ok {
						t.Fatalf("%q matched %q without its parameter %q", tmpl, path, s.text)
					}
				}
			}
		}
		_ = pt.moreSpecific(pt)
	})
}

// FuzzRouteDecode: any JSON value is a route or a list of field errors,
// and a decoded route validates without a panic.
func FuzzRouteDecode(f *testing.F) {
	for _, s := range []string{
		`{"method":"POST","path":"/x/{id}","stateMachine":"m","mode":"sync","mapping":"default","keepHeaders":["Cookie"],"public":true}`,
		`{"method":1,"cors":{"allowOrigins":["*"],"allowCredentials":true},"rateLimit":{"requestsPerSecond":-1}}`,
		`{"timeout":"soon","maxBodyBytes":1e400}`, `[]`, `null`, `{"apiKeys":"k"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := asl.DecodeJSON(data)
		if err != nil {
			return
		}
		r, errs := DecodeRoute(v)
		if len(errs) == 0 {
			_ = r.Validate()
		}
	})
}

// FuzzRouteMapping: any request a route takes maps to an execution input
// that encodes as JSON, or is refused with a 4xx; the default mapping never
// passes the secret headers on, and never a panic.
func FuzzRouteMapping(f *testing.F) {
	f.Add(true, "application/json", []byte(`{"a":[1,2,{"b":"\ud83c\udd97"}]}`), "a=1&a=2&b", "x-trace", "t", "id-1")
	f.Add(false, "", []byte(`{"a":1e400}`), "%zz", "Cookie", "s=1", "")
	f.Add(true, "application/x-www-form-urlencoded", []byte("a=b&c"), "q;r", "Authorization", "Bearer k", "x")
	f.Add(true, "text/plain; charset=\xff", []byte("\xff\xfe"), "", "Proxy-Authorization", "Basic x", "")
	f.Add(false, "multipart/form-data", []byte(""), "", "X-Amz-Security-Token", "tok", "")
	gin.SetMode(gin.ReleaseMode)
	f.Fuzz(func(t *testing.T, defaultMapping bool, contentType string, body []byte, query, hname, hvalue, param string) {
		r := &liveRoute{Route: Route{Method: http.MethodPost, Path: "/x/{id}", StateMachine: "m", Mapping: MappingBody}}
		if defaultMapping {
			r.Mapping = MappingDefault
		}
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/x/1", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", contentType)
		secret := "s3cr3t-" + hvalue
		for _, h := range []string{"Cookie", "Authorization", "Proxy-Authorization", "X-Api-Key"} {
			req.Header.Set(h, secret)
		}
		if hname != "" {
			req.Header.Set(hname, hvalue)
		}
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = req
		input, status, err := r.mapRequest(c, body, map[string]string{"id": param}, "rid", "")
		if err != nil {
			if status < 400 || status > 499 {
				t.Fatalf("refused with %d: %v", status, err)
			}
			return
		}
		text := asl.EncodeJSON(input)
		if _, err := asl.DecodeJSON([]byte(text)); err != nil {
			t.Fatalf("the input %q does not decode again: %v", text, err)
		}
		if defaultMapping {
			headers := input.(map[string]any)["headers"].(map[string]any)
			for _, h := range []string{"cookie", "authorization", "proxy-authorization", "x-api-key"} {
				if v, ok := headers[h]; ok {
					t.Fatalf("the header %s reached the input: %v", h, v)
				}
			}
		}
	})
}
