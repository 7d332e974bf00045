package config

import (
	"path/filepath"
	"testing"
)

// FuzzDecode: any file is either a configuration or a list of problems,
// each naming the file; never a panic, whatever YAML (anchors, aliases,
// tags, merges) it holds.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"addr: 127.0.0.1:8080\nregion: us-east-1\naccount: '123456789012'\n",
		"stateMachines:\n  - name: m\n    definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}\nroutes:\n  - path: /x/{id}\n    method: POST\n    stateMachine: m\n",
		"api: {keys: [abcdefgh]}\ncredentials: [{accessKeyId: AKID, secretAccessKey: s}]\n",
		"a: &a [*a]\n",
		"x: &x {<<: *x}\n",
		"routes: [{path: '/{a}/{a}', method: GET, stateMachine: m, input: {k: '${NOPE}'}}]\n",
		"queues: [x]\n",
		"topics:\n  - name: t.fifo\n    attributes: {Policy: {a: [1, 2.5]}}\n    subscriptions:\n      - {queue: q, attributes: {FilterPolicy: {k: [v]}}}\n      - {protocol: https, endpoint: 'https://h', stateMachine: s}\n",
		"buses:\n  - name: b\n    rules:\n      - name: r\n        eventPattern: {source: [s], detail: {n: [{numeric: ['>', 1]}]}}\n        targets:\n          - {id: q, queue: q, retryPolicy: {maximumRetryAttempts: 3}, inputTransformer: {inputPathsMap: {a: $.a}, inputTemplate: {x: '<a>'}}}\n          - {id: t, topic: t, bus: b}\n    archives: [{name: a, retentionDays: 1}]\n",
		"connections:\n  - {name: c, authParameters: {apiKeyAuthParameters: {apiKeyName: k, apiKeyValue: v}, invocationHttpParameters: {headerParameters: [{key: a, value: 1, isValueSecret: true}]}}}\napiDestinations:\n  - {name: d, connection: c, invocationEndpoint: 'https://x', httpMethod: POST, invocationRateLimitPerSecond: 1}\n",
		"registries:\n  - name: r\n    tags: {a: b}\n    schemas:\n      - {name: s, type: JSONSchemaDraft4, content: {type: object, properties: {n: {type: [a, 1]}}}}\n      - {name: f, content: absent.json}\nbuses:\n  - {name: b, discovery: true}\n",
		"functions:\n  - {name: f, endpoint: 'http://x/', timeout: 3, environment: {A: 1}, tags: {t: v}}\n  - {name: g, zip: absent.zip, publish: true, aliases: [{name: live, version: published}, x]}\n  - {name: h, executable: /bin/true, reservedConcurrency: x}\n",
		"!!binary AAAA",
	} {
		f.Add([]byte(s))
	}
	path := filepath.Join(f.TempDir(), "signalbox.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, problems := Decode(path, data)
		for _, p := range problems {
			if p.File == "" || p.Message == "" {
				t.Fatalf("a problem without a file or a message: %+v", p)
			}
		}
		if len(problems) == 0 && c == nil {
			t.Fatal("no configuration and no problem")
		}
	})
}
