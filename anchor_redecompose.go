package seqcast

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"sync"

	"github.com/seqcast/seqcast/series"
)

// A redecomposer decomposes the rows up to an origin again, for
// Spec.AnchorRedecompose, in buffers it reuses from origin to origin.
type redecomposer struct {
	periods []int
	longest int
	buf     []float64 // the rows up to the origin
	prof    []float64 // their last common period, by row mod len(prof)
	cache   *decompCache
}

// newRedecomposer returns a redecomposer at periods for profiles of L
// steps that keeps its decompositions in cache (nil for none).
func newRedecomposer(periods []int, L int, cache *decompCache) *redecomposer {
	return &redecomposer{periods: periods, longest: slices.Max(periods), prof: make([]float64, L), cache: cache}
}

// profile writes to dst (len L) the last period of the seasonal components
// of series.MSTL of the values of before and then x (the window), aligned
// so that dst[(p+t) mod L] is the season of window step t, as
// smoothing.seasons aligns it, and reports whether it did: not when the
// values are at most twice the longest period long, or if the
// decomposition fails.
func (r *redecomposer) profile(dst []float64, p int, before, x []float64) bool {
	n := len(before) + len(x)
	if n <= 2*r.longest {
		return false
	}
	r.buf = append(append(r.buf[:0], before...), x...)
	if !r.decompose() {
		return false
	}
	L, first := len(dst), len(before) // window step t is row first+t
	for t := range L {
		dst[(p+t)%L] = r.prof[(first+t)%L]
	}
	return true
}

// decompose writes to r.prof the profile of r.buf, from r.cache where it
// holds it, and reports whether the decomposition succeeded.
func (r *redecomposer) decompose() bool {
	var key [sha256.Size]byte
	if r.cache != nil {
		key = decompKey(r.periods, r.buf)
		if prof, ok := r.cache.get(key); ok {
			copy(r.prof, prof)
			return prof != nil
		}
	}
	d, err := series.MSTL(r.buf, r.periods, series.MSTLOptions{})
	ok := err == nil && len(d.Periods) == len(r.periods)
	if ok {
		// No smoothing: 3 harmonics of taylor's weekly component, from
		// fewer than minCycles weeks, miss the weekend (the anchor alone,
		// from 1344 rows at rows 3400 to 3900: MASE 0.57 smoothed, 0.16
		// not).
		seasonalProfile(r.prof, d, len(r.buf), false)
	}
	if r.cache != nil {
		var prof []float64
		if ok {
			prof = slices.Clone(r.prof)
		}
		r.cache.put(key, prof, len(r.prof))
	}
	return ok
}

// fitRedecomposeDrift reports whether the anchor of Spec.AnchorRedecompose
// forecasts the training part y (raw) better with the window's drift than
// without: the MAE over the next h steps from up to 50 origins spread over
// y whose history (up to hist rows) is long enough to decompose, windows
// of w steps, periods as in redecomposer.
func fitRedecomposeDrift(y []float64, periods []int, L, w, hist, h int) bool {
	rd := newRedecomposer(periods, L, nil)
	first := max(w-1, 2*rd.longest) // the first origin with more than twice the longest period before it, inclusive
	lastO := len(y) - h - 1
	if lastO < first {
		return false
	}
	stride := max(1, (lastO-first+1)/50)
	cur := make([]float64, L)
	var sum [2]float64 // without, with drift
	for o := first; o <= lastO; o += stride {
		lo := max(0, o-hist+1)
		ws := o - w + 1 // the window's first row
		if !rd.profile(cur, 0, y[lo:ws], y[ws:o+1]) {
			continue
		}
		x := y[ws : o+1]
		last := y[o] - cur[(w-1)%L]
		drift := smoothing{drift: true, slope: true}.driftOf(x, cur, 0)
		for k := 1; k <= h; k++ {
			base := y[o+k] - cur[(w-1+k)%L] - last
			sum[0] += math.Abs(base)
			sum[1] += math.Abs(base - float64(k)*drift)
		}
	}
	return sum[1] < sum[0]
}

// A decompCache holds the profiles of redecomposer by the rows they were
// decomposed from, so that the origins that Train, its evaluation and the
// members of an ensemble or the trials of TrainAuto share are decomposed
// once: the same rows and periods give the same decomposition. It holds at
// most maxDecompCache values; rows past that are decomposed every time. A
// nil *decompCache caches nothing. It is safe for concurrent use.
type decompCache struct {
	mu   sync.Mutex
	m    map[[sha256.Size]byte][]float64 // nil where the decomposition failed
	size int                             // values held
}

func (c *decompCache) get(key [sha256.Size]byte) ([]float64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	prof, ok := c.m[key]
	return prof, ok
}

// put stores prof (nil for a failed decomposition, which counts n values)
// unless the cache is full.
func (c *decompCache) put(key [sha256.Size]byte, prof []float64, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size+n <= maxDecompCache {
		c.m[key] = prof
		c.size += n
	}
}

// maxDecompCache bounds a decompCache, in float64 values (32 MiB).
const maxDecompCache = 1 << 22

func newDecompCache() *decompCache {
	return &decompCache{m: make(map[[sha256.Size]byte][]float64)}
}

// key returns the digest of the periods and the rows y.
func decompKey(periods []int, y []float64) [sha256.Size]byte {
	b := make([]byte, 0, 8*(len(periods)+len(y)+1))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(periods)))
	for _, p := range periods {
		b = binary.LittleEndian.AppendUint64(b, uint64(p))
	}
	for _, v := range y {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return sha256.Sum256(b)
}
