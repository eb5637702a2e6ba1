package bench

import (
	"fmt"

	"github.com/seqcast/seqcast/series"
)

// Task names the data set-up of an experiment.
type Task int

// The chapter's set-ups.
const (
	OneStep   Task = iota // X [n, 50, 1], y [n, 1]: step 51
	TenStep               // X [n, 50, 1], Y [n, 10]: steps 51..60
	SeqToSeq              // X [n, 50, 1], Y [n, 50, 10]: Y[:, t, k-1] = series[:, t+k]
	SeqStride             // SeqToSeq targets at steps 3, 5, ..., 49 (Conv1D kernel 4, stride 2)
)

func (t Task) String() string {
	return [...]string{"one-step", "ten-step", "seq2seq", "seq2seq-strided"}[t]
}

// Data holds the train, validation and test windows of every task, all cut
// from the same generated series.
type Data struct {
	sets map[Task][3]series.Windows
}

// Splits returns train, valid and test windows for t.
func (d *Data) Splits(t Task) (trainSet, valid, test series.Windows) {
	s := d.sets[t]
	return s[0], s[1], s[2]
}

// MinSeries and MaxSeries bound the number of series NewData generates:
// every split needs one, and the sequence-to-sequence targets of a million
// series (their inputs and 50 x 10 targets each) take 4.4 GB in float64.
const (
	MinSeries = 10
	MaxSeries = 1_000_000
)

// NewData generates the chapter's data: n series (split 70/20/10 as the
// book's 7000/2000/1000) with numpy-compatible randomness at seed, once with
// 51 steps (one-step targets) and once with 60 (ten-step and
// sequence-to-sequence targets), as the notebook does.
func NewData(n int, seed uint32) (*Data, error) {
	if n < MinSeries {
		return nil, fmt.Errorf("bench: %d series is too few (want at least %d)", n, MinSeries)
	}
	if n > MaxSeries {
		return nil, fmt.Errorf("bench: %d series is too many (want at most %d)", n, MaxSeries)
	}
	nTrain, nValid := n*7/10, n*2/10
	cut := func(w series.Windows) [3]series.Windows {
		return [3]series.Windows{w.Rows(0, nTrain), w.Rows(nTrain, nTrain+nValid), w.Rows(nTrain+nValid, n)}
	}
	d := &Data{sets: map[Task][3]series.Windows{}}
	p51, err := series.GenerateNumpy(n, 51, seed)
	if err != nil {
		return nil, err
	}
	one, err := series.Ahead(p51, 50, 1)
	if err != nil {
		return nil, err
	}
	d.sets[OneStep] = cut(one)
	p60, err := series.GenerateNumpy(n, 60, seed)
	if err != nil {
		return nil, err
	}
	ten, err := series.Ahead(p60, 50, 10)
	if err != nil {
		return nil, err
	}
	d.sets[TenStep] = cut(ten)
	s2s, err := series.SeqToSeq(p60, 50, 10)
	if err != nil {
		return nil, err
	}
	d.sets[SeqToSeq] = cut(s2s)
	strided, err := s2s.StridedTargets(3, 2)
	if err != nil {
		return nil, err
	}
	d.sets[SeqStride] = cut(strided)
	return d, nil
}
