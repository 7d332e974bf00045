package bucket

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/signalbox/signalbox/integrations"
)

// BenchmarkReadJSONL100k reads a 100,000-line JSONL object through
// ReadItems, as a Distributed Map's ItemReader does; it reports items/s.
func BenchmarkReadJSONL100k(b *testing.B) {
	benchmarkRead(b, "JSONL", func(i int) string {
		return fmt.Sprintf(`{"id":%d,"name":"item-%d","price":%d.5,"tags":["a","b"]}`+"\n", i, i, i%1000)
	}, "")
}

// BenchmarkReadCSV100k reads a 100,000-row CSV object (header first).
func BenchmarkReadCSV100k(b *testing.B) {
	benchmarkRead(b, "CSV", func(i int) string {
		return fmt.Sprintf("%d,item-%d,%d.5,\"a,b\"\n", i, i, i%1000)
	}, "id,name,price,tags\n")
}

// BenchmarkReadJSON100k reads a JSON array of 100,000 objects.
func BenchmarkReadJSON100k(b *testing.B) {
	benchmarkRead(b, "JSON", func(i int) string {
		sep := ","
		if i == 0 {
			sep = "["
		}
		return sep + fmt.Sprintf(`{"id":%d,"name":"item-%d","price":%d.5,"tags":["a","b"]}`, i, i, i%1000)
	}, "")
}

func benchmarkRead(b *testing.B, inputType string, line func(int) string, head string) {
	const n = 100_000
	s := setup(b, "data")
	var sb strings.Builder
	sb.WriteString(head)
	for i := range n {
		sb.WriteString(line(i))
	}
	if inputType == "JSON" {
		sb.WriteString("]")
	}
	put(b, s, "data", "items", sb.String())
	req := &integrations.ReadItemsRequest{Resource: ResourceGetObject, Parameters: obj("data", "items"), InputType: inputType}
	b.SetBytes(int64(sb.Len()))
	b.ResetTimer()
	for b.Loop() {
		items, err := s.ReadItems(context.Background(), req)
		if err != nil || len(items) != n {
			b.Fatalf("%d items, %v", len(items), err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
}
