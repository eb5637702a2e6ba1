package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
)

// The model file: a safetensors file (any safetensors reader opens it) with
// one tensor per network parameter, named by the parameter, in the model's
// dtype, then the extra tensors of SaveWith (float64), and the model in the
// metadata:
//
//	format           "seqcast.model"
//	format_version   ModelFormatVersion
//	layers           the network's graph.LayerConfig, JSON
//	input_shape      the shape of one input sample, JSON ([steps, features])
//	dtype, seed, label
//	extra_tensors    the names of the extra tensors, JSON (only if any)
//	data_sha256      the SHA-256 of the data of every tensor, in file order, hex
//	metadata_sha256  the SHA-256 of every other metadata entry, hex: for
//	                 each key in byte order, the key's length (uint64, little
//	                 endian), the key, the value's length, the value
//
// ReadModelFile checks all of it; LoadModel then checks every parameter
// tensor against the parameters the configs build before it returns a
// model.
const (
	modelFormat = "seqcast.model"
	// ModelFormatVersion is the version of the model files Model.Save
	// writes; LoadModel reads it and older ones. Versions 1 and 2 are the
	// root package's earlier binary format (seqcast.Load reads those).
	ModelFormatVersion = 3
)

// Errors of ReadModelFile and LoadModel about the file's content: each
// wraps ErrModelFile.
var (
	ErrModelFile = errors.New("train: bad model file")
	// ErrNotModel: not a safetensors file, or one of another kind.
	ErrNotModel = fmt.Errorf("%w: not a seqcast model file", ErrModelFile)
	// ErrModelTruncated: the data ends before the header or a tensor does.
	ErrModelTruncated = fmt.Errorf("%w: truncated", ErrModelFile)
	// ErrModelChecksum: data_sha256 or metadata_sha256 does not match.
	ErrModelChecksum = fmt.Errorf("%w: checksum mismatch (the file is corrupt)", ErrModelFile)
	// ErrModelVersion: the file's format_version is newer than this
	// package reads.
	ErrModelVersion = fmt.Errorf("%w: written by a newer seqcast (format version too new)", ErrModelFile)
)

func badModel(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrModelFile}, args...)...)
}

func badKind(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}

// A Tensor is a named array that a model file stores beside the weights,
// as float64 (SaveWith), such as a training checkpoint's.
type Tensor struct {
	Name   string
	Shape  []int
	Values []float64
}

// Save writes m to w as a model file: the network's layer configs, the
// input shape it was built for, and its weights. m must have been built
// (Build, Fit or Predict), and every layer must be graph.Configurable. Save
// waits for the model's running predictions to finish (it may be called
// from Fit's hooks, between epochs).
// Extra metadata (string keys and values) is stored beside the model's own
// and returned by LoadModel; its keys must not be the model's.
func (m *Model) Save(w io.Writer, extra map[string]string) error {
	return m.SaveWith(w, extra, nil)
}

// SaveWith is Save with tensors of the caller's stored after the weights,
// as float64, and covered by data_sha256 as they are; the metadata entry
// extra_tensors lists their names, which must differ from the parameters'.
// ReadModelFile returns them in ModelFile.Extra.
func (m *Model) SaveWith(w io.Writer, metadata map[string]string, tensors []Tensor) error {
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
	for k, v := range metadata {
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
	if len(tensors) > 0 {
		names := make([]string, len(tensors))
		for i, t := range tensors {
			if n, ok := elements(t.Shape); !ok || n != len(t.Values) {
				return fmt.Errorf("train: save: tensor %s of shape %v holds %d values", t.Name, t.Shape, len(t.Values))
			}
			st := safetensors.Float64s(t.Name, t.Shape, t.Values)
			h.Write(st.Data)
			f.Tensors = append(f.Tensors, st)
			names[i] = t.Name
		}
		js, _ := json.Marshal(names)
		own["extra_tensors"] = string(js)
	}
	own["data_sha256"] = hex.EncodeToString(h.Sum(nil))
	for k, v := range own {
		if _, dup := f.Metadata[k]; dup {
			return fmt.Errorf("train: save: extra metadata key %q is the model's own", k)
		}
		f.Metadata[k] = v
	}
	for _, k := range []string{"extra_tensors", "metadata_sha256"} { // the model's own, even when unset
		if _, dup := metadata[k]; dup {
			return fmt.Errorf("train: save: extra metadata key %q is the model's own", k)
		}
	}
	f.Metadata["metadata_sha256"] = metadataSum(f.Metadata)
	if err := safetensors.Encode(w, f); err != nil {
		return fmt.Errorf("train: save: %w", err)
	}
	return nil
}

// metadataSum returns the hex SHA-256 of md's entries but metadata_sha256,
// as the format says.
func metadataSum(md map[string]string) string {
	keys := make([]string, 0, len(md))
	for k := range md {
		if k != "metadata_sha256" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	h := sha256.New()
	var n [8]byte
	for _, k := range keys {
		for _, s := range []string{k, md[k]} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// elements returns the product of shape, or false if a dimension is
// negative or the product exceeds maxValues.
func elements(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > maxValues/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// maxValues bounds the values of one tensor.
const maxValues = 1 << 40

func (m *Model) dtype() tensor.Dtype {
	if m.Dtype == tensor.Float64 {
		return tensor.Float64
	}
	return tensor.Float32
}

// maxInput bounds the values of one input sample a model file may ask for.
const maxInput = 1 << 24

// A ModelFile is a model file read and checked, before any network is
// built (ReadModelFile): what it says of the model, and the tensors that
// are not parameters.
type ModelFile struct {
	// Metadata holds every entry, the model's own included.
	Metadata   map[string]string
	Layers     graph.LayerConfig
	InputShape []int
	Dtype      tensor.Dtype
	Seed       uint64
	Label      string
	// Extra holds the tensors that extra_tensors names (SaveWith), in file
	// order, as float64.
	Extra []Tensor

	params []safetensors.Tensor
	stored int
}

// ReadModelFile parses a model file held in data and checks its format,
// version, checksums and metadata; it builds nothing. Its errors wrap
// ErrModelFile (ErrNotModel, ErrModelTruncated, ErrModelChecksum or
// ErrModelVersion where one fits) and name the entry or tensor at fault.
func ReadModelFile(data []byte) (*ModelFile, error) {
	sf, err := safetensors.Decode(data)
	if err != nil {
		switch {
		case errors.Is(err, safetensors.ErrTruncated):
			return nil, fmt.Errorf("%w: %w", ErrModelTruncated, err)
		case len(data) < 9 || data[8] != '{' || binary.LittleEndian.Uint64(data) > safetensors.MaxHeader:
			return nil, fmt.Errorf("%w: %w", ErrNotModel, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrModelFile, err)
	}
	md := sf.Metadata
	if md["format"] != modelFormat {
		return nil, badKind(ErrNotModel, "a safetensors file of metadata format %q, want %q", md["format"], modelFormat)
	}
	v, err := strconv.Atoi(md["format_version"])
	if err != nil || v < 3 {
		return nil, badModel("format_version %q", md["format_version"])
	}
	if v > ModelFormatVersion {
		return nil, badKind(ErrModelVersion, "format version %d is newer than this seqcast's %d", v, ModelFormatVersion)
	}
	h := sha256.New()
	for _, t := range sf.Tensors {
		h.Write(t.Data)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != md["data_sha256"] {
		return nil, badKind(ErrModelChecksum, "data_sha256 %q, the data hashes to %s", md["data_sha256"], sum)
	}
	if want, ok := md["metadata_sha256"]; ok {
		if sum := metadataSum(md); sum != want {
			return nil, badKind(ErrModelChecksum, "metadata_sha256 %q, the metadata hashes to %s", want, sum)
		}
	}
	f := &ModelFile{Metadata: md, Label: md["label"]}
	switch md["dtype"] {
	case "float32":
		f.Dtype = tensor.Float32
	case "float64":
		f.Dtype = tensor.Float64
	default:
		return nil, badModel("dtype %q, want float32 or float64", md["dtype"])
	}
	if f.Seed, err = strconv.ParseUint(md["seed"], 10, 64); err != nil {
		return nil, badModel("seed %q", md["seed"])
	}
	in := f.InputShape
	if err := json.Unmarshal([]byte(md["input_shape"]), &in); err != nil || len(in) != 2 {
		return nil, badModel("input_shape %q, want [steps, features]", md["input_shape"])
	}
	if in[0] < 1 || in[1] < 1 || in[0] > maxInput/in[1] {
		return nil, badModel("input_shape %v: want positive sizes of at most %d values", in, maxInput)
	}
	f.InputShape = in
	if err := json.Unmarshal([]byte(md["layers"]), &f.Layers); err != nil {
		return nil, badModel("layers: %v", err)
	}
	extra := map[string]bool{}
	if js, ok := md["extra_tensors"]; ok {
		var names []string
		if err := json.Unmarshal([]byte(js), &names); err != nil {
			return nil, badModel("extra_tensors: %v", err)
		}
		for _, n := range names {
			if extra[n] {
				return nil, badModel("extra_tensors names %s twice", n)
			}
			if _, ok := sf.Tensor(n); !ok {
				return nil, badModel("extra_tensors names %s, which the file lacks", n)
			}
			extra[n] = true
		}
	}
	for _, t := range sf.Tensors {
		if !extra[t.Name] {
			f.params = append(f.params, t)
			f.stored += t.Len()
			continue
		}
		vals, err := t.Values()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrModelFile, err)
		}
		f.Extra = append(f.Extra, Tensor{Name: t.Name, Shape: slices.Clone(t.Shape), Values: vals})
	}
	return f, nil
}

// NumParams returns the number of values the file's parameter tensors
// hold.
func (f *ModelFile) NumParams() int { return f.stored }

// Tensor returns the extra tensor called name and whether there is one.
func (f *ModelFile) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Extra {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Network builds the layers of the file's configs with reg (which must
// know every layer type in the file; see graph.Registry). Their parameters
// are not created yet. Errors name the layer; an unknown layer type wraps
// graph.ErrUnknownLayer.
func (f *ModelFile) Network(reg *graph.Registry) (graph.Layer, error) {
	if reg == nil {
		return nil, errors.New("train: load: no layer registry (pass seqcast.Layers() or a graph.Registry)")
	}
	net, err := reg.Build(f.Layers)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModelFile, err)
	}
	return net, nil
}

// Model returns a Model of net, built for the file's input shape, with the
// file's weights: every parameter of net must have a tensor of its name,
// of the file's dtype and of its shape, and every parameter tensor must be
// net's. net's parameters may not outnumber the file's weights by much, so
// that a small file cannot make it build a huge network.
func (f *ModelFile) Model(net graph.Layer) (*Model, error) {
	m := &Model{Net: net, Dtype: f.Dtype, Seed: f.Seed, Label: f.Label}
	// No network may be much larger than the file's weights, so a file
	// cannot ask for more memory than it holds; the slack lets a file that
	// lacks a tensor or two say so by name.
	m.maxParams = 2*f.stored + 1<<16
	if _, err := m.Build(f.InputShape); err != nil {
		return nil, fmt.Errorf("%w: building the network for input %v: %w", ErrModelFile, f.InputShape, err)
	}
	want := map[tensor.Dtype]safetensors.DType{tensor.Float32: safetensors.F32, tensor.Float64: safetensors.F64}[f.Dtype]
	params := m.Net.Params()
	byName := map[string]safetensors.Tensor{}
	for _, t := range f.params {
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
			return nil, badModel("tensor %s has dtype %s, the model's dtype is %s", t.Name, t.DType, f.Dtype)
		}
		if !slices.Equal(t.Shape, p.Shape()) {
			return nil, fmt.Errorf("%w: %w", ErrModelFile, &graph.ShapeError{What: "tensor " + t.Name + " (a parameter of the layers)", Got: t.Shape, Want: p.Shape()})
		}
	}
	if len(missing) > 0 {
		return nil, badModel("no tensor for parameters %v", missing)
	}
	if len(byName) > 0 {
		extra := make([]string, 0, len(byName))
		for n := range byName {
			extra = append(extra, n)
		}
		slices.Sort(extra)
		return nil, badModel("tensors %v match no parameter of the layers", extra)
	}
	m.maxParams = 0
	for _, p := range params {
		i := slices.IndexFunc(f.params, func(t safetensors.Tensor) bool { return t.Name == p.Name() })
		vals, err := f.params[i].Values()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrModelFile, err)
		}
		p.SetFloat64s(vals)
	}
	return m, nil
}

// LoadModel reads a model file written by Model.Save or SaveWith: it
// checks the format, version and checksums (ReadModelFile), builds the
// network from its layer configs with reg (which must know every layer
// type in the file; see graph.Registry), checks each parameter tensor
// against the parameter of that name, dtype and shape, and sets the
// weights. It returns the model and the file's metadata, the model's own
// keys included.
//
// Its errors wrap ErrModelFile and name the tensor or layer at fault; an
// unknown layer type wraps graph.ErrUnknownLayer too.
func LoadModel(data []byte, reg *graph.Registry) (*Model, map[string]string, error) {
	f, err := ReadModelFile(data)
	if err != nil {
		return nil, nil, err
	}
	net, err := f.Network(reg)
	if err != nil {
		return nil, nil, err
	}
	m, err := f.Model(net)
	if err != nil {
		return nil, nil, err
	}
	return m, f.Metadata, nil
}
