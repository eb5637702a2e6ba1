package seqcast

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The model file format, version 2 (version 1 lacks the checkpoint's
// settings and the metadata's data_sha256, and is read too). All integers and floats are little
// endian.
//
//	magic    8 bytes  "SEQCAST\n"
//	version  uint32   FormatVersion
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON: spec, scaler, metadata, the name and shape
//	         of each parameter and, for a checkpoint, its sizes
//	weights  float64s: each parameter in header order, then the checkpoint's
//	         arrays (see writeCheckpoint)
//	sum      32 bytes, the SHA-256 of everything before it
const (
	magic = "SEQCAST\n"
	// FormatVersion is the version of the model files Save writes. Load reads
	// this version and older ones.
	FormatVersion = 2
	// maxFileSize bounds what Read accepts (1 GiB).
	maxFileSize = 1 << 30
)

// Errors of Load and Read. Each wraps ErrModelFile.
var (
	ErrModelFile    = errors.New("seqcast: bad model file")
	ErrBadMagic     = fmt.Errorf("%w: not a seqcast model file (bad magic)", ErrModelFile)
	ErrNewerVersion = fmt.Errorf("%w: written by a newer seqcast (format version too new)", ErrModelFile)
	ErrTruncated    = fmt.Errorf("%w: truncated", ErrModelFile)
	ErrChecksum     = fmt.Errorf("%w: checksum mismatch (the file is corrupt)", ErrModelFile)
	ErrCorrupt      = fmt.Errorf("%w: corrupt", ErrModelFile)
)

type header struct {
	Spec       Spec          `json:"spec"`
	Scaler     series.Scaler `json:"scaler"`
	Meta       Metadata      `json:"meta"`
	Params     []paramInfo   `json:"params"`
	Checkpoint *ckptInfo     `json:"checkpoint,omitempty"`
}

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// ckptInfo holds a checkpoint's scalars and the sizes of its arrays.
type ckptInfo struct {
	Epoch     int      `json:"epoch"`
	OptSteps  int      `json:"optimizer_steps"`
	Slots     []string `json:"optimizer_slots"` // sorted; each has one array per parameter
	BestEpoch int      `json:"best_epoch"`
	Stopped   bool     `json:"stopped"`
	Wait      int      `json:"wait"`
	HasBest   bool     `json:"has_best"`
	Epochs    int      `json:"history_epochs"`
	// Settings are train.Checkpoint.Settings (version 2).
	Settings map[string]string `json:"settings,omitempty"`
}

// epochFields is the number of floats per epoch of a saved history.
const epochFields = 6

// Save writes f to path atomically: a reader sees the old file or the new
// one, never a mix.
func (f *Forecaster) Save(path string) error {
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return err
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("seqcast: save: %w", err)
	}
	return nil
}

// Write writes f in the model file format to w.
func (f *Forecaster) Write(w io.Writer) error {
	if f == nil || f.model == nil {
		return errors.New("seqcast: save: forecaster not trained or loaded")
	}
	params := f.model.Net.Params()
	h := header{Spec: f.Spec, Scaler: f.Scaler, Meta: f.Meta}
	var floats []float64
	for _, p := range params {
		h.Params = append(h.Params, paramInfo{Name: p.Name(), Shape: p.Shape()})
		floats = append(floats, p.Float64s()...)
	}
	if c := f.Checkpoint; c != nil {
		info, data, err := encodeCheckpoint(c, params)
		if err != nil {
			return err
		}
		h.Checkpoint = info
		floats = append(floats, data...)
	}
	return writeFile(w, FormatVersion, h, floats)
}

func writeFile(w io.Writer, version uint32, h header, floats []float64) error {
	hj, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("seqcast: save: header: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(magic)
	binary.Write(&b, binary.LittleEndian, version)
	binary.Write(&b, binary.LittleEndian, uint32(len(hj)))
	b.Write(hj)
	buf := make([]byte, 8*len(floats))
	for i, v := range floats {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	b.Write(buf)
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("seqcast: save: %w", err)
	}
	return nil
}

// encodeCheckpoint flattens c: the parameters, each optimiser slot (sorted
// by name) for every parameter, the best weights if any, the best loss, and
// the history, epochFields floats per epoch.
func encodeCheckpoint(c *train.Checkpoint, params []*graph.Param) (*ckptInfo, []float64, error) {
	info := &ckptInfo{
		Epoch: c.Epoch, OptSteps: c.Optimizer.Steps, BestEpoch: c.History.BestEpoch,
		Stopped: c.History.Stopped, Wait: c.Wait, HasBest: c.Best != nil, Epochs: len(c.History.Epochs),
		Settings: c.Settings,
	}
	if len(c.Params) != len(params) {
		return nil, nil, fmt.Errorf("seqcast: save: checkpoint has %d parameters, the network %d", len(c.Params), len(params))
	}
	var out []float64
	for i, p := range c.Params {
		if len(p) != params[i].Size() {
			return nil, nil, fmt.Errorf("seqcast: save: checkpoint parameter %d holds %d values, want %d", i, len(p), params[i].Size())
		}
		out = append(out, p...)
	}
	for name := range c.Optimizer.Slots {
		info.Slots = append(info.Slots, name)
	}
	sort.Strings(info.Slots)
	for _, name := range info.Slots {
		slot := c.Optimizer.Slots[name]
		if slot == nil { // an optimiser that has not stepped yet
			slot = make([][]float64, len(params))
			for i, p := range params {
				slot[i] = make([]float64, p.Size())
			}
		}
		if len(slot) != len(params) {
			return nil, nil, fmt.Errorf("seqcast: save: optimiser slot %s has %d arrays, want %d", name, len(slot), len(params))
		}
		for i, s := range slot {
			if len(s) != params[i].Size() {
				return nil, nil, fmt.Errorf("seqcast: save: optimiser slot %s[%d] holds %d values, want %d", name, i, len(s), params[i].Size())
			}
			out = append(out, s...)
		}
	}
	if c.Best != nil {
		if len(c.Best) != graph.CountParams(params) {
			return nil, nil, fmt.Errorf("seqcast: save: best weights hold %d values, want %d", len(c.Best), graph.CountParams(params))
		}
		out = append(out, c.Best...)
	}
	out = append(out, c.BestLoss)
	for _, e := range c.History.Epochs {
		out = append(out, float64(e.Epoch), e.Loss, e.ValLoss, e.ValLast, e.Seconds, e.TrainSecs)
	}
	return info, out, nil
}

// Load reads the model file at path, verifying its checksum, and rebuilds
// the Forecaster. Errors wrap ErrModelFile (ErrBadMagic, ErrNewerVersion,
// ErrTruncated, ErrChecksum or ErrCorrupt) or, for weights that do not fit
// the architecture, are a *graph.ShapeError.
func Load(path string) (*Forecaster, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seqcast: load: %w", err)
	}
	f, err := Decode(b)
	if err != nil {
		return nil, wrap("load "+path, err)
	}
	return f, nil
}

// Read reads a model file from r (at most 1 GiB). See Load.
func Read(r io.Reader) (*Forecaster, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("seqcast: read model: %w", err)
	}
	if len(b) > maxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorrupt, maxFileSize)
	}
	return Decode(b)
}

// Decode parses a model file held in b. See Load.
func Decode(b []byte) (f *Forecaster, err error) {
	defer func() { // Decode must never panic, whatever b holds
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	const fixed = len(magic) + 8
	n := min(len(b), len(magic))
	if string(b[:n]) != magic[:n] {
		return nil, ErrBadMagic
	}
	if len(b) < fixed {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the file header", ErrTruncated, len(b))
	}
	version := binary.LittleEndian.Uint32(b[len(magic):])
	if version == 0 {
		return nil, fmt.Errorf("%w: format version 0", ErrCorrupt)
	}
	if version > FormatVersion {
		return nil, fmt.Errorf("%w: the file has version %d, this seqcast reads up to %d", ErrNewerVersion, version, FormatVersion)
	}
	hlen := uint64(binary.LittleEndian.Uint32(b[len(magic)+4:]))
	if uint64(len(b)) < uint64(fixed)+hlen+sha256.Size {
		return nil, fmt.Errorf("%w: %d bytes, the header alone needs %d", ErrTruncated, len(b), uint64(fixed)+hlen+sha256.Size)
	}
	var h header
	dec := json.NewDecoder(bytes.NewReader(b[fixed : uint64(fixed)+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		if !checksumOK(b) {
			return nil, ErrChecksum
		}
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	nfloats, nparams, err := h.floats()
	if err != nil {
		if !checksumOK(b) {
			return nil, ErrChecksum
		}
		return nil, err
	}
	want := uint64(fixed) + hlen + 8*nfloats + sha256.Size
	if uint64(len(b)) < want {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrTruncated, len(b), want)
	}
	if !checksumOK(b) {
		return nil, ErrChecksum
	}
	if uint64(len(b)) > want {
		return nil, fmt.Errorf("%w: %d bytes after the checksum's position", ErrCorrupt, uint64(len(b))-want)
	}
	data := b[uint64(fixed)+hlen : want-sha256.Size]
	floats := make([]float64, nfloats)
	for i := range floats {
		floats[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
	}
	return h.forecaster(floats, nparams)
}

func checksumOK(b []byte) bool {
	if len(b) < sha256.Size {
		return false
	}
	sum := sha256.Sum256(b[:len(b)-sha256.Size])
	return bytes.Equal(sum[:], b[len(b)-sha256.Size:])
}

// floats returns the number of float64s the header announces, and how many
// of them are the parameters'.
func (h *header) floats() (total, params uint64, err error) {
	total, err = h.countFloats()
	if err != nil {
		return 0, 0, err
	}
	for _, p := range h.Params {
		size := uint64(1)
		for _, d := range p.Shape {
			size *= uint64(d)
		}
		params += size
	}
	return total, params, nil
}

func (h *header) countFloats() (uint64, error) {
	if len(h.Params) > 10000 {
		return 0, fmt.Errorf("%w: %d parameters", ErrCorrupt, len(h.Params))
	}
	var total, np uint64
	for _, p := range h.Params {
		size := uint64(1)
		for _, d := range p.Shape {
			if d <= 0 || d > maxFileSize {
				return 0, fmt.Errorf("%w: parameter %s has shape %v", ErrCorrupt, p.Name, p.Shape)
			}
			size *= uint64(d)
			if size > maxFileSize {
				return 0, fmt.Errorf("%w: parameter %s has shape %v", ErrCorrupt, p.Name, p.Shape)
			}
		}
		np += size
	}
	total = np
	if c := h.Checkpoint; c != nil {
		if c.Epochs < 0 || c.Epochs > 1<<20 || len(c.Slots) > 16 || c.Epoch < 1 {
			return 0, fmt.Errorf("%w: checkpoint of %d epochs, %d optimiser slots", ErrCorrupt, c.Epochs, len(c.Slots))
		}
		total += np * uint64(1+len(c.Slots))
		if c.HasBest {
			total += np
		}
		total += 1 + uint64(c.Epochs)*epochFields
	}
	if total > maxFileSize/8 {
		return 0, fmt.Errorf("%w: %d weights", ErrCorrupt, total)
	}
	return total, nil
}

// forecaster rebuilds the network and sets its weights. The spec's sizes are
// bounded (Validate) and checked against the nparams weights of the header's
// parameter list before anything is built.
func (h *header) forecaster(floats []float64, nparams uint64) (*Forecaster, error) {
	if err := h.Spec.Validate(); err != nil {
		return nil, fmt.Errorf("%w: the file's spec: %s", ErrCorrupt, strings.TrimPrefix(err.Error(), "seqcast: "))
	}
	spec := h.Spec.withDefaults()
	if lb := spec.minParams(); lb > nparams {
		// Both ErrCorrupt and a *graph.ShapeError: the weights do not fit.
		se := &graph.ShapeError{What: "model file: the parameter count", Got: []int{int(nparams)}, Want: []int{int(min(lb, math.MaxInt32))}}
		return nil, fmt.Errorf("%w: the spec asks for a %s network of window %d, horizon %d, %d features, %d units and %d layers, which has at least %d parameters; the file holds %d: %w",
			ErrCorrupt, spec.Family, spec.Window, spec.Horizon, len(spec.Features), spec.Units, spec.Layers, lb, nparams, se)
	}
	nf := len(spec.Features)
	if len(h.Scaler.Mean) != nf || len(h.Scaler.Std) != nf {
		return nil, fmt.Errorf("%w: scaler for %d/%d features, spec has %d", ErrCorrupt, len(h.Scaler.Mean), len(h.Scaler.Std), nf)
	}
	for j := range nf {
		if m, s := h.Scaler.Mean[j], h.Scaler.Std[j]; math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%w: scaler mean %v std %v for feature %q", ErrCorrupt, m, s, spec.Features[j])
		}
	}
	net, err := Build(spec)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, strings.TrimPrefix(err.Error(), "seqcast: "))
	}
	m := &train.Model{Net: net, Dtype: spec.dtype(), Seed: h.Meta.Seed, Label: spec.Family}
	if _, err := m.Build([]int{spec.Window, nf}); err != nil {
		return nil, fmt.Errorf("%w: build %s: %v", ErrCorrupt, spec.Family, err)
	}
	params := net.Params()
	if len(params) != len(h.Params) {
		return nil, &graph.ShapeError{What: fmt.Sprintf("model file: %s network with %d parameters; the file has %d", spec.Family, len(params), len(h.Params)), Got: []int{len(h.Params)}, Want: []int{len(params)}}
	}
	for i, p := range params {
		if !slices.Equal(p.Shape(), h.Params[i].Shape) || p.Name() != h.Params[i].Name {
			return nil, &graph.ShapeError{What: fmt.Sprintf("model file parameter %d %q (network's %q)", i, h.Params[i].Name, p.Name()), Got: h.Params[i].Shape, Want: p.Shape()}
		}
	}
	rest := floats
	for _, p := range params {
		p.SetFloat64s(rest[:p.Size()])
		rest = rest[p.Size():]
	}
	f := &Forecaster{Spec: spec, Scaler: h.Scaler, Meta: h.Meta, model: m}
	f.Scaler.Mean, f.Scaler.Std = slices.Clone(h.Scaler.Mean), slices.Clone(h.Scaler.Std)
	if c := h.Checkpoint; c != nil {
		f.Checkpoint = decodeCheckpoint(c, params, rest)
	}
	return f, nil
}

func decodeCheckpoint(info *ckptInfo, params []*graph.Param, v []float64) *train.Checkpoint {
	take := func(n int) []float64 {
		out := slices.Clone(v[:n])
		v = v[n:]
		return out
	}
	perParam := func() [][]float64 {
		out := make([][]float64, len(params))
		for i, p := range params {
			out[i] = take(p.Size())
		}
		return out
	}
	c := &train.Checkpoint{Epoch: info.Epoch, Wait: info.Wait, Settings: info.Settings}
	c.Params = perParam()
	c.Optimizer = train.State{Steps: info.OptSteps, Slots: map[string][][]float64{}}
	for _, name := range info.Slots {
		c.Optimizer.Slots[name] = perParam()
	}
	if info.HasBest {
		c.Best = take(graph.CountParams(params))
	}
	c.BestLoss = take(1)[0]
	c.History = train.History{BestEpoch: info.BestEpoch, Stopped: info.Stopped}
	for range info.Epochs {
		e := take(epochFields)
		c.History.Epochs = append(c.History.Epochs, train.Epoch{Epoch: int(e[0]), Loss: e[1], ValLoss: e[2], ValLast: e[3], Seconds: e[4], TrainSecs: e[5]})
	}
	return c
}
