package measure

import "testing"

func TestCPUAndHeap(t *testing.T) {
	c0 := CPU()
	stop := SampleLiveHeap()
	keep := make([][]byte, 0, 64)
	n := 0
	for CPU()-c0 < 20e6 { // 20 ms of work
		keep = append(keep[:0], make([]byte, 1<<16))
		n++
	}
	if peak := stop(); peak == 0 {
		t.Errorf("peak live heap 0 after %d allocations", n)
	}
	if CPU() <= c0 {
		t.Errorf("CPU time did not grow: %v then %v", c0, CPU())
	}
	_ = keep
}
