package seqcast

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The older model file format, versions 1 and 2, which Decode still reads
// (Save writes the safetensors format of file.go). All integers and floats
// are little endian.
//
//	magic    8 bytes  "SEQCAST\n"
//	version  uint32   1 or 2
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON: spec, scaler, metadata, the name and shape
//	         of each parameter and, for a checkpoint, its sizes
//	weights  float64s: each parameter in header order, then the checkpoint's
//	         arrays: its parameters, each optimiser slot (sorted by name) for
//	         every parameter, the best weights if any, the best loss, and the
//	         history, epochFields floats per epoch
//	sum      32 bytes, the SHA-256 of everything before it
//
// Version 1 lacks the checkpoint's settings and the metadata's data_sha256.
const (
	magic = "SEQCAST\n"
	// legacyVersion is the newest version of the older format.
	legacyVersion = 2
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

// decodeLegacy parses a model file of the older format (b starts with
// magic, or a part of it).
func decodeLegacy(b []byte) (*Forecaster, error) {
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
	if version > legacyVersion {
		return nil, fmt.Errorf("%w: the file has version %d of the SEQCAST format, which ended at %d", ErrCorrupt, version, legacyVersion)
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
	spec, err := checkFileSpec(h.Spec, h.Scaler, nparams)
	if err != nil {
		return nil, err
	}
	nf := len(spec.Features)
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
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, &graph.ShapeError{What: fmt.Sprintf("model file: %s network with %d parameters; the file has %d", spec.Family, len(params), len(h.Params)), Got: []int{len(h.Params)}, Want: []int{len(params)}})
	}
	for i, p := range params {
		if !slices.Equal(p.Shape(), h.Params[i].Shape) || p.Name() != h.Params[i].Name {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, &graph.ShapeError{What: fmt.Sprintf("model file parameter %d %q (network's %q)", i, h.Params[i].Name, p.Name()), Got: h.Params[i].Shape, Want: p.Shape()})
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
