package seqcast

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

func co2(t testing.TB) *series.Table {
	t.Helper()
	tab, err := series.ReadCSVFile("data/co2-monthly.csv", series.CSVOptions{Columns: []string{"co2"}, Time: "date"})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func seattle(t testing.TB) *series.Table {
	t.Helper()
	tab, err := series.ReadCSVFile("data/seattle-weather.csv", series.CSVOptions{Columns: []string{"temp_max", "precipitation", "temp_min", "wind"}, Time: "date"})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// small trains a tiny forecaster of each family once per test binary.
var (
	smallOnce sync.Once
	smallFile []byte
)

func trainSmall(t testing.TB, family string, dropout float64) (*Forecaster, *series.Table) {
	t.Helper()
	tab := seattle(t)
	spec := Spec{Family: family, Window: 12, Horizon: 3, Features: tab.Names, Units: 4, Layers: 1, Dropout: dropout}
	if family == WaveNet {
		spec.Dilations = []int{1, 2}
	}
	f, _, err := Train(context.Background(), spec, tab.Values, Options{Config: train.Config{Epochs: 1, Seed: 7}})
	if err != nil {
		t.Fatalf("train %s: %v", family, err)
	}
	return f, tab
}

func TestSaveLoadBitIdentical(t *testing.T) {
	t.Parallel()
	for _, fam := range Families() {
		t.Run(fam, func(t *testing.T) {
			f, tab := trainSmall(t, fam, 0.2)
			path := filepath.Join(t.TempDir(), "m.model")
			if err := f.Save(path); err != nil {
				t.Fatal(err)
			}
			g, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := f.Predict(tab.Values)
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.Predict(tab.Values)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("loaded model predicts %v; saved one %v", got, want)
			}
			m1, s1, err := f.PredictMC(context.Background(), tab.Values, 5, 3)
			if err != nil {
				t.Fatal(err)
			}
			m2, s2, _ := g.PredictMC(context.Background(), tab.Values, 5, 3)
			if !slices.Equal(m1, m2) || !slices.Equal(s1, s2) {
				t.Errorf("MC dropout differs after load: %v %v vs %v %v", m2, s2, m1, s1)
			}
			if slices.Max(s1) <= 0 {
				t.Errorf("std %v with dropout 0.2; want positive", s1)
			}
			if g.Spec.Family != fam || g.Meta.Season != f.Meta.Season || g.Meta.Test != f.Meta.Test {
				t.Errorf("metadata not kept: %+v vs %+v", g.Meta, f.Meta)
			}
		})
	}
}

func smallBytes(t testing.TB) []byte {
	smallOnce.Do(func() {
		f, _ := trainSmall(t, Linear, 0)
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		smallFile = b.Bytes()
	})
	if smallFile == nil {
		t.Fatal("no model file")
	}
	return slices.Clone(smallFile)
}

func TestModelFileErrors(t *testing.T) {
	t.Parallel()
	good := smallBytes(t)
	if _, err := Decode(good); err != nil {
		t.Fatalf("good file: %v", err)
	}
	newer := slices.Clone(good)
	binary.LittleEndian.PutUint32(newer[len(magic):], FormatVersion+1)
	flipped := slices.Clone(good)
	flipped[len(flipped)-100] ^= 1 // a weight
	badMagic := slices.Clone(good)
	badMagic[0] = 'X'
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"bad magic", badMagic, ErrBadMagic},
		{"newer version", newer, ErrNewerVersion},
		{"truncated header", good[:20], ErrTruncated},
		{"truncated weights", good[:len(good)-40], ErrTruncated},
		{"flipped bit", flipped, ErrChecksum},
		{"trailing bytes", append(slices.Clone(good), 0), ErrChecksum},
	} {
		_, err := Decode(c.b)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v; want %v", c.name, err, c.want)
		}
		if !errors.Is(err, ErrModelFile) {
			t.Errorf("%s: %v does not wrap ErrModelFile", c.name, err)
		}
	}
	path := filepath.Join(t.TempDir(), "newer.model")
	os.WriteFile(path, newer, 0o644)
	if _, err := Load(path); err == nil || !bytes.Contains([]byte(err.Error()), []byte("newer.model")) || !errors.Is(err, ErrNewerVersion) {
		t.Errorf("Load(newer) = %v; want the path and ErrNewerVersion", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.model")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v; want os.ErrNotExist", err)
	}
}

// TestShapeMismatch writes a well-formed file whose weights do not fit the
// architecture of its spec.
func TestShapeMismatch(t *testing.T) {
	t.Parallel()
	f, _ := trainSmall(t, Linear, 0)
	var h header
	h.Spec, h.Scaler, h.Meta = f.Spec, f.Scaler, f.Meta
	var floats []float64
	for _, p := range f.model.Net.Params() {
		h.Params = append(h.Params, paramInfo{Name: p.Name(), Shape: p.Shape()})
		floats = append(floats, p.Float64s()...)
	}
	h.Params[0].Shape[0]-- // 47 inputs where the spec makes 48
	floats = floats[:len(floats)-h.Spec.Horizon]
	var b bytes.Buffer
	if err := writeFile(&b, FormatVersion, h, floats); err != nil {
		t.Fatal(err)
	}
	_, err := Decode(b.Bytes())
	var se *graph.ShapeError
	if !errors.As(err, &se) {
		t.Fatalf("Decode = %v; want a *graph.ShapeError", err)
	}
}

// TestResumeFromFile trains 4 epochs straight, and 2 epochs checkpointed to a
// file, then loads the file and resumes to 4: the weights, the history and
// the forecasts must be identical.
func TestResumeFromFile(t *testing.T) {
	t.Parallel()
	tab := co2(t)
	spec := Spec{Family: GRU, Window: 12, Horizon: 3, Features: tab.Names, Units: 4, Layers: 1, Dropout: 0.1}
	opts := Options{Config: train.Config{Epochs: 4, Seed: 5, Patience: 2}}
	straight, rep1, err := Train(context.Background(), spec, tab.Values, opts)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ckpt.model")
	o := opts
	o.OnCheckpoint = func(f *Forecaster) error {
		if err := f.Save(path); err != nil {
			return err
		}
		if f.Checkpoint.Epoch == 2 {
			return train.ErrStop // the interruption
		}
		return nil
	}
	if _, _, err := Train(context.Background(), spec, tab.Values, o); err != nil {
		t.Fatal(err)
	}
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Checkpoint == nil || ck.Checkpoint.Epoch != 2 {
		t.Fatalf("checkpoint file holds %+v; want epoch 2", ck.Checkpoint)
	}
	o = opts
	o.Resume = ck.Checkpoint
	resumed, rep2, err := Train(context.Background(), spec, tab.Values, o)
	if err != nil {
		t.Fatal(err)
	}
	l := func(h *train.History) (v []float64) {
		for _, e := range h.Epochs {
			v = append(v, e.Loss, e.ValLoss)
		}
		return v
	}
	if got, want := l(rep2.History), l(rep1.History); !slices.Equal(got, want) {
		t.Errorf("resumed history %v; want %v", got, want)
	}
	for i, p := range resumed.model.Net.Params() {
		if got, want := p.Float64s(), straight.model.Net.Params()[i].Float64s(); !slices.Equal(got, want) {
			t.Errorf("parameter %s differs after resume", p.Name())
		}
	}
	if rep1.Test != rep2.Test {
		t.Errorf("resumed test metrics %+v; want %+v", rep2.Test, rep1.Test)
	}
}

func TestTrainErrors(t *testing.T) {
	t.Parallel()
	tab := co2(t)
	ok := Spec{Family: Linear, Window: 12, Horizon: 3, Features: tab.Names}
	for _, c := range []struct {
		name string
		spec func(*Spec)
		opts Options
		want string
	}{
		{"unknown family", func(s *Spec) { s.Family = "transformer" }, Options{}, `unknown model family "transformer"`},
		{"window too long", func(s *Spec) { s.Window = 600 }, Options{}, "series too short"},
		{"zero horizon", func(s *Spec) { s.Horizon = 0 }, Options{}, "Spec.Horizon 0"},
		{"bad dropout", func(s *Spec) { s.Dropout = 1 }, Options{}, "Spec.Dropout 1"},
		{"bad fractions", func(*Spec) {}, Options{ValidFrac: 0.5, TestFrac: 0.5}, "add up to less than 1"},
		{"short conv", func(s *Spec) { s.Family, s.Window = ConvGRU, 3 }, Options{}, "at least 4 steps"},
	} {
		s := ok
		c.spec(&s)
		_, _, err := Train(context.Background(), s, tab.Values, c.opts)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
	f, _ := trainSmall(t, Linear, 0)
	if _, err := f.Predict(make([]float64, 4*5)); !errors.Is(err, series.ErrTooShort) {
		t.Errorf("Predict(5 rows) = %v; want ErrTooShort", err)
	}
	if _, err := f.Predict(make([]float64, 7)); err == nil {
		t.Error("Predict(7 values of 4 features): no error")
	}
}

// tinyBytes returns the model file of an untrained linear forecaster of
// window 4 and horizon 2, with a checkpoint: cheap seed input for fuzzing.
func tinyBytes(t testing.TB) []byte {
	spec := Spec{Family: Linear, Window: 4, Horizon: 2, Features: []string{"y"}}.withDefaults()
	net, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	m := &train.Model{Net: net}
	if _, err := m.Build([]int{4, 1}); err != nil {
		t.Fatal(err)
	}
	f := &Forecaster{Spec: spec, Scaler: series.Scaler{Mean: []float64{1}, Std: []float64{2}}, model: m}
	var ps [][]float64
	for _, p := range net.Params() {
		ps = append(ps, p.Float64s())
	}
	f.Checkpoint = &train.Checkpoint{Epoch: 1, Params: ps, Optimizer: train.NewAdam(1e-3).State(), BestLoss: 0.5, History: train.History{Epochs: []train.Epoch{{Epoch: 1, Loss: 1, ValLoss: 0.5}}}}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func FuzzDecode(f *testing.F) {
	good := tinyBytes(f)
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Add(hostile(f, func(s *Spec) { s.Family, s.Window, s.Units, s.Layers = LSTM, 65536, 1, 1 }))
	f.Add(hostile(f, func(s *Spec) { s.Family, s.Units, s.Layers = GRU, 4096, 16 }))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b)
		if err == nil {
			if _, err := g.Predict(make([]float64, g.Spec.Window*len(g.Spec.Features))); err != nil && !errors.Is(err, train.ErrDiverged) {
				t.Errorf("decoded model cannot predict: %v", err)
			}
		}
	})
}

func TestCheckpointRoundTrip(t *testing.T) {
	t.Parallel()
	f, err := Decode(tinyBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Checkpoint
	if c == nil || c.Epoch != 1 || c.BestLoss != 0.5 || len(c.History.Epochs) != 1 || c.History.Epochs[0].ValLoss != 0.5 || len(c.Params) != 2 {
		t.Errorf("checkpoint after a round trip: %+v", c)
	}
}
