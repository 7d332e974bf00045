package bench

import (
	"os"
	goruntime "runtime"
	"testing"
	"time"
)

// processCPU reads this process's CPU, which moves when it works.
func TestProcessCPU(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("/proc is Linux's")
	}
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		x := 0
		for i := range 10_000_000 {
			x += i
		}
		_ = x
		now, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if now > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU still %v after 10 s of work", now)
		}
	}
}
