package series

// MT19937 parameters, from Matsumoto and Nishimura's reference mt19937ar.c.
const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// MT19937 is the 32-bit Mersenne Twister of Matsumoto and Nishimura (1998).
// Seeded with NewMT19937 it reproduces numpy's legacy global generator: the
// Float64 stream after NewMT19937(s) equals np.random.rand after
// np.random.seed(s), bit for bit.
//
// An MT19937 is not safe for concurrent use. Its zero value is not usable;
// call NewMT19937.
type MT19937 struct {
	state [mtN]uint32
	i     int
}

// NewMT19937 returns a generator initialised as the reference init_genrand
// does (and as numpy's np.random.seed does for an integer seed):
// key[0] = seed and key[i] = 1812433253*(key[i-1]^(key[i-1]>>30)) + i, modulo 2^32.
func NewMT19937(seed uint32) *MT19937 {
	m := &MT19937{i: mtN}
	m.state[0] = seed
	for i := 1; i < mtN; i++ {
		prev := m.state[i-1]
		m.state[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	return m
}

// Uint32 returns the next 32-bit output, genrand_int32 of the reference
// implementation, tempering included.
func (m *MT19937) Uint32() uint32 {
	if m.i >= mtN {
		m.twist()
	}
	y := m.state[m.i]
	m.i++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// twist regenerates the whole state block.
func (m *MT19937) twist() {
	for k := 0; k < mtN; k++ {
		y := (m.state[k] & mtUpperMask) | (m.state[(k+1)%mtN] & mtLowerMask)
		next := m.state[(k+mtM)%mtN] ^ (y >> 1)
		if y&1 != 0 {
			next ^= mtMatrixA
		}
		m.state[k] = next
	}
	m.i = 0
}

// Float64 returns a uniform value in [0, 1) with 53 random bits, numpy's
// legacy random_sample (rk_double): with a and b two successive Uint32
// outputs, it is ((a>>5)*67108864 + (b>>6)) / 9007199254740992.
func (m *MT19937) Float64() float64 {
	a := m.Uint32() >> 5
	b := m.Uint32() >> 6
	// Both terms are exact integers below 2^53, so the sum and the division
	// by 2^53 are exact and match numpy's double arithmetic.
	return (float64(a)*67108864 + float64(b)) / 9007199254740992
}
