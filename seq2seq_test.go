package seqcast

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// TestSeqAnchorTargets checks the per-step targets and anchors of
// sequence-to-sequence windows on a short series whose row r holds
// feature values 100+r*r (the target) and -r, so that every value tells
// its row.
func TestSeqAnchorTargets(t *testing.T) {
	t.Parallel()
	const rows, nf = 14, 2
	v := func(r int) float64 { return 100 + float64(r*r) }
	values := make([]float64, 0, rows*nf)
	for r := range rows {
		values = append(values, -float64(r), v(r))
	}
	tests := []struct {
		name string
		spec Spec
		ends []int // the last input step of each output step
	}{
		{"lstm levels", Spec{Family: LSTM, Window: 4, Horizon: 2, Target: 1}, []int{0, 1, 2, 3}},
		{"gru last", Spec{Family: GRU, Window: 4, Horizon: 3, Target: 1, Anchor: AnchorLast}, []int{0, 1, 2, 3}},
		{"deep_rnn delta", Spec{Family: DeepRNN, Window: 3, Horizon: 2, Target: 1, Anchor: AnchorLast}, []int{0, 1, 2}},
		{"wavenet last", Spec{Family: WaveNet, Window: 5, Horizon: 1, Target: 1, Anchor: AnchorLast}, []int{0, 1, 2, 3, 4}},
		{"conv_gru", Spec{Family: ConvGRU, Window: 8, Horizon: 2, Target: 1}, []int{3, 5, 7}},
		{"conv_gru last", Spec{Family: ConvGRU, Window: 6, Horizon: 2, Target: 1, Anchor: AnchorLast}, []int{3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.spec
			s.Features, s.SeqToSeq = []string{"a", "y"}, true
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			w, h := s.Window, s.Horizon
			set, err := series.Sliding(values, nf, s.Target, w, h)
			if err != nil {
				t.Fatal(err)
			}
			last := s.anchorKind() == AnchorLast
			aw, off := s.anchorAll(set)
			if !last && off != nil {
				t.Errorf("offsets %v without an anchor", off)
			}
			if got, want := aw.YShape, []int{len(tt.ends), h}; !slices.Equal(got, want) {
				t.Fatalf("YShape = %v, want %v", got, want)
			}
			if aw.N != rows-w-h+1 {
				t.Fatalf("N = %d, want %d", aw.N, rows-w-h+1)
			}
			if got := s.outSteps(); got != len(tt.ends) {
				t.Errorf("outSteps() = %d, want %d", got, len(tt.ends))
			}
			for i := range aw.N {
				x, y := aw.SampleX(i), aw.SampleY(i)
				for tau := range w {
					want := v(i + tau)
					if last {
						want -= v(i) // relative to the window's first value
					}
					if got := x[tau*nf+1]; got != want {
						t.Errorf("sample %d: x[%d] target = %v, want %v", i, tau, got, want)
					}
					if got := x[tau*nf]; got != -float64(i+tau) {
						t.Errorf("sample %d: x[%d] other feature = %v, want %v", i, tau, got, -float64(i+tau))
					}
				}
				for j, e := range tt.ends {
					for k := range h {
						want := v(i + e + 1 + k)
						if last {
							want -= v(i + e)
						}
						if got := y[j*h+k]; got != want {
							t.Errorf("sample %d: y[%d, %d] = %v, want %v (row %d after step %d)", i, j, k, got, want, i+e+1+k, e)
						}
					}
				}
				for k := 0; last && k < h; k++ {
					if got, want := off[i*h+k], v(i+w-1); got != want {
						t.Errorf("sample %d: offset %d = %v, want the window's last value %v", i, k, got, want)
					}
				}
			}
			// The last step's targets are the sequence-to-vector targets.
			plain := s
			plain.SeqToSeq = false
			vw, voff := plain.anchorAll(set)
			lastY := s.lastSteps(aw.AppendY(nil))
			if want := vw.AppendY(nil); !slices.Equal(lastY, want) {
				t.Errorf("last step's targets %v, want the sequence-to-vector targets %v", lastY, want)
			}
			if !slices.Equal(off, voff) {
				t.Errorf("offsets %v, want the sequence-to-vector offsets %v", off, voff)
			}
		})
	}
}

func TestSeqToSeqValidate(t *testing.T) {
	t.Parallel()
	base := Spec{Window: 10, Horizon: 2, Features: []string{"y"}, SeqToSeq: true}
	tests := []struct {
		name string
		edit func(*Spec)
		want string // "" for valid
	}{
		{"lstm", func(s *Spec) { s.Family = LSTM }, ""},
		{"gru", func(s *Spec) { s.Family = GRU }, ""},
		{"deep_rnn", func(s *Spec) { s.Family = DeepRNN }, ""},
		{"wavenet", func(s *Spec) { s.Family = WaveNet }, ""},
		{"conv_gru even", func(s *Spec) { s.Family = ConvGRU }, ""},
		{"conv_gru odd", func(s *Spec) { s.Family, s.Window = ConvGRU, 11 }, "Spec.Window 11 and Spec.SeqToSeq: conv_gru needs an even window"},
		{"linear", func(s *Spec) { s.Family = Linear }, "Spec.SeqToSeq: the linear family has no per-step outputs"},
		{"seasonal", func(s *Spec) { s.Family, s.Anchor, s.AnchorSeason = LSTM, AnchorSeasonal, 4 }, `Spec.SeqToSeq and Spec.Anchor "seasonal"`},
		{"last", func(s *Spec) { s.Family, s.Anchor = LSTM, AnchorLast }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			tt.edit(&s)
			err := s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
			if tt.want != "" {
				return
			}
			net, err := Build(s)
			if err != nil {
				t.Fatal(err)
			}
			out, err := (&train.Model{Net: net}).Build([]int{s.Window, 1})
			if err != nil {
				t.Fatal(err)
			}
			if want := []int{s.outSteps(), s.Horizon}; !slices.Equal(out, want) {
				t.Errorf("network output %v, want %v", out, want)
			}
		})
	}
}

// seqSeries is a noisy seasonal series with a trend, 240 rows.
func seqSeries() []float64 {
	y := make([]float64, 240)
	for i := range y {
		y[i] = 10 + 0.05*float64(i) + 3*math.Sin(2*math.Pi*float64(i)/12) + 0.3*math.Sin(float64(i*i)/7)
	}
	return y
}

// TestSeqToSeqTrainPredict trains a tiny sequence-to-sequence LSTM and
// checks that Predict is the network's output at the last step, anchored
// and scaled back by hand; that the reported test metrics are those of
// Predict at every test origin; and that a saved and loaded model gives
// the same forecasts.
func TestSeqToSeqTrainPredict(t *testing.T) {
	t.Parallel()
	y := seqSeries()
	spec := Spec{Family: LSTM, Window: 16, Horizon: 3, Features: []string{"y"}, Units: 6, Layers: 2, Anchor: AnchorLast, SeqToSeq: true}
	f, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 2, Seed: 1}, Season: 12})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Spec.SeqToSeq {
		t.Fatal("trained Spec lost SeqToSeq")
	}
	if !rep.SeqToSeq {
		t.Error("Report.SeqToSeq is false")
	}
	got, err := f.Predict(y)
	if err != nil {
		t.Fatal(err)
	}

	// By hand: scale the last window, anchor it on its first value, run
	// the network, take its last step's outputs, add the last value back
	// and unscale.
	w, h := spec.Window, spec.Horizon
	mean, sd := f.Scaler.Mean[0], f.Scaler.Std[0]
	x := make([]float64, w)
	for i := range x {
		x[i] = (y[len(y)-w+i] - mean) / sd
	}
	first, lastV := x[0], x[w-1]
	for i := range x {
		x[i] -= first
	}
	out, err := f.model.Predict(series.Windows{X: x, N: 1, Steps: w, Features: 1, Y: make([]float64, w*h), YShape: []int{w, h}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != w*h {
		t.Fatalf("the network gave %d outputs, want %d steps x %d", len(out), w, h)
	}
	for k := range h {
		want := (out[(w-1)*h+k]+lastV)*sd + mean
		if got[k] != want {
			t.Errorf("Predict[%d] = %v, want the last step's output %v", k, got[k], want)
		}
	}

	// The test part's metrics are Predict's forecasts from every origin.
	// Train predicts them in one batch, Predict one at a time: float32
	// sums in another order differ by about 1e-9 relative.
	nTrain, nValid := f.Meta.Rows[0], f.Meta.Rows[1]
	var truth, fc []float64
	for last := nTrain + nValid - 1; last+h < len(y); last++ {
		p, err := f.Predict(y[:last+1])
		if err != nil {
			t.Fatal(err)
		}
		fc = append(fc, p...)
		truth = append(truth, y[last+1:last+1+h]...)
	}
	if got, want := rep.Test.Model.MAE, series.MAE(truth, fc); math.Abs(got-want) > 1e-6*want {
		t.Errorf("test MAE = %v, want Predict's at every origin %v", got, want)
	}
	if got, want := rep.Test.Model.MASE, series.MASE(truth, fc, y[:nTrain], rep.Season); math.Abs(got-want) > 1e-6*want {
		t.Errorf("test MASE = %v, want %v", got, want)
	}

	path := filepath.Join(t.TempDir(), "s2s.model")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !g.Spec.SeqToSeq {
		t.Error("Load lost Spec.SeqToSeq")
	}
	again, err := g.Predict(y)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, got) {
		t.Errorf("after Save and Load Predict = %v, want %v", again, got)
	}
	mc, _, err := g.PredictMC(context.Background(), y, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(mc) != h {
		t.Errorf("PredictMC gave %d values, want %d", len(mc), h)
	}
}

// TestSeqToSeqFamilies trains every family that supports SeqToSeq for one
// epoch and saves and loads it.
func TestSeqToSeqFamilies(t *testing.T) {
	t.Parallel()
	y := seqSeries()
	for _, fam := range seqFamilies {
		t.Run(fam, func(t *testing.T) {
			t.Parallel()
			spec := Spec{Family: fam, Window: 12, Horizon: 2, Features: []string{"y"}, Units: 4, Layers: 1, SeqToSeq: true, Dropout: 0.1}
			if fam == WaveNet {
				spec.Dilations = []int{1, 2}
			}
			f, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 1, Seed: 3}, Season: 12})
			if err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(rep.Test.Model.MASE) || math.IsNaN(rep.History.Last().ValLast) {
				t.Errorf("test MASE %v, last-step validation MSE %v", rep.Test.Model.MASE, rep.History.Last().ValLast)
			}
			p, err := f.Predict(y)
			if err != nil {
				t.Fatal(err)
			}
			g, err := decodeAgain(f)
			if err != nil {
				t.Fatal(err)
			}
			q, err := g.Predict(y)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p, q) || len(p) != spec.Horizon {
				t.Errorf("Predict = %v, after a round trip %v", p, q)
			}
		})
	}
}

// TestSeqToSeqPatience: early stopping keeps the epoch of the lowest
// last-step validation MSE, the quantity a sequence-to-vector model's
// validation loss measures, not that of the lowest MSE over all steps.
// Among the seeds, some runs have the two at different epochs, so that
// the test tells them apart.
func TestSeqToSeqPatience(t *testing.T) {
	t.Parallel()
	spec := Spec{Family: LSTM, Window: 12, Horizon: 2, Features: []string{"y"}, Units: 4, Layers: 1, SeqToSeq: true}
	differ := 0
	for seed := range uint64(6) {
		_, rep, err := Train(context.Background(), spec, seqSeries(), Options{Config: train.Config{Epochs: 12, Patience: 2, Seed: seed, LearningRate: 0.02}, Season: 12})
		if err != nil {
			t.Fatal(err)
		}
		best, bestAll, lowLast, lowAll := 0, 0, math.Inf(1), math.Inf(1)
		for _, e := range rep.History.Epochs {
			if e.ValLast < lowLast {
				best, lowLast = e.Epoch, e.ValLast
			}
			if e.ValLoss < lowAll {
				bestAll, lowAll = e.Epoch, e.ValLoss
			}
		}
		if rep.History.BestEpoch != best {
			t.Errorf("seed %d: best epoch %d, want %d, the lowest last-step validation MSE of %+v", seed, rep.History.BestEpoch, best, rep.History.Epochs)
		}
		if best != bestAll {
			differ++
		}
	}
	if differ == 0 {
		t.Error("in no run did the lowest last-step and all-step validation MSE fall on different epochs; the test cannot tell them apart")
	}
}

func TestSeqToSeqRefused(t *testing.T) {
	t.Parallel()
	spec := Spec{Family: LSTM, Window: 12, Horizon: 2, Features: []string{"y"}, SeqToSeq: true}
	if _, _, _, err := TrainAuto(context.Background(), spec, seqSeries(), Options{}, AutoOptions{}); err == nil || !strings.Contains(err.Error(), "Spec.SeqToSeq") {
		t.Errorf("TrainAuto = %v, want an error naming Spec.SeqToSeq", err)
	}
	if _, _, err := TrainPanel(context.Background(), spec, testSet(), testPanelOptions()); err == nil || !strings.Contains(err.Error(), "Spec.SeqToSeq") {
		t.Errorf("TrainPanel = %v, want an error naming Spec.SeqToSeq", err)
	}
	if _, err := NewBacktest(context.Background(), spec, testSet(), BacktestOptions{}); err == nil || !strings.Contains(err.Error(), "Spec.SeqToSeq") {
		t.Errorf("NewBacktest = %v, want an error naming Spec.SeqToSeq", err)
	}
}

// TestSeqToSeqResume: a sequence-to-sequence run resumes to the result of
// an uninterrupted one, and neither kind of checkpoint resumes the other.
func TestSeqToSeqResume(t *testing.T) {
	t.Parallel()
	y := seqSeries()
	spec := Spec{Family: GRU, Window: 12, Horizon: 2, Features: []string{"y"}, Units: 4, Layers: 1, SeqToSeq: true, Anchor: AnchorLast}
	opts := Options{Config: train.Config{Epochs: 3, Seed: 2}, Season: 12}
	first := func(s Spec) *train.Checkpoint {
		var ck *Forecaster
		o := opts
		o.OnCheckpoint = func(f *Forecaster) error {
			var err error
			if ck, err = decodeAgain(f); err != nil {
				return err
			}
			return train.ErrStop
		}
		if _, _, err := Train(context.Background(), s, y, o); err != nil {
			t.Fatal(err)
		}
		return ck.Checkpoint
	}
	straight, _, err := Train(context.Background(), spec, y, opts)
	if err != nil {
		t.Fatal(err)
	}
	o := opts
	o.Resume = first(spec)
	resumed, _, err := Train(context.Background(), spec, y, o)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := straight.Predict(y)
	q, _ := resumed.Predict(y)
	if !slices.Equal(p, q) {
		t.Errorf("resumed run forecasts %v, uninterrupted %v", q, p)
	}
	vec := spec
	vec.SeqToSeq = false
	var re *ResumeError
	if _, _, err := Train(context.Background(), vec, y, o); !errors.As(err, &re) || re.Field != "Spec.SeqToSeq" {
		t.Errorf("sequence-to-vector run resuming a sequence-to-sequence one: %v, want a *ResumeError for Spec.SeqToSeq", err)
	}
	o.Resume = first(vec)
	if _, _, err := Train(context.Background(), spec, y, o); !errors.As(err, &re) || re.Field != "Spec.SeqToSeq" {
		t.Errorf("sequence-to-sequence run resuming a sequence-to-vector one: %v, want a *ResumeError for Spec.SeqToSeq", err)
	}
}
