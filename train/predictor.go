package train

import (
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
)

// A Predictor forecasts with a Model's network on programs of its own, so
// that several Predictors of one Model run at once, one per goroutine,
// where the Model's own Predict calls take turns. Predictors share the
// Model's parameters: they run while no Fit, Predict or other
// write-locked call of the Model does (they hold its lock for reading),
// and see the weights Fit left.
//
// A Predictor is not safe for concurrent use; use one per goroutine. Its
// PredictInto allocates nothing in steady state. Close releases its
// programs. Predictors are meant for CPU programs: with Model.GPU set,
// theirs share the process's CUDA runtime, whose use from several
// goroutines at once is not tested.
type Predictor struct {
	m     *Model
	progs programs
}

// NewPredictor returns a Predictor of m. Its programs are compiled on
// first use, for each batch size, as the Model's.
func (m *Model) NewPredictor() *Predictor { return &Predictor{m: m} }

// Predict returns forecasts for w's inputs, as Model.Predict.
func (p *Predictor) Predict(w series.Windows) ([]float64, error) {
	return p.PredictInto(nil, w)
}

// PredictInto is Predict writing into dst's memory, as Model.PredictInto.
func (p *Predictor) PredictInto(dst []float64, w series.Windows) ([]float64, error) {
	m := p.m
	m.mu.RLock()
	if m.in == nil {
		// The first build creates the parameters, which needs the write
		// lock.
		m.mu.RUnlock()
		if _, err := m.Build([]int{w.Steps, w.Features}); err != nil {
			return nil, err
		}
		m.mu.RLock()
	}
	defer m.mu.RUnlock()
	return m.predictInto(&p.progs, dst, graph.Eval, w, 0)
}

// Close releases the Predictor's programs; a later call compiles them
// again.
func (p *Predictor) Close() {
	p.m.mu.RLock()
	defer p.m.mu.RUnlock()
	p.progs.close()
}
