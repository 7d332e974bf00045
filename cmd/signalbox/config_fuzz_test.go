package main

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadConfig: any file is either a configuration or a list of
// problems, each naming the file; never a panic, whatever YAML (anchors,
// aliases, tags, merges) it holds.
func FuzzLoadConfig(f *testing.F) {
	for _, s := range []string{
		"addr: 127.0.0.1:8080\nregion: us-east-1\naccount: '123456789012'\n",
		"stateMachines:\n  - name: m\n    definition: {StartAt: P, States: {P: {Type: Pass, End: true}}}\nroutes:\n  - path: /x/{id}\n    method: POST\n    stateMachine: m\n",
		"api: {keys: [abcdefgh]}\ncredentials: [{accessKeyId: AKID, secretAccessKey: s}]\n",
		"a: &a [*a]\n",
		"x: &x {<<: *x}\n",
		"routes: [{path: '/{a}/{a}', method: GET, stateMachine: m, input: {k: '${NOPE}'}}]\n",
		"queues: [x]\n",
		"!!binary AAAA",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "signalbox.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, problems := loadConfig(path)
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
