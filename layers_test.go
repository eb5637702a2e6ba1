package seqcast

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
	"github.com/seqcast/seqcast/wavenet"
)

var seqOpt = rnn.ReturnSequences(true)

func td(k int) graph.Layer { return graph.NewTimeDistributed(graph.NewDense(k)) }

// savedNets are networks of every layer type and option that a model file
// must keep, with the chapter's architectures among them.
var savedNets = []struct {
	name string
	net  func() graph.Layer
}{
	{"linear", func() graph.Layer { return graph.NewSequential(graph.NewFlatten(), graph.NewDense(10)) }},
	{"deep_rnn_dense", func() graph.Layer {
		return graph.NewSequential(rnn.NewSimple(20, seqOpt), rnn.NewSimple(20), graph.NewDense(1).WithActivation(graph.Tanh))
	}},
	{"seq2seq_lnrnn", func() graph.Layer {
		return graph.NewSequential(rnn.NewLayerNormSimple(8, seqOpt), rnn.NewLayerNormSimple(8, seqOpt), td(10))
	}},
	{"seq2seq_lstm", func() graph.Layer {
		return graph.NewSequential(rnn.NewLSTM(8, seqOpt, rnn.NoForgetBias(true)), rnn.NewLSTM(8, seqOpt, rnn.GoBackwards(true)), td(10))
	}},
	{"gru_both", func() graph.Layer {
		return graph.NewSequential(rnn.NewGRU(8, seqOpt, rnn.ResetAfter(false)), rnn.NewGRU(8, seqOpt, rnn.Dropout(0.2), rnn.RecurrentDropout(0.2)),
			graph.NewDropout(0.1), td(10))
	}},
	{"conv_gru", func() graph.Layer {
		return graph.NewSequential(conv.New(8, 4, conv.Strides(2)), rnn.NewGRU(8, seqOpt), td(10))
	}},
	{"wavenet_simple", func() graph.Layer {
		return wavenet.NewSimple(wavenet.SimpleConfig{Filters: 6, Dilations: []int{1, 2, 4}})
	}},
	{"wavenet", func() graph.Layer {
		return wavenet.New(wavenet.Config{Stacks: 1, Dilations: []int{1, 2}, Channels: 4, SkipChannels: 5})
	}},
	{"nested", func() graph.Layer {
		return graph.NewSequential(graph.NewSequential(conv.New(4, 2, conv.Padding(conv.Causal), conv.Activation(graph.ReLU))),
			rnn.NewLSTM(6), graph.NewDense(3))
	}},
}

func windows(n, steps int, seed uint64) series.Windows {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*steps)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	return series.Windows{X: x, N: n, Steps: steps, Features: 1, Y: make([]float64, n), YShape: []int{1}}
}

// TestModelFileRoundTrip saves networks of every layer type and loads them
// back: the same predictions, bit for bit, in both dtypes.
func TestModelFileRoundTrip(t *testing.T) {
	t.Parallel()
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, c := range savedNets {
			t.Run(c.name+"/"+dt.String(), func(t *testing.T) {
				m := &train.Model{Net: c.net(), Dtype: dt, Seed: 7, Label: c.name}
				w := windows(5, 12, 1)
				if _, err := m.Predict(w); err != nil {
					t.Fatal(err)
				}
				// Weights no initialiser makes: the loaded model must read them.
				r := rand.New(rand.NewPCG(3, 3))
				for _, p := range m.Net.Params() {
					v := p.Float64s()
					for i := range v {
						v[i] = 0.3 * r.NormFloat64()
					}
					p.SetFloat64s(v)
				}
				want, err := m.Predict(w)
				if err != nil {
					t.Fatal(err)
				}
				var file bytes.Buffer
				if err := m.Save(&file, map[string]string{"note": "hi"}); err != nil {
					t.Fatal(err)
				}
				got, md, err := train.LoadModel(file.Bytes(), Layers())
				if err != nil {
					t.Fatal(err)
				}
				if md["note"] != "hi" || got.Label != c.name || got.Seed != 7 || got.Dtype != dt {
					t.Errorf("metadata %v, label %q, seed %d, dtype %v", md, got.Label, got.Seed, got.Dtype)
				}
				p, err := got.Predict(w)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(p, want) {
					t.Errorf("loaded model predicts %v, want %v", p[:3], want[:3])
				}
				// Dropout settings survive: MC passes agree too.
				m1, s1, err1 := m.PredictMC(context.Background(), w, 3, 5)
				m2, s2, err2 := got.PredictMC(context.Background(), w, 3, 5)
				if err1 != nil || err2 != nil || !slices.Equal(m1, m2) || !slices.Equal(s1, s2) {
					t.Errorf("MC dropout differs after load (%v, %v)", err1, err2)
				}
				// The file is plain safetensors with the model's dtype.
				f, err := safetensors.Decode(file.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				wantDT := map[tensor.Dtype]safetensors.DType{tensor.Float32: safetensors.F32, tensor.Float64: safetensors.F64}[dt]
				for _, tt := range f.Tensors {
					if tt.DType != wantDT {
						t.Errorf("tensor %s stored as %s, want %s", tt.Name, tt.DType, wantDT)
					}
				}
			})
		}
	}
}

// rewrite is reseal for *testing.T.
func rewrite(t *testing.T, file []byte, edit func(f *safetensors.File)) []byte {
	t.Helper()
	return reseal(t, file, edit)
}

func TestLoadModelErrors(t *testing.T) {
	t.Parallel()
	m := train.NewModel(graph.NewSequential(rnn.NewLSTM(4, seqOpt), td(2)))
	if _, err := m.Build([]int{6, 1}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf, nil); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	setLayers := func(cfg string) func(f *safetensors.File) {
		return func(f *safetensors.File) { f.Metadata["layers"] = cfg }
	}
	corrupt := slices.Clone(good)
	corrupt[len(corrupt)-1] ^= 1
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"checksum", corrupt, "checksum mismatch"},
		{"not safetensors", []byte("SEQCAST\n"), "safetensors: bad file"},
		{"unknown layer", rewrite(t, good, setLayers(`{"type":"sequential","layers":[{"type":"transformer"}]}`)), `sequential layer 0: graph: unknown layer type "transformer"`},
		{"bad config", rewrite(t, good, setLayers(`{"type":"lstm","config":{"units":-3}}`)), "lstm: units -3 outside"},
		{"unknown field", rewrite(t, good, setLayers(`{"type":"lstm","config":{"units":4,"unit":2}}`)), `unknown field "unit"`},
		{"huge", rewrite(t, good, setLayers(`{"type":"lstm","config":{"units":100000000}}`)), "units 100000000 outside"},
		{"shape", rewrite(t, good, func(f *safetensors.File) {
			for i, tt := range f.Tensors {
				if tt.Name == "lstm/wi" {
					f.Tensors[i] = safetensors.Float32s(tt.Name, []int{2, 4}, make([]float32, 8))
				}
			}
		}), "tensor lstm/wi (a parameter of the layers) has shape [2 4], want [1 4]"},
		{"dtype", rewrite(t, good, func(f *safetensors.File) {
			for i, tt := range f.Tensors {
				if tt.Name == "dense/b" {
					f.Tensors[i] = safetensors.Float64s(tt.Name, tt.Shape, make([]float64, 2))
				}
			}
		}), "tensor dense/b has dtype F64, the model's dtype is float32"},
		{"half precision", rewrite(t, good, func(f *safetensors.File) {
			for i, tt := range f.Tensors {
				if tt.Name == "dense/b" {
					f.Tensors[i] = safetensors.Tensor{Name: tt.Name, DType: "BF16", Shape: tt.Shape, Data: make([]byte, 2*2)}
				}
			}
		}), "tensor dense/b has dtype BF16, the model's dtype is float32"},
		{"missing", rewrite(t, good, func(f *safetensors.File) {
			f.Tensors = slices.DeleteFunc(f.Tensors, func(tt safetensors.Tensor) bool { return tt.Name == "lstm/uo" })
		}), "no tensor for parameters [lstm/uo]"},
		{"extra", rewrite(t, good, func(f *safetensors.File) {
			f.Tensors = append(f.Tensors, safetensors.Float32s("head/w", []int{1}, []float32{1}))
		}), "tensors [head/w] match no parameter"},
		{"newer", rewrite(t, good, func(f *safetensors.File) { f.Metadata["format_version"] = "99" }), "format version 99 is newer"},
		{"larger than the file", rewrite(t, good, setLayers(`{"type":"sequential","layers":[{"type":"lstm","config":{"units":3000,"return_sequences":true}},{"type":"time_distributed","layers":[{"type":"dense","config":{"units":2}}]}]}`)),
			"parameter lstm/ui of shape [3000 3000] would bring the network past 65748 parameters"},
		{"input", rewrite(t, good, func(f *safetensors.File) { f.Metadata["input_shape"] = "[1000000000,1000]" }), "input_shape [1000000000 1000]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := train.LoadModel(tt.file, Layers())
			if err == nil || !errors.Is(err, train.ErrModelFile) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadModel = %v; want an ErrModelFile containing %q", err, tt.want)
			}
		})
	}
	if _, _, err := train.LoadModel(rewrite(t, good, setLayers(`{"type":"transformer"}`)), Layers()); !errors.Is(err, graph.ErrUnknownLayer) {
		t.Errorf("unknown layer: %v does not wrap graph.ErrUnknownLayer", err)
	}
}

// scale is a user's own layer: y = k·x, with no parameters.
type scale struct{ K float64 }

func (s scale) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	k := gorgonia.NewConstant(s.K)
	if x.Dtype() == tensor.Float32 {
		k = gorgonia.NewConstant(float32(s.K))
	}
	return gorgonia.HadamardProd(x, k)
}
func (scale) Params() []*graph.Param { return nil }
func (s scale) LayerConfig() (graph.LayerConfig, error) {
	return graph.NewConfig("scale", s)
}

// A user's layer joins the registry and round-trips like seqcast's own.
func TestModelFileCustomLayer(t *testing.T) {
	t.Parallel()
	m := train.NewModel(graph.NewSequential(rnn.NewGRU(4), scale{K: 3}))
	w := windows(2, 5, 2)
	want, err := m.Predict(w)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := train.LoadModel(buf.Bytes(), Layers()); !errors.Is(err, graph.ErrUnknownLayer) {
		t.Fatalf("load without the user's type: %v", err)
	}
	reg := Layers()
	reg.Register("scale", func(c graph.LayerConfig, _ []graph.Layer) (graph.Layer, error) {
		var s scale
		return s, graph.DecodeConfig(c, &s)
	})
	got, _, err := train.LoadModel(buf.Bytes(), reg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := got.Predict(w)
	if err != nil || !slices.Equal(p, want) {
		t.Errorf("Predict = %v, %v; want %v", p, err, want)
	}
}

func TestModelFileNotConfigurable(t *testing.T) {
	t.Parallel()
	type opaque struct{ graph.Layer }
	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), opaque{graph.NewDense(1)}))
	if _, err := m.Predict(windows(1, 3, 1)); err != nil {
		t.Fatal(err)
	}
	err := m.Save(&bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "sequential layer 1: graph: layer of type seqcast.opaque cannot be saved") {
		t.Errorf("Save = %v", err)
	}
	if err := train.NewModel(graph.NewDense(1)).Save(&bytes.Buffer{}, nil); err == nil || !strings.Contains(err.Error(), "not built") {
		t.Errorf("Save of an unbuilt model = %v", err)
	}
}

// The header is what the format says: little-endian length, JSON.
func TestModelFileIsSafetensors(t *testing.T) {
	t.Parallel()
	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(2)))
	if _, err := m.Build([]int{3, 1}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	var head map[string]json.RawMessage
	if err := json.Unmarshal(b[8:8+n], &head); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"__metadata__", "dense/w", "dense/b"} {
		if head[k] == nil {
			t.Errorf("header has no %q: %s", k, b[8:8+n])
		}
	}
}

// FuzzLoadModel: no model file, however made, panics or hangs LoadModel.
func FuzzLoadModel(f *testing.F) {
	m := train.NewModel(graph.NewSequential(conv.New(2, 2), rnn.NewGRU(2), graph.NewDense(1)))
	if _, err := m.Build([]int{4, 1}); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	reg := Layers()
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, _, err := train.LoadModel(b, reg); err == nil {
			if _, err := m.Predict(windows(1, 4, 1)); err != nil && m.NumParams() == 0 {
				t.Fatalf("a loaded model without parameters fails: %v", err)
			}
		}
	})
}
