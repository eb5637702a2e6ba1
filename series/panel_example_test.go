package series_test

import (
	"fmt"
	"strings"

	"github.com/seqcast/seqcast/series"
)

// ExampleReadLong reads two series from a long CSV, one row per series and
// time step, and makes the windows of one global model over both: no
// window spans the two.
func ExampleReadLong() {
	const text = `store,month,sales
north,2024-01,10
south,2024-01,100
north,2024-02,11
south,2024-02,104
north,2024-03,12
south,2024-03,108
north,2024-04,14
`
	s, err := series.ReadLong(strings.NewReader(text), "store", series.CSVOptions{Time: "month"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, id := range s.IDs {
		fmt.Println(id, s.Rows(i), "rows from", s.Times(i)[0])
	}
	w, err := s.Windows(0, 2, 1, nil, nil) // 2 steps in, 1 out
	if err != nil {
		fmt.Println(err)
		return
	}
	for k := range w.N {
		i, _ := s.Locate(w.Start(k))
		fmt.Println(s.IDs[i], w.SampleX(k), "->", w.SampleY(k))
	}
	// Output:
	// north 4 rows from 2024-01
	// south 3 rows from 2024-01
	// north [10 11] -> [12]
	// north [11 12] -> [14]
	// south [100 104] -> [108]
}
