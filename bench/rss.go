package bench

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// resetPeakRSS asks Linux to reset the process's peak RSS (VmHWM) so that
// each experiment's peak is its own. It is a no-op elsewhere.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSSMB returns the process's peak resident set size in MB (VmHWM), or 0
// where /proc is missing.
func peakRSSMB() float64 { return procStatusKB("VmHWM:") / 1024 }

// rssMB returns the current resident set size in MB.
func rssMB() float64 { return procStatusKB("VmRSS:") / 1024 }

func procStatusKB(key string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, key) {
			fields := strings.Fields(line[len(key):])
			if len(fields) > 0 {
				v, _ := strconv.ParseFloat(fields[0], 64)
				return v
			}
		}
	}
	return 0
}
