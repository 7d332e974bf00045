package bench

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/asl/jsonata"
	"github.com/signalbox/signalbox/internal/cli"
)

// `signalbox bench jsonata` runs the same expressions on the same inputs
// through our JSONata engine and through jsonata-js (the version AWS Step
// Functions documents, run by the machine's node), and reports each one's
// time per evaluation and the ratio. Each side compiles an expression once,
// evaluates it for at least --ms milliseconds to settle the count, then
// three times more: the fastest of the three is its figure. Results are
// compared as JSON, so that a fast wrong answer shows.

//go:embed jsonata.mjs
var benchJSONataRunner []byte

// jsonataJSVersion is the jsonata-js release measured against.
const jsonataJSVersion = "2.0.6"

var benchJSONataHelp = cli.Help{
	Synopsis: "signalbox bench jsonata [--ms N] [--only a,b] [--go-only] [--node PATH] [--jsonata-dir DIR]",
	Summary: `Time JSONata expression classes through Signalbox's engine and through jsonata-js on node
(installed with npm on first use), and report the ratios and whether the results agree.`,
	Example: "signalbox bench jsonata --go-only --only path",
}

// jsonataCase is one expression of one class on one input.
type jsonataCase struct {
	Name  string `json:"name"`
	Expr  string `json:"expr"`
	Input any    `json:"input"`
}

// jsonataCases are the classes measured: paths, arithmetic, strings,
// filters, construction, sorting, grouping, higher-order functions,
// formatting, conditions, objects, regular expressions over a long text,
// dates with pictures and aggregation over a long array.
func jsonataCases() []jsonataCase {
	orders := make([]any, 100)
	for i := range orders {
		orders[i] = map[string]any{
			"id": i, "name": fmt.Sprintf("item-%03d", i), "category": fmt.Sprintf("c%d", i%5),
			"price": float64(i*37%100) + 0.5, "qty": i%7 + 1,
		}
	}
	doc := map[string]any{
		"orders":   orders,
		"customer": map[string]any{"first": "Ada", "last": "Lovelace", "email": "ada@example.com", "address": map[string]any{"city": "London"}},
		"a":        17, "b": 4.5, "c": 23,
		"stamp": "2024-03-01 12:34:56",
	}
	nums := make([]any, 10000)
	for i := range nums {
		nums[i] = float64(i%997) * 1.25
	}
	var text strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&text, "id-%04d xx ", i) // 12 bytes, one match each: 12 KB, 1,000 matches
	}
	long := map[string]any{"text": text.String(), "nums": nums}
	const picture = "[Y0001]-[M01]-[D01] [H01]:[m01]:[s01]"
	return []jsonataCase{
		{"path", `customer.address.city`, doc},
		{"arithmetic", `(a * 2 + b / 3 - c % 5) * 1.5`, doc},
		{"concat", `customer.(first & " " & last & " <" & email & ">")`, doc},
		{"filter", `orders[price > 50].id`, doc},
		{"construct", `orders.{"id": id, "total": price * qty}`, doc},
		{"sort", `$sort(orders, function($l, $r) { $l.price > $r.price }).id`, doc},
		{"group", `orders{category: $sum(price)}`, doc},
		{"sum-small", `$sum(orders.(price * qty))`, doc},
		{"hof", `$reduce($map(orders, function($o) { $o.qty }), function($x, $y) { $x + $y })`, doc},
		{"strings", `$join($map(orders[[0..19]], function($o) { $uppercase($substring($o.name, 0, 6)) }), ",")`, doc},
		{"format", `orders[[0..19]].$formatNumber(price, "#,##0.00")`, doc},
		{"condition", `orders.(qty > 3 ? "bulk" : "single")`, doc},
		{"objects", `$keys($merge(orders[[0..9]].{name: price}))`, doc},
		{"match", `$match(text, /id-(\d+)/)[-1].index`, long},
		{"replace", `$length($replace(text, /id-(\d+)/, "n$1"))`, long},
		{"toMillis", `$toMillis(stamp, "` + picture + `")`, doc},
		{"fromMillis", `$fromMillis(1700000000000, "` + picture + `")`, doc},
		{"sum-10k", `$sum(nums)`, long},
		{"average-10k", `$average(nums)`, long},
		{"max-10k", `$max(nums)`, long},
		{"min-10k", `$min(nums)`, long},
	}
}

type jsonataFigure struct {
	ns     float64
	result string // the result as JSON, keys sorted
	err    string
}

func cmdBenchJSONata(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench jsonata", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ms := fs.Int("ms", 300, "the least time of one measured run of a case, in milliseconds")
	only := fs.String("only", "", "comma-separated case names (default: all)")
	goOnly := fs.Bool("go-only", false, "measure our engine only")
	node := fs.String("node", "node", "the node binary")
	dir := fs.String("jsonata-dir", "", "a directory with node_modules/jsonata "+jsonataJSVersion+" (default: installed with npm under the user's cache directory)")
	if rest, code, ok := cli.Parse(fs, benchJSONataHelp, args, stdout); !ok || len(rest) > 0 {
		if ok {
			cli.Usage(stderr, benchJSONataHelp)
			code = 2
		}
		return code
	}
	cases := jsonataCases()
	if *only != "" {
		keep := map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			keep[n] = true
		}
		cases = slices.DeleteFunc(cases, func(c jsonataCase) bool { return !keep[c.Name] })
	}
	// Both sides read the same bytes: the inputs as JSON.
	data, err := json.Marshal(cases)
	if err != nil {
		fmt.Fprintf(stderr, "signalbox bench jsonata: %v\n", err)
		return 1
	}
	ours, err := benchJSONataGo(data, time.Duration(*ms)*time.Millisecond)
	if err != nil {
		fmt.Fprintf(stderr, "signalbox bench jsonata: %v\n", err)
		return 1
	}
	var theirs map[string]jsonataFigure
	if !*goOnly {
		if theirs, err = benchJSONataJS(*node, *dir, data, *ms, stderr); err != nil {
			fmt.Fprintf(stderr, "signalbox bench jsonata: %v (--go-only measures our engine alone)\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "JSONata: ours vs jsonata-js %s, ns per evaluation (fastest of 3 runs of >= %d ms each)\n", jsonataJSVersion, *ms)
	fmt.Fprintf(stdout, "%-12s %14s %14s %8s  %s\n", "case", "ours", "jsonata-js", "js/ours", "results")
	logSum, n := 0.0, 0
	worst, worstName := math.Inf(1), ""
	for _, c := range cases {
		o := ours[c.Name]
		if theirs == nil {
			fmt.Fprintf(stdout, "%-12s %14.0f\n", c.Name, o.ns)
			continue
		}
		t := theirs[c.Name]
		same := "same"
		switch {
		case o.err != "" || t.err != "":
			same = fmt.Sprintf("error: ours %q, jsonata-js %q", o.err, t.err)
		case o.result != t.result:
			same = fmt.Sprintf("DIFFERENT: ours %.60s, jsonata-js %.60s", o.result, t.result)
		}
		ratio := t.ns / o.ns
		fmt.Fprintf(stdout, "%-12s %14.0f %14.0f %7.2fx  %s\n", c.Name, o.ns, t.ns, ratio, same)
		if o.ns > 0 && t.ns > 0 {
			logSum += math.Log(ratio)
			n++
			if ratio < worst {
				worst, worstName = ratio, c.Name
			}
		}
	}
	if n > 0 {
		fmt.Fprintf(stdout, "geometric mean js/ours %.2fx over %d cases; slowest relative to jsonata-js: %s at %.2fx\n", math.Exp(logSum/float64(n)), n, worstName, worst)
	}
	return 0
}

// benchJSONataGo measures our engine on the cases of data.
func benchJSONataGo(data []byte, least time.Duration) (map[string]jsonataFigure, error) {
	var raw []struct {
		Name  string          `json:"name"`
		Expr  string          `json:"expr"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := map[string]jsonataFigure{}
	for _, c := range raw {
		input, err := asl.DecodeJSON(c.Input)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		x, err := jsonata.Compile(c.Expr)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		res, err := x.Eval(input, nil)
		if err != nil {
			out[c.Name] = jsonataFigure{err: err.Error()}
			continue
		}
		n := 1
		for {
			begin := time.Now()
			for range n {
				_, _ = x.Eval(input, nil)
			}
			el := time.Since(begin)
			if el >= least {
				break
			}
			if el < time.Millisecond {
				n *= 10
			} else {
				n = int(math.Ceil(float64(n) * 1.2 * float64(least) / float64(el)))
			}
		}
		best := math.Inf(1)
		for range 3 {
			begin := time.Now()
			for range n {
				_, _ = x.Eval(input, nil)
			}
			best = min(best, float64(time.Since(begin).Nanoseconds())/float64(n))
		}
		if res == jsonata.Undefined {
			res = nil
		}
		out[c.Name] = jsonataFigure{ns: best, result: asl.EncodeJSON(res)}
	}
	return out, nil
}

// benchJSONataJS measures jsonata-js on the cases of data with node.
func benchJSONataJS(node, dir string, data []byte, ms int, stderr io.Writer) (map[string]jsonataFigure, error) {
	if _, err := exec.LookPath(node); err != nil {
		return nil, fmt.Errorf("node is not installed: %w", err)
	}
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(cache, "signalbox", "jsonata-"+jsonataJSVersion)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "jsonata", "package.json")); err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "installing jsonata@%s under %s\n", jsonataJSVersion, dir)
		npm := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", dir, "jsonata@"+jsonataJSVersion)
		npm.Stdout, npm.Stderr = stderr, stderr
		if err := npm.Run(); err != nil {
			return nil, fmt.Errorf("npm install jsonata@%s: %w", jsonataJSVersion, err)
		}
	}
	work, err := os.MkdirTemp("", "signalbox-bench-jsonata-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	runner, cases := filepath.Join(work, "run.mjs"), filepath.Join(work, "cases.json")
	if err := os.WriteFile(runner, benchJSONataRunner, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(cases, data, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(node, runner, dir, cases, fmt.Sprint(ms))
	cmd.Stderr = stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node: %w", err)
	}
	out := map[string]jsonataFigure{}
	sc := bufio.NewScanner(bytes.NewReader(outb))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var line struct {
			Name   string          `json:"name"`
			NS     float64         `json:"ns"`
			Result json.RawMessage `json:"result"`
			Error  string          `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, fmt.Errorf("node printed %q: %w", sc.Text(), err)
		}
		f := jsonataFigure{ns: line.NS, err: line.Error}
		if line.Error == "" {
			v, err := asl.DecodeJSON(line.Result)
			if err != nil {
				return nil, fmt.Errorf("%s: jsonata-js's result: %w", line.Name, err)
			}
			f.result = asl.EncodeJSON(v)
		}
		out[line.Name] = f
	}
	if len(out) == 0 {
		return nil, errors.New("node printed no result")
	}
	return out, nil
}
