package pytorch

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
	"github.com/seqcast/seqcast/wavenet"
)

// archs builds seqcast's version of each architecture of the PyTorch
// reference's fixtures (scripts/pytorch/fixtures.py), with the reference's
// module names.
var archs = []struct {
	name string
	net  func() graph.Layer
}{
	{"linear1", func() graph.Layer { return graph.NewSequential(graph.NewFlatten(), graph.NewDense(1)) }},
	{"deep_rnn_dense", func() graph.Layer {
		return graph.NewSequential(rnn.NewSimple(20, rnn.ReturnSequences(true)), rnn.NewSimple(20), graph.NewDense(1))
	}},
	{"seq2vec_rnn", func() graph.Layer {
		return graph.NewSequential(rnn.NewSimple(20, rnn.ReturnSequences(true)), rnn.NewSimple(20), graph.NewDense(10))
	}},
	{"seq2seq_lstm", func() graph.Layer {
		return graph.NewSequential(rnn.NewLSTM(20, rnn.ReturnSequences(true)), rnn.NewLSTM(20, rnn.ReturnSequences(true)),
			graph.NewTimeDistributed(graph.NewDense(10)))
	}},
	{"seq2seq_gru", func() graph.Layer {
		return graph.NewSequential(rnn.NewGRU(20, rnn.ReturnSequences(true)), rnn.NewGRU(20, rnn.ReturnSequences(true)),
			graph.NewTimeDistributed(graph.NewDense(10)))
	}},
	{"conv_gru", func() graph.Layer {
		return graph.NewSequential(conv.New(20, 4, conv.Strides(2)),
			rnn.NewGRU(20, rnn.ReturnSequences(true)), rnn.NewGRU(20, rnn.ReturnSequences(true)),
			graph.NewTimeDistributed(graph.NewDense(10)))
	}},
	{"wavenet", func() graph.Layer { return wavenet.NewSimple(wavenet.SimpleConfig{}) }},
}

func readFixture(t *testing.T, name string) (state []byte, x, y safetensors.Tensor) {
	t.Helper()
	state, err := os.ReadFile(filepath.Join("testdata", name+".safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("testdata", name+".io.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	io, err := safetensors.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	x, _ = io.Tensor("x")
	y, _ = io.Tensor("y")
	return state, x, y
}

// model returns net built in float64 for inputs like x, (batch, steps, 1).
func model(t *testing.T, net graph.Layer, x safetensors.Tensor, seed uint64) *train.Model {
	t.Helper()
	m := &train.Model{Net: net, Dtype: tensor.Float64, Seed: seed}
	if _, err := m.Build(x.Shape[1:]); err != nil {
		t.Fatal(err)
	}
	return m
}

func predict(t *testing.T, m *train.Model, x safetensors.Tensor) []float64 {
	t.Helper()
	xv, err := x.Values()
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Build(x.Shape[1:])
	if err != nil {
		t.Fatal(err)
	}
	n := 1
	for _, d := range out {
		n *= d
	}
	w := series.Windows{X: xv, N: x.Shape[0], Steps: x.Shape[1], Features: x.Shape[2], Y: make([]float64, x.Shape[0]*n), YShape: out}
	p, err := m.Predict(w)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func maxDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestImportMatchesPyTorch imports each reference state_dict and predicts
// what PyTorch predicted. Both compute in float64 from the same float32
// weights, so they agree to rounding (~1e-14); 1e-5 is the bar.
func TestImportMatchesPyTorch(t *testing.T) {
	t.Parallel()
	for _, a := range archs {
		t.Run(a.name, func(t *testing.T) {
			state, x, y := readFixture(t, a.name)
			m := model(t, a.net(), x, 1)
			if err := Import(m.Net, state); err != nil {
				t.Fatal(err)
			}
			want, _ := y.Values()
			got := predict(t, m, x)
			if len(got) != len(want) {
				t.Fatalf("%d predictions, want %d", len(got), len(want))
			}
			d := maxDiff(got, want)
			t.Logf("max |seqcast - PyTorch| = %.3g", d)
			if d > 1e-5 {
				t.Errorf("max |seqcast - PyTorch| = %g, want <= 1e-5", d)
			}
		})
	}
}

// TestExportRoundTrip exports imported weights under the reference's module
// names and imports them into a network with other initial weights: the
// keys are the reference's and the predictions do not change.
func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	for _, a := range archs {
		t.Run(a.name, func(t *testing.T) {
			state, x, _ := readFixture(t, a.name)
			m := model(t, a.net(), x, 1)
			if err := Import(m.Net, state); err != nil {
				t.Fatal(err)
			}
			mods, err := Modules(state)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Export(m.Net, ExportOptions{Modules: mods, Float64: true})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := keys(t, out), keys(t, state); !slices.Equal(got, want) {
				t.Errorf("exported keys %v, want %v", got, want)
			}
			m2 := model(t, a.net(), x, 2)
			if err := Import(m2.Net, out); err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(predict(t, m2, x), predict(t, m, x)); d != 0 {
				t.Errorf("predictions moved by %g after export and import", d)
			}
		})
	}
}

func keys(t *testing.T, b []byte) []string {
	t.Helper()
	f, err := safetensors.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var k []string
	for _, tt := range f.Tensors {
		k = append(k, tt.Name)
	}
	slices.Sort(k)
	return k
}

// TestExportLoadsInPyTorch has PyTorch load seqcast's exported weights
// (load_state_dict, strict) into the reference's models and predict. It
// needs /usr/bin/python3 with torch (Debian's python3-torch), else it skips.
func TestExportLoadsInPyTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skip("no /usr/bin/python3 with torch (apt-get install python3-torch)")
	}
	// check_export.py builds the models with the PyTorch reference, which
	// lives beside the repository, not in it.
	if _, err := os.Stat("../../shared/peers/pytorch/run_all.py"); err != nil {
		t.Skipf("no PyTorch reference beside the repository (../shared/peers/pytorch): %v", err)
	}
	dir := t.TempDir()
	for _, a := range archs {
		state, x, _ := readFixture(t, a.name)
		// Weights of seqcast's own initialisation: nothing PyTorch saw.
		m := model(t, a.net(), x, 3)
		mods, err := Modules(state)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Export(m.Net, ExportOptions{Modules: mods})
		if err != nil {
			t.Fatal(err)
		}
		// Predict from the float32 weights PyTorch will read.
		if err := Import(m.Net, out); err != nil {
			t.Fatal(err)
		}
		pred := predict(t, m, x)
		xv, _ := x.Values()
		var io bytes.Buffer
		if err := safetensors.Encode(&io, safetensors.File{Tensors: []safetensors.Tensor{
			safetensors.Float64s("x", x.Shape, xv), safetensors.Float64s("pred", []int{len(pred)}, pred)}}); err != nil {
			t.Fatal(err)
		}
		for file, b := range map[string][]byte{a.name + ".safetensors": out, a.name + ".pred.safetensors": io.Bytes()} {
			if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := exec.Command(py, "../scripts/pytorch/check_export.py", "--dir", dir)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("check_export.py: %v", err)
	}
}

// TestImportNamedModules imports the seq2seq LSTM's weights renamed as a
// PyTorch user names them, one two-layer nn.LSTM "rnn" and a Linear
// "head", which sort before the LSTM: Import lines them up by kind, and
// ModulesFor gives the names in the network's order.
func TestImportNamedModules(t *testing.T) {
	t.Parallel()
	state, x, y := readFixture(t, "seq2seq_lstm")
	f, err := safetensors.Decode(state)
	if err != nil {
		t.Fatal(err)
	}
	var renamed safetensors.File
	for _, tt := range f.Tensors {
		name := tt.Name
		switch {
		case strings.HasPrefix(name, "0.rnn."):
			name = "rnn." + strings.TrimPrefix(name, "0.rnn.")
		case strings.HasPrefix(name, "1.rnn."):
			name = "rnn." + strings.Replace(strings.TrimPrefix(name, "1.rnn."), "_l0", "_l1", 1)
		default:
			name = "head." + strings.TrimPrefix(name, "2.")
		}
		tt.Name = name
		renamed.Tensors = append(renamed.Tensors, tt)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, renamed); err != nil {
		t.Fatal(err)
	}
	m := model(t, archs[3].net(), x, 1)
	if err := Import(m.Net, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	want, _ := y.Values()
	if d := maxDiff(predict(t, m, x), want); d > 1e-5 {
		t.Errorf("max |seqcast - PyTorch| = %g, want <= 1e-5", d)
	}
	mods, err := ModulesFor(m.Net, b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"rnn", "rnn:1", "head"}; !slices.Equal(mods, want) {
		t.Errorf("ModulesFor = %v, want %v", mods, want)
	}
	out, err := Export(m.Net, ExportOptions{Modules: mods})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, out), keys(t, b.Bytes()); !slices.Equal(got, want) {
		t.Errorf("exported keys %v, want %v", got, want)
	}
}

// TestImportWithModules imports the seq2seq LSTM's layers renamed "b"
// (the first) and "a" (the second), which path order takes the wrong way
// round, in the order ImportOptions.Modules gives.
func TestImportWithModules(t *testing.T) {
	t.Parallel()
	state, x, y := readFixture(t, "seq2seq_lstm")
	f, err := safetensors.Decode(state)
	if err != nil {
		t.Fatal(err)
	}
	var renamed safetensors.File
	for _, tt := range f.Tensors {
		tt.Name = strings.NewReplacer("0.rnn.", "b.", "1.rnn.", "a.", "2.", "head.").Replace(tt.Name)
		renamed.Tensors = append(renamed.Tensors, tt)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, renamed); err != nil {
		t.Fatal(err)
	}
	m := model(t, archs[3].net(), x, 1)
	if err := Import(m.Net, b.Bytes()); err == nil || !strings.Contains(err.Error(), "a.weight_ih_l0 has shape [80 20], want [80 1]") {
		t.Errorf("Import in path order = %v, want a shape error", err)
	}
	if err := ImportWith(m.Net, b.Bytes(), ImportOptions{Modules: []string{"b", "a", "head"}}); err != nil {
		t.Fatal(err)
	}
	want, _ := y.Values()
	if d := maxDiff(predict(t, m, x), want); d > 1e-5 {
		t.Errorf("max |seqcast - PyTorch| = %g, want <= 1e-5", d)
	}
	for _, c := range []struct {
		mods []string
		want string
	}{
		{[]string{"b", "a"}, "ImportOptions.Modules has 2 names for 3 layers"},
		{[]string{"b", "c", "head"}, `no module "c" in the state_dict (it has a, b, head)`},
		{[]string{"b", "b", "head"}, `module "b" named twice`},
	} {
		if err := ImportWith(m.Net, b.Bytes(), ImportOptions{Modules: c.mods}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ImportWith(%v) = %v, want %q", c.mods, err, c.want)
		}
	}
}

func TestImportErrors(t *testing.T) {
	t.Parallel()
	state, x, _ := readFixture(t, "seq2seq_lstm")
	f, err := safetensors.Decode(state)
	if err != nil {
		t.Fatal(err)
	}
	encode := func(ts []safetensors.Tensor) []byte {
		var b bytes.Buffer
		if err := safetensors.Encode(&b, safetensors.File{Tensors: ts}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	without := func(name string) []byte {
		return encode(slices.DeleteFunc(slices.Clone(f.Tensors), func(t safetensors.Tensor) bool { return t.Name == name }))
	}
	with := func(extra ...safetensors.Tensor) []byte { return encode(append(slices.Clone(f.Tensors), extra...)) }
	reshaped := slices.Clone(f.Tensors)
	for i, tt := range reshaped {
		if tt.Name == "2.weight" {
			reshaped[i] = safetensors.Float32s("2.weight", []int{10, 21}, make([]float32, 210))
		}
	}
	tests := []struct {
		name  string
		net   func() graph.Layer
		state []byte
		want  []string
	}{
		{"missing key", archs[3].net, without("1.rnn.bias_hh_l0"), []string{"missing 1.rnn.bias_hh_l0 [80]"}},
		{"extra key", archs[3].net, with(safetensors.Float32s("3.weight", []int{1, 1}, []float32{1}), safetensors.Float32s("0.rnn.weight_ih_l0_reverse", []int{1}, []float32{1})),
			[]string{"extra keys 0.rnn.weight_ih_l0_reverse, 3.weight"}},
		{"shape", archs[3].net, encode(reshaped), []string{"2.weight has shape [10 21], want [10 20] for Linear layer dense"}},
		{"too few modules", func() graph.Layer {
			return graph.NewSequential(rnn.NewLSTM(20, rnn.ReturnSequences(true)), rnn.NewLSTM(20, rnn.ReturnSequences(true)),
				rnn.NewLSTM(20, rnn.ReturnSequences(true)), graph.NewTimeDistributed(graph.NewDense(10)))
		}, state, []string{"module 2 (Linear) does not match layer lstm_2 (LSTM)", "modules (0.rnn, 1.rnn, 2)", "layers (lstm, lstm_1, lstm_2, dense)"}},
		{"too many modules", func() graph.Layer {
			return graph.NewSequential(rnn.NewLSTM(20, rnn.ReturnSequences(true)), rnn.NewLSTM(20, rnn.ReturnSequences(true)))
		}, state, []string{"extra keys 2.bias, 2.weight"}},
		{"no counterpart", func() graph.Layer {
			return graph.NewSequential(rnn.NewLayerNormSimple(20, rnn.ReturnSequences(true)), graph.NewTimeDistributed(graph.NewDense(10)))
		}, state, []string{"has no PyTorch counterpart"}},
		{"not safetensors", archs[3].net, []byte("{}"), []string{"safetensors: bad file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := model(t, tt.net(), x, 1)
			before := m.Net.Params()[0].Float64s()
			err := Import(m.Net, tt.state)
			if err == nil {
				t.Fatal("Import succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Import = %v; want it to contain %q", err, w)
				}
			}
			if !slices.Equal(before, m.Net.Params()[0].Float64s()) {
				t.Error("a failed Import changed weights")
			}
		})
	}
}

func TestModules(t *testing.T) {
	t.Parallel()
	state, _, _ := readFixture(t, "wavenet")
	mods, err := Modules(state)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.conv", "1.conv", "2.conv", "3.conv", "4.conv", "5.conv", "6.conv", "7.conv", "8.conv"}
	if !slices.Equal(mods, want) {
		t.Errorf("Modules = %v, want %v", mods, want)
	}
	f := safetensors.File{Tensors: []safetensors.Tensor{
		safetensors.Float32s("lstm.weight_ih_l1", []int{4, 1}, make([]float32, 4)),
		safetensors.Float32s("lstm.weight_ih_l0", []int{4, 1}, make([]float32, 4)),
		safetensors.Float32s("10.weight", []int{1, 1}, make([]float32, 1)),
		safetensors.Float32s("2.weight", []int{1, 1}, make([]float32, 1)),
	}}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, f); err != nil {
		t.Fatal(err)
	}
	mods, err = Modules(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2", "10", "lstm", "lstm:1"}; !slices.Equal(mods, want) {
		t.Errorf("Modules = %v, want %v", mods, want)
	}
}

func TestFiles(t *testing.T) {
	t.Parallel()
	state, x, _ := readFixture(t, "seq2seq_gru")
	m := model(t, archs[4].net(), x, 1)
	if err := Import(m.Net, state); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gru.safetensors")
	if err := ExportFile(path, m.Net, ExportOptions{Float64: true}); err != nil {
		t.Fatal(err)
	}
	m2 := model(t, archs[4].net(), x, 2)
	if err := ImportFile(path, m2.Net); err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(predict(t, m2, x), predict(t, m, x)); d != 0 {
		t.Errorf("predictions moved by %g after ExportFile and ImportFile", d)
	}
	if err := ImportFile(filepath.Join(t.TempDir(), "none"), m2.Net); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("ImportFile of a missing file = %v", err)
	}
	if err := ImportFile("testdata/seq2seq_lstm.safetensors", m2.Net); err == nil || !strings.Contains(err.Error(), "(testdata/seq2seq_lstm.safetensors)") {
		t.Errorf("ImportFile of another architecture = %v, want an error naming the file", err)
	}
}
