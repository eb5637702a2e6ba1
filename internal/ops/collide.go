package ops

import "gorgonia.org/gorgonia"

// HashCollisions counts nodes of g whose 32-bit hash equals that of another,
// distinct node. Gorgonia's dataflow analysis keys nodes by this hash alone
// and would give the later node the earlier one's value.
func HashCollisions(g *gorgonia.ExprGraph) int {
	seen := make(map[uint32]*gorgonia.Node, len(g.AllNodes()))
	n := 0
	for _, v := range g.AllNodes() {
		h := v.Hashcode()
		if u, ok := seen[h]; ok && u != v {
			n++
			continue
		}
		seen[h] = v
	}
	return n
}
