package series

import (
	"math"
)

// SplitCounts splits p, in order, into consecutive parts of counts[0],
// counts[1], ... series, for example SplitCounts(p, 7000, 2000, 1000) for the
// chapter's train, validation and test sets. The parts are views that share
// p.Values (see Panel.Rows). Series after the last part are left out.
//
// SplitCounts returns an error wrapping ErrInvalid if no count is given, a
// count is negative or p is inconsistent, and ErrTooShort if the counts add
// up to more than p.N.
func SplitCounts(p Panel, counts ...int) ([]Panel, error) {
	if err := p.check("split counts"); err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return nil, invalidf("split counts: no counts")
	}
	total := 0
	for i, c := range counts {
		if c < 0 {
			return nil, invalidf("split counts: count %d is %d, want >= 0", i, c)
		}
		if c > math.MaxInt-total {
			return nil, invalidf("split counts: counts %v overflow", counts)
		}
		total += c
	}
	if total > p.N {
		return nil, tooShortf("split counts: counts %v need %d series, got %d", counts, total, p.N)
	}
	parts := make([]Panel, len(counts))
	start := 0
	for i, c := range counts {
		parts[i] = p.Rows(start, start+c)
		start += c
	}
	return parts, nil
}

// SplitFractions returns the sizes of a chronological split of n items into
// parts of the given fractions, which must add up to 1: part i ends at
// round(n*(fracs[0]+...+fracs[i])), so rounding never loses an item, and the
// last part takes the remainder. SplitFractions(10000, 0.7, 0.2, 0.1) is
// [7000 2000 1000].
//
// SplitFractions returns an error wrapping ErrInvalid if n < 0, no fraction
// is given, a fraction is not in [0, 1], or they do not add up to 1 within
// 1e-9.
func SplitFractions(n int, fracs ...float64) ([]int, error) {
	if n < 0 {
		return nil, invalidf("split fractions: n = %d, want >= 0", n)
	}
	if len(fracs) == 0 {
		return nil, invalidf("split fractions: no fractions")
	}
	sum := 0.0
	for i, f := range fracs {
		if !(f >= 0 && f <= 1) {
			return nil, invalidf("split fractions: fraction %d is %v, want in [0, 1]", i, f)
		}
		sum += f
	}
	// 1e-9 allows for the rounding of decimal fractions such as 0.7+0.2+0.1.
	if math.Abs(sum-1) > 1e-9 {
		return nil, invalidf("split fractions: fractions %v add up to %v, want 1", fracs, sum)
	}
	counts := make([]int, len(fracs))
	cum, start := 0.0, 0
	for i, f := range fracs[:len(fracs)-1] {
		cum += f
		end := int(math.Round(cum * float64(n)))
		end = min(max(end, start), n)
		counts[i] = end - start
		start = end
	}
	counts[len(counts)-1] = n - start
	return counts, nil
}
