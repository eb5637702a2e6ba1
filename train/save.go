package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
)

// The model file: a safetensors file (any safetensors reader opens it) with
// one tensor per network parameter, named by the parameter, in the model's
// dtype, and the model in the metadata:
//
//	format          "seqcast.model"
//	format_version  ModelFormatVersion
//	layers          the network's graph.LayerConfig, JSON
//	input_shape     the shape of one input sample, JSON ([steps, features])
//	dtype, seed, label
//	data_sha256     the SHA-256 of the tensor data, hex
//
// Load checks all of it, and every tensor against the parameters the
// configs build, before it returns a model.
const (
	modelFormat = "seqcast.model"
	// ModelFormatVersion is the version of the model files Model.Save
	// writes; LoadModel reads it and older ones. Versions 1 and 2 are the
	// root package's earlier binary format (seqcast.Load reads those).
	ModelFormatVersion = 3
)

// ErrModelFile is wrapped by every error of LoadModel about the file's
// content.
var ErrModelFile = errors.New("train: bad model file")

func badModel(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrModelFile}, args...)...)
}

// Save writes m to w as a model file: the network's layer configs, the
// input shape it was built for, and its weights. m must have been built
// (Build, Fit or Predict), and every layer must be graph.Configurable. Save
// waits for the model's running predictions to finish (it may be called
// from Fit's hooks, between epochs).
// Extra metadata (string keys and values) is stored beside the model's own
// and returned by LoadModel; its keys must not be the model's.
func (m *Model) Save(w io.Writer, extra map[string]string) error {
	if m == nil || m.Net == nil {
		return errors.New("train: save: the model has no network (Model.Net is nil)")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.in == nil {
		return errors.New("train: save: the model is not built yet (call Build, Fit or Predict first)")
	}
	cfg, err := graph.ConfigOf(m.Net)
	if err != nil {
		return fmt.Errorf("train: save: %w", err)
	}
	layers, err := json.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("train: save: %w", err)
	}
	in, _ := json.Marshal(m.in)
	f := safetensors.File{Metadata: map[string]string{}}
	for k, v := range extra {
		f.Metadata[k] = v
	}
	own := map[string]string{
		"format": modelFormat, "format_version": strconv.Itoa(ModelFormatVersion),
		"layers": string(layers), "input_shape": string(in),
		"dtype": m.dtype().String(), "seed": strconv.FormatUint(m.Seed, 10), "label": m.Label,
	}
	h := sha256.New()
	for _, p := range m.Net.Params() {
		var t safetensors.Tensor
		switch v := p.Value().Data().(type) {
		case []float32:
			t = safetensors.Float32s(p.Name(), p.Shape(), v)
		case []float64:
			t = safetensors.Float64s(p.Name(), p.Shape(), v)
		default:
			return fmt.Errorf("train: save: parameter %s has dtype %v", p.Name(), p.Dtype())
		}
		h.Write(t.Data)
		f.Tensors = append(f.Tensors, t)
	}
	own["data_sha256"] = hex.EncodeToString(h.Sum(nil))
	for k, v := range own {
		if _, dup := f.Metadata[k]; dup {
			return fmt.Errorf("train: save: extra metadata key %q is the model's own", k)
		}
		f.Metadata[k] = v
	}
	if err := safetensors.Encode(w, f); err != nil {
		return fmt.Errorf("train: save: %w", err)
	}
	return nil
}

func (m *Model) dtype() tensor.Dtype {
	if m.Dtype == tensor.Float64 {
		return tensor.Float64
	}
	return tensor.Float32
}

// maxInput bounds the values of one input sample a model file may ask for.
const maxInput = 1 << 24

// LoadModel reads a model file written by Model.Save: it checks the format,
// version and checksum, builds the network from its layer configs with reg
// (which must know every layer type in the file; see graph.Registry),
// checks each stored tensor against the parameter of that name, dtype and
// shape, and sets the weights. It returns the model and the file's
// metadata, the model's own keys included.
//
// Its errors wrap ErrModelFile and name the tensor or layer at fault; an
// unknown layer type wraps graph.ErrUnknownLayer too.
func LoadModel(data []byte, reg *graph.Registry) (*Model, map[string]string, error) {
	f, err := safetensors.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrModelFile, err)
	}
	md := f.Metadata
	if md["format"] != modelFormat {
		return nil, nil, badModel("not a seqcast model (metadata format %q, want %q)", md["format"], modelFormat)
	}
	v, err := strconv.Atoi(md["format_version"])
	if err != nil || v < 3 {
		return nil, nil, badModel("format_version %q", md["format_version"])
	}
	if v > ModelFormatVersion {
		return nil, nil, badModel("format version %d is newer than this seqcast's %d", v, ModelFormatVersion)
	}
	h := sha256.New()
	for _, t := range f.Tensors {
		h.Write(t.Data)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != md["data_sha256"] {
		return nil, nil, badModel("checksum mismatch (the file is corrupt): data_sha256 %q, data hashes to %s", md["data_sha256"], sum)
	}
	m := &Model{Label: md["label"]}
	switch md["dtype"] {
	case "float32":
		m.Dtype = tensor.Float32
	case "float64":
		m.Dtype = tensor.Float64
	default:
		return nil, nil, badModel("dtype %q, want float32 or float64", md["dtype"])
	}
	if m.Seed, err = strconv.ParseUint(md["seed"], 10, 64); err != nil {
		return nil, nil, badModel("seed %q", md["seed"])
	}
	var in []int
	if err := json.Unmarshal([]byte(md["input_shape"]), &in); err != nil || len(in) != 2 {
		return nil, nil, badModel("input_shape %q, want [steps, features]", md["input_shape"])
	}
	if in[0] < 1 || in[1] < 1 || in[0] > maxInput/in[1] {
		return nil, nil, badModel("input_shape %v: want positive sizes of at most %d values", in, maxInput)
	}
	var cfg graph.LayerConfig
	if err := json.Unmarshal([]byte(md["layers"]), &cfg); err != nil {
		return nil, nil, badModel("layers: %v", err)
	}
	if reg == nil {
		return nil, nil, errors.New("train: load: no layer registry (pass seqcast.Layers() or a graph.Registry)")
	}
	stored := 0
	for _, t := range f.Tensors {
		stored += t.Len()
	}
	// No network may be much larger than the file's weights, so a file
	// cannot ask for more memory than it holds; the slack lets a file that
	// lacks a tensor or two say so by name.
	m.maxParams = 2*stored + 1<<16
	if m.Net, err = reg.Build(cfg); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrModelFile, err)
	}
	if _, err := m.Build(in); err != nil {
		return nil, nil, fmt.Errorf("%w: building the network for input %v: %w", ErrModelFile, in, err)
	}
	want := map[string]safetensors.DType{"float32": safetensors.F32, "float64": safetensors.F64}[md["dtype"]]
	params := m.Net.Params()
	byName := map[string]safetensors.Tensor{}
	for _, t := range f.Tensors {
		byName[t.Name] = t
	}
	var missing []string
	for _, p := range params {
		t, ok := byName[p.Name()]
		if !ok {
			missing = append(missing, p.Name())
			continue
		}
		delete(byName, p.Name())
		if t.DType != want {
			return nil, nil, badModel("tensor %s has dtype %s, the model's dtype is %s", t.Name, t.DType, md["dtype"])
		}
		if !slices.Equal(t.Shape, p.Shape()) {
			return nil, nil, badModel("tensor %s has shape %v, the layers make it %v", t.Name, t.Shape, p.Shape())
		}
	}
	if len(missing) > 0 {
		return nil, nil, badModel("no tensor for parameters %v", missing)
	}
	if len(byName) > 0 {
		extra := make([]string, 0, len(byName))
		for n := range byName {
			extra = append(extra, n)
		}
		slices.Sort(extra)
		return nil, nil, badModel("tensors %v match no parameter of the layers", extra)
	}
	m.maxParams = 0
	for _, p := range params {
		t, _ := f.Tensor(p.Name())
		vals, err := t.Values()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrModelFile, err)
		}
		p.SetFloat64s(vals)
	}
	return m, md, nil
}
