package series

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ErrTooLarge means that a result would need more memory than the machine
// has. The error says how much it would need.
var ErrTooLarge = errors.New("series: too large")

// checkAlloc returns an error wrapping ErrTooLarge if n float64 values, for
// what, would need more than the machine's memory: the smaller of the
// physical memory (/proc/meminfo) and the cgroup's limit, where the system
// tells them. It lets up to 1 GiB through without asking.
func checkAlloc(op, what string, n uint64) error {
	need := n * 8
	if n > 1<<61 {
		need = 1<<64 - 1
	}
	if need < 1<<30 {
		return nil
	}
	avail, where := memoryLimit()
	if avail == 0 || need <= avail {
		return nil
	}
	return newError(ErrTooLarge, "%s: %s of %d values need %s, more than the %s of %s", op, what, n, byteSize(need), byteSize(avail), where)
}

// memoryLimit returns the memory the process may use and where that number
// comes from, or 0 if the system does not say.
func memoryLimit() (uint64, string) {
	var limit uint64
	where := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					limit, where = kb*1024, "memory"
				}
			}
		}
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && (limit == 0 || v < limit) {
			limit, where = v, "cgroup memory limit"
		}
	}
	return limit, where
}

// byteSize formats n bytes as "43.2 GB" (powers of 1000).
func byteSize(n uint64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 6 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", v, "kMGTPE"[i-1])
}
