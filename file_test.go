package seqcast

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
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

func trainSmallLinear(t testing.TB) *Forecaster {
	t.Helper()
	f, _ := trainSmall(t, Linear, 0)
	return f
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
	newer := reseal(t, good, func(f *safetensors.File) { f.Metadata["format_version"] = strconv.Itoa(FormatVersion + 1) })
	flipped := slices.Clone(good)
	flipped[len(flipped)-100] ^= 1 // a weight
	// A digit of the scaler's first mean, in the metadata.
	scaler := slices.Clone(good)
	i := bytes.Index(scaler, []byte(`"scaler":"{\"Mean\":[`))
	if i < 0 {
		t.Fatal("no scaler in the metadata")
	}
	for scaler[i] < '1' || scaler[i] > '8' {
		i++
	}
	scaler[i]++
	legacy := legacyBytes(t, trainSmallLinear(t), 2)
	badMagic := slices.Clone(legacy)
	badMagic[0] = 'X'
	legacyNewer := slices.Clone(legacy)
	binary.LittleEndian.PutUint32(legacyNewer[len(magic):], legacyVersion+1)
	legacyFlipped := slices.Clone(legacy)
	legacyFlipped[len(legacyFlipped)-100] ^= 1
	noSpec := reseal(t, good, func(f *safetensors.File) { delete(f.Metadata, "spec") })
	for _, c := range []struct {
		name string
		b    []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrTruncated, ""},
		{"a CSV file", []byte("date,co2\n1958-03,315.7\n"), ErrBadMagic, `the file is text, starting "date,co2" (a CSV?)`},
		{"bad magic", badMagic, ErrBadMagic, ""},
		{"newer version", newer, ErrNewerVersion, "format version 4 is newer than this seqcast's 3"},
		{"truncated header", good[:20], ErrTruncated, ""},
		{"truncated weights", good[:len(good)-40], ErrTruncated, ""},
		{"flipped weight", flipped, ErrChecksum, "data_sha256"},
		{"flipped scaler digit", scaler, ErrChecksum, "metadata_sha256"},
		{"trailing bytes", append(slices.Clone(good), 0), ErrCorrupt, ""},
		{"no spec", noSpec, ErrModelFile, "train.LoadModel reads it"},
		{"v2: truncated", legacy[:len(legacy)-40], ErrTruncated, ""},
		{"v2: version 3", legacyNewer, ErrCorrupt, "the SEQCAST format, which ended at 2"},
		{"v2: flipped bit", legacyFlipped, ErrChecksum, ""},
		{"v2: trailing bytes", append(slices.Clone(legacy), 0), ErrChecksum, ""},
	} {
		_, err := Decode(c.b)
		if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.msg) {
			t.Errorf("%s: %v; want %v, %q", c.name, err, c.want, c.msg)
		}
		if !errors.Is(err, ErrModelFile) {
			t.Errorf("%s: %v does not wrap ErrModelFile", c.name, err)
		}
		if err != nil && strings.Count(err.Error(), "bad model file") != 1 {
			t.Errorf("%s: %q stutters", c.name, err)
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

// TestModelFileContentErrors: well-formed files (checksums recomputed)
// whose content is wrong; each error names what is at fault.
func TestModelFileContentErrors(t *testing.T) {
	t.Parallel()
	gru, _ := trainSmall(t, GRU, 0)
	var b bytes.Buffer
	if err := gru.Write(&b); err != nil {
		t.Fatal(err)
	}
	good := b.Bytes()
	ck := tinyBytes(t)
	md := func(key, value string) func(f *safetensors.File) {
		return func(f *safetensors.File) { f.Metadata[key] = value }
	}
	setTensor := func(name string, mk func(safetensors.Tensor) safetensors.Tensor) func(f *safetensors.File) {
		return func(f *safetensors.File) {
			for i, tt := range f.Tensors {
				if tt.Name == name {
					f.Tensors[i] = mk(tt)
				}
			}
		}
	}
	layers := gru.model.Net.(*graph.Sequential)
	var gruName string
	for _, p := range gru.model.Net.Params() {
		if strings.HasPrefix(p.Name(), "gru") && len(p.Shape()) == 2 && p.Shape()[0] == len(gru.Spec.Features) {
			gruName = p.Name() // the input kernel, [features, 3 units]
			break
		}
	}
	if gruName == "" || len(layers.Layers) != 2 {
		t.Fatalf("the GRU's input kernel not found in %v", gru.model.Net.Params())
	}
	for _, c := range []struct {
		name string
		file []byte
		want string
	}{
		{"unknown layer", reseal(t, good, md("layers", `{"type":"sequential","layers":[{"type":"transformer"},{"type":"dense","config":{"units":3}}]}`)),
			`sequential layer 0: graph: unknown layer type "transformer"`},
		{"other layers", reseal(t, good, md("layers", `{"type":"sequential","layers":[{"type":"lstm","config":{"units":4}},{"type":"dense","config":{"units":3}}]}`)),
			`layers: sequential layer 0: layer type "lstm", want "gru"`},
		{"other units", reseal(t, good, md("layers", strings.Replace(reread(t, good).Metadata["layers"], `"units":4`, `"units":5`, 1))),
			`layers: sequential layer 0: gru: config`},
		{"tensor shape", reseal(t, good, setTensor(gruName, func(tt safetensors.Tensor) safetensors.Tensor {
			return safetensors.Float32s(tt.Name, []int{tt.Shape[0] + 1, tt.Shape[1]}, make([]float32, (tt.Shape[0]+1)*tt.Shape[1]))
		})), "tensor " + gruName + " (a parameter of the layers) has shape"},
		{"tensor dtype", reseal(t, good, setTensor(gruName, func(tt safetensors.Tensor) safetensors.Tensor {
			return safetensors.Tensor{Name: tt.Name, DType: "I32", Shape: tt.Shape, Data: tt.Data}
		})), "tensor " + gruName + " has dtype I32, the model's dtype is float32"},
		{"missing tensor", reseal(t, good, func(f *safetensors.File) {
			f.Tensors = slices.DeleteFunc(f.Tensors, func(tt safetensors.Tensor) bool { return tt.Name == gruName })
		}), "no tensor for parameters [" + gruName + "]"},
		{"dtype", reseal(t, good, md("dtype", "float16")), `dtype "float16", want float32 or float64`},
		{"dtype of the spec", reseal(t, good, md("dtype", "float64")), "dtype float64, the spec's float32"},
		{"input shape", reseal(t, good, md("input_shape", "[10,4]")), "input_shape [10 4], the spec's window and features make [12 4]"},
		{"spec", reseal(t, good, md("spec", `{"family":"gru","window":0}`)), "Spec.Window 0"},
		{"spec field", reseal(t, good, md("spec", `{"family":"gru","window":12,"horizon":3,"features":["a"],"heads":2}`)), `metadata spec: json: unknown field "heads"`},
		{"scaler", reseal(t, good, md("scaler", `{"mean":[0,0,0,0],"std":[1,0,1,1]}`)), `std 0 for feature "precipitation"`},
		{"no metadata sum", reseal(t, good, func(f *safetensors.File) { delete(f.Metadata, "metadata_sha256") }), "no metadata_sha256"},
		{"stray tensor", reseal(t, good, func(f *safetensors.File) {
			f.Tensors = append(f.Tensors, safetensors.Float64s("checkpoint/history", []int{1, 6}, make([]float64, 6)))
			f.Metadata["extra_tensors"] = `["checkpoint/history"]`
		}), "tensor checkpoint/history belongs to no checkpoint"},
		{"checkpoint tensor shape", reseal(t, ck, setTensor("checkpoint/history", func(tt safetensors.Tensor) safetensors.Tensor {
			return safetensors.Float64s(tt.Name, []int{6, 1}, make([]float64, 6))
		})), "tensor checkpoint/history has shape [6 1], want [1 6]"},
		{"checkpoint tensor missing", reseal(t, ck, func(f *safetensors.File) {
			f.Tensors = slices.DeleteFunc(f.Tensors, func(tt safetensors.Tensor) bool { return tt.Name == "checkpoint/optimizer.v/dense/b" })
			f.Metadata["extra_tensors"] = strings.Replace(f.Metadata["extra_tensors"], `,"checkpoint/optimizer.v/dense/b"`, "", 1)
		}), "no tensor checkpoint/optimizer.v/dense/b for the checkpoint"},
		{"checkpoint slots", reseal(t, ck, func(f *safetensors.File) {
			f.Metadata["checkpoint"] = strings.Replace(f.Metadata["checkpoint"], `"optimizer_slots":["m","v"]`, `"optimizer_slots":["v","m"]`, 1)
		}), `checkpoint optimiser slots ["v" "m"]`},
		{"checkpoint epoch", reseal(t, ck, func(f *safetensors.File) {
			f.Metadata["checkpoint"] = strings.Replace(f.Metadata["checkpoint"], `"epoch":1`, `"epoch":0`, 1)
		}), "checkpoint after epoch 0"},
	} {
		_, err := Decode(c.file)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(fmt.Sprint(err), c.want) {
			t.Errorf("%s: Decode = %v; want ErrCorrupt and %q", c.name, err, c.want)
		}
	}
	_, err := Decode(reseal(t, good, md("layers", `{"type":"transformer"}`)))
	if !errors.Is(err, graph.ErrUnknownLayer) || !errors.Is(err, ErrCorrupt) || !errors.Is(err, train.ErrModelFile) {
		t.Errorf("unknown layer: %v does not wrap graph.ErrUnknownLayer, ErrCorrupt and train.ErrModelFile", err)
	}
	_, err = Decode(reseal(t, good, setTensor(gruName, func(tt safetensors.Tensor) safetensors.Tensor {
		return safetensors.Float32s(tt.Name, []int{tt.Shape[0] + 1, tt.Shape[1]}, make([]float32, (tt.Shape[0]+1)*tt.Shape[1]))
	})))
	var se *graph.ShapeError
	if !errors.As(err, &se) {
		t.Errorf("tensor shape: %v is not a *graph.ShapeError", err)
	}
}

// reread decodes a model file as safetensors.
func reread(t testing.TB, file []byte) *safetensors.File {
	t.Helper()
	f, err := safetensors.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// reseal decodes a model file, lets edit change it and encodes it again
// with fresh checksums (data_sha256, and metadata_sha256 if it has one),
// as a hostile or careless writer would.
func reseal(t testing.TB, file []byte, edit func(f *safetensors.File)) []byte {
	t.Helper()
	f := reread(t, file)
	edit(f)
	h := sha256.New()
	for _, tt := range f.Tensors {
		h.Write(tt.Data)
	}
	f.Metadata["data_sha256"] = hex.EncodeToString(h.Sum(nil))
	if _, ok := f.Metadata["metadata_sha256"]; ok {
		f.Metadata["metadata_sha256"] = metadataSHA256(f.Metadata)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, *f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// metadataSHA256 is metadata_sha256 as the format documents it: for each
// entry but itself, in key order, the key's length (uint64, little
// endian), the key, the value's length and the value.
func metadataSHA256(md map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(md)) {
		if k == "metadata_sha256" {
			continue
		}
		for _, s := range []string{k, md[k]} {
			binary.Write(h, binary.LittleEndian, uint64(len(s)))
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestShapeMismatch writes a well-formed file of the older format whose
// weights do not fit the architecture of its spec.
func TestShapeMismatch(t *testing.T) {
	t.Parallel()
	f := trainSmallLinear(t)
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
	if err := writeFile(&b, legacyVersion, h, floats); err != nil {
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
	for _, n := range []int{0, 1, 2, 5} { // the window chosen from too few rows
		_, _, err := Train(context.Background(), Spec{Horizon: 3}, make([]float64, n), Options{})
		if !errors.Is(err, series.ErrTooShort) {
			t.Errorf("Train(%d values): %v; want ErrTooShort", n, err)
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

// TestSpecNameDefaults trains a Spec without Family and Features on plain
// values: an LSTM of one feature named DefaultFeature, as the CLI's default.
func TestSpecNameDefaults(t *testing.T) {
	t.Parallel()
	v := make([]float64, 120)
	for i := range v {
		v[i] = math.Sin(float64(i) / 3)
	}
	opts := DefaultOptions()
	opts.Epochs = 1
	f, _, err := Train(context.Background(), Spec{Window: 8, Horizon: 2, Units: 4, Layers: 1}, v, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f.Spec.Family != DefaultFamily || !slices.Equal(f.Spec.Features, []string{DefaultFeature}) {
		t.Errorf("Spec of the result: family %q, features %q; want %q and [%q]", f.Spec.Family, f.Spec.Features, DefaultFamily, DefaultFeature)
	}
	if _, err := f.Predict(v); err != nil {
		t.Error(err)
	}
	if s := (Spec{}).named([]string{"a", "b"}); s.Features != nil {
		t.Errorf("named(two columns).Features = %q; want nil (no default for several)", s.Features)
	}
}

// tinyBytes returns the model file of tinyForecaster: cheap seed input for
// fuzzing.
func tinyBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tinyForecaster(t).Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tinyForecaster returns an untrained linear forecaster of window 4 and
// horizon 2, with a checkpoint.
func tinyForecaster(t testing.TB) *Forecaster {
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
	return f
}

func FuzzDecode(f *testing.F) {
	good := tinyBytes(f)
	f.Add(good)
	f.Add(good[:40])
	f.Add(legacyBytes(f, tinyForecaster(f), legacyVersion))
	f.Add([]byte(magic))
	f.Add([]byte{})
	for _, edit := range []func(*Spec){
		func(s *Spec) { s.Family, s.Window, s.Units, s.Layers = LSTM, 65536, 1, 1 },
		func(s *Spec) { s.Family, s.Units, s.Layers = GRU, 4096, 16 },
	} {
		legacy, current := hostile(f, edit)
		f.Add(legacy)
		f.Add(current)
	}
	// The linear fixtures of every version (the others' networks take
	// longer to compile than CI's 10 s of fuzzing leave for the seeds).
	paths, _ := filepath.Glob("testdata/modelfiles/v*/linear.model")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
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
