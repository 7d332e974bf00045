package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/signalbox/signalbox/internal/redisproc"
)

// deployArgs turns a container's serve command into one for this machine:
// the image's paths to the repository's and a test directory, the listen
// address to the one startServe gives, a service's Redis to url.
func deployArgs(t *testing.T, command []string, dataDir, redisURL string) []string {
	t.Helper()
	require.Equal(t, "serve", command[0], "%v", command)
	examples, err := filepath.Abs(filepath.Join(repoRoot, "examples"))
	require.NoError(t, err)
	var args []string
	for i := 1; i < len(command); i++ {
		a := command[i]
		switch {
		case a == "--addr":
			i++ // startServe gives its own
			continue
		case a == "/data":
			a = dataDir
		case strings.HasPrefix(a, "/examples/"):
			a = filepath.Join(examples, strings.TrimPrefix(a, "/examples/"))
		case strings.HasPrefix(a, "redis://redis:6379"):
			a = redisURL
		}
		args = append(args, a)
	}
	return args
}

// The Dockerfile's default command keeps the store in the /data volume
// with a redis-server of its own, which the image installs; run here, with
// the repository's examples, it serves them on a durable store.
func TestDockerfileDefaultCommandIsDurable(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	require.NoError(t, err)
	dockerfile := string(data)
	var cmd []string
	for _, line := range strings.Split(dockerfile, "\n") {
		if rest, ok := strings.CutPrefix(line, "CMD "); ok {
			require.NoError(t, json.Unmarshal([]byte(rest), &cmd), line)
		}
	}
	require.Contains(t, strings.Join(cmd, " "), "--data-dir /data")
	require.Contains(t, dockerfile, "\nVOLUME /data\n")
	require.Regexp(t, `apt-get install [^\n]*redis-server`, dockerfile)

	needRedisServer(t)
	s := startServe(t, deployArgs(t, cmd, filepath.Join(t.TempDir(), "data"), "")...)
	require.Contains(t, s.Store, "store: durable, survives a restart")
	require.Contains(t, s.WaitLog(t, "msg=serving"), "state machine created orders")
}

// docker-compose.yml: Signalbox on the redis service, whose AOF is on
// (everysec) in a volume, and Jaeger all-in-one; Signalbox's command, run
// here against a Redis with the same settings, says its store is durable.
func TestDockerComposeRunsSignalboxOnARedisWithAnAOF(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Image       string
			Command     []string
			Volumes     []string
			Environment map[string]string
		}
		Volumes map[string]any
	}
	require.NoError(t, yaml.Unmarshal(data, &compose))
	redis, sb, jaeger := compose.Services["redis"], compose.Services["signalbox"], compose.Services["jaeger"]
	require.Equal(t, "jaegertracing/all-in-one:1.75.0", jaeger.Image)
	require.Equal(t, "redis-server", redis.Command[0])
	redisArgs := strings.Join(redis.Command[1:], " ")
	require.Contains(t, redisArgs, "--appendonly yes --appendfsync everysec")
	require.Contains(t, redis.Volumes, "redis-data:/data")
	require.Contains(t, compose.Volumes, "redis-data")
	require.Contains(t, strings.Join(sb.Command, " "), "--redis-url redis://redis:6379/0")

	srv := redisproc.StartForTest(t, redis.Command[1:]...)
	s := startServe(t, deployArgs(t, sb.Command, "", srv.URL())...)
	require.Contains(t, s.Store, "store: external, its durability is that Redis's: "+srv.URL()+" (Redis appendonly yes, appendfsync everysec")
}
