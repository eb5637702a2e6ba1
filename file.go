package seqcast

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The model file is a train.Model file (see package train): a safetensors
// file, which any safetensors reader opens, whose tensors are the weights,
// named by parameter, in the model's dtype, and whose __metadata__ holds
// the model's layer configs, input shape, dtype, seed, format
// ("seqcast.model"), format_version (FormatVersion), data_sha256 (of all
// tensor data) and metadata_sha256 (of every other metadata entry), and
// what a Forecaster adds, as JSON:
//
//	spec        the Spec
//	scaler      the Scaler
//	meta        the Metadata
//	checkpoint  for an unfinished run: the checkpoint's epoch, optimiser
//	            step count and slot names, early-stopping state, best loss,
//	            the history's columns and the run's settings
//	panel       in a panel model file only (see PanelForecaster.Save)
//
// A checkpoint's arrays are float64 tensors beside the weights, which
// extra_tensors lists:
//
//	checkpoint/params/P          the weights of parameter P after the epoch
//	checkpoint/optimizer.S/P     optimiser slot S (Adam's m and v) of P
//	checkpoint/best/P            the best epoch's weights of P (if any)
//	checkpoint/history           [epochs, 6]: the history_columns of each epoch
//
// Decode checks the format, version and both checksums, then the spec and
// scaler (bounded, and the spec's least parameter count against the
// weights stored), then that the layers are the spec's network, all before
// it builds anything. Files of the older binary format (versions 1 and 2,
// magic "SEQCAST\n", see file_v2.go) are read too.
const (
	// FormatVersion is the version of the model files Save writes, their
	// format_version. Load reads it and the older versions 1 and 2.
	FormatVersion = train.ModelFormatVersion
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

// The metadata keys a Forecaster adds to its model's.
const (
	keySpec       = "spec"
	keyScaler     = "scaler"
	keyMeta       = "meta"
	keyCheckpoint = "checkpoint"
	keyPanel      = "panel"
)

// Names of the checkpoint's tensors.
const (
	ckptPrefix  = "checkpoint/"
	ckptParams  = ckptPrefix + "params/"
	ckptBest    = ckptPrefix + "best/"
	ckptHistory = ckptPrefix + "history"
)

func ckptSlot(slot string) string { return ckptPrefix + "optimizer." + slot + "/" }

// historyColumns are the columns of checkpoint/history, the fields of
// train.Epoch.
var historyColumns = []string{"epoch", "loss", "val_loss", "val_last", "seconds", "train_seconds"}

// ckptMeta is the checkpoint metadata entry: the checkpoint's scalars and
// the sizes of its tensors.
type ckptMeta struct {
	Epoch     int      `json:"epoch"`
	OptSteps  int      `json:"optimizer_steps"`
	Slots     []string `json:"optimizer_slots"` // sorted
	BestEpoch int      `json:"best_epoch"`
	Stopped   bool     `json:"stopped"`
	Wait      int      `json:"wait"`
	HasBest   bool     `json:"has_best"`
	// BestLoss is strconv's text of the float ("+Inf" before any), which
	// JSON numbers cannot always hold.
	BestLoss string            `json:"best_loss"`
	Epochs   int               `json:"history_epochs"`
	Columns  []string          `json:"history_columns"`
	Settings map[string]string `json:"settings,omitempty"`
}

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
func (f *Forecaster) Write(w io.Writer) error { return f.write(w, nil) }

// write writes f with the metadata entries more added.
func (f *Forecaster) write(w io.Writer, more map[string]string) error {
	if f == nil || f.model == nil {
		return errors.New("seqcast: save: forecaster not trained or loaded")
	}
	md := map[string]string{}
	for k, v := range more {
		md[k] = v
	}
	for k, v := range map[string]any{keySpec: f.Spec, keyScaler: f.Scaler, keyMeta: f.Meta} {
		js, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("seqcast: save: %s: %w", k, err)
		}
		md[k] = string(js)
	}
	var tensors []train.Tensor
	if c := f.Checkpoint; c != nil {
		info, ts, err := encodeCheckpoint(c, f.model.Net.Params())
		if err != nil {
			return err
		}
		js, err := json.Marshal(info)
		if err != nil {
			return fmt.Errorf("seqcast: save: checkpoint: %w", err)
		}
		md[keyCheckpoint], tensors = string(js), ts
	}
	if err := f.model.SaveWith(w, md, tensors); err != nil {
		return &wrapped{"seqcast: save: " + strings.TrimPrefix(err.Error(), "train: save: "), err}
	}
	return nil
}

// encodeCheckpoint returns c's metadata entry and its tensors (see the
// format).
func encodeCheckpoint(c *train.Checkpoint, params []*graph.Param) (*ckptMeta, []train.Tensor, error) {
	info := &ckptMeta{
		Epoch: c.Epoch, OptSteps: c.Optimizer.Steps, BestEpoch: c.History.BestEpoch,
		Stopped: c.History.Stopped, Wait: c.Wait, HasBest: c.Best != nil, Epochs: len(c.History.Epochs),
		BestLoss: strconv.FormatFloat(c.BestLoss, 'g', -1, 64), Columns: historyColumns, Settings: c.Settings,
	}
	if len(c.Params) != len(params) {
		return nil, nil, fmt.Errorf("seqcast: save: checkpoint has %d parameters, the network %d", len(c.Params), len(params))
	}
	var ts []train.Tensor
	add := func(name string, p *graph.Param, v []float64) error {
		if len(v) != p.Size() {
			return fmt.Errorf("seqcast: save: checkpoint tensor %s holds %d values, want %d", name, len(v), p.Size())
		}
		ts = append(ts, train.Tensor{Name: name, Shape: p.Shape(), Values: v})
		return nil
	}
	for i, p := range params {
		if err := add(ckptParams+p.Name(), p, c.Params[i]); err != nil {
			return nil, nil, err
		}
	}
	for name := range c.Optimizer.Slots {
		if name == "" || strings.Contains(name, "/") {
			return nil, nil, fmt.Errorf("seqcast: save: optimiser slot name %q", name)
		}
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
		for i, p := range params {
			if err := add(ckptSlot(name)+p.Name(), p, slot[i]); err != nil {
				return nil, nil, err
			}
		}
	}
	if c.Best != nil {
		if len(c.Best) != graph.CountParams(params) {
			return nil, nil, fmt.Errorf("seqcast: save: best weights hold %d values, want %d", len(c.Best), graph.CountParams(params))
		}
		rest := c.Best
		for _, p := range params {
			ts = append(ts, train.Tensor{Name: ckptBest + p.Name(), Shape: p.Shape(), Values: rest[:p.Size()]})
			rest = rest[p.Size():]
		}
	}
	if n := len(c.History.Epochs); n > 0 {
		h := make([]float64, 0, n*len(historyColumns))
		for _, e := range c.History.Epochs {
			h = append(h, float64(e.Epoch), e.Loss, e.ValLoss, e.ValLast, e.Seconds, e.TrainSecs)
		}
		ts = append(ts, train.Tensor{Name: ckptHistory, Shape: []int{n, len(historyColumns)}, Values: h})
	}
	return info, ts, nil
}

// Load reads the model file at path, verifying its checksums, and rebuilds
// the Forecaster. Errors wrap ErrModelFile (ErrBadMagic, ErrNewerVersion,
// ErrTruncated, ErrChecksum or ErrCorrupt) and name the entry, layer or
// tensor at fault; weights that do not fit the architecture give a
// *graph.ShapeError too.
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

// Decode parses a model file held in b, of this format or the older one.
// See Load.
func Decode(b []byte) (f *Forecaster, err error) {
	defer func() { // Decode must never panic, whatever b holds
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	if isLegacy(b) {
		return decodeLegacy(b)
	}
	f, md, err := decodeFile(b)
	if err != nil {
		return nil, err
	}
	if _, ok := md[keyPanel]; ok {
		return nil, fmt.Errorf("%w: a panel model file, not a single-series one (see LoadPanel)", ErrModelFile)
	}
	return f, nil
}

// textStart returns the first line of b, cut to 40 bytes, if b's first 8
// bytes are printable text. A model file starts with its header's length
// as 8 little-endian bytes, whose top bytes are zero.
func textStart(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	for _, c := range b[:8] {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return "", false
		}
	}
	line, _, _ := strings.Cut(string(b[:min(len(b), 40)]), "\n")
	return strings.TrimRight(line, "\r"), true
}

// isLegacy reports whether b starts as a file of the older format does
// (an empty b, too, which that reader calls truncated).
func isLegacy(b []byte) bool {
	n := min(len(b), len(magic))
	return string(b[:n]) == magic[:n]
}

// fileError is an error of train.ReadModelFile or train.ModelFile's
// methods as one of this package's: it wraps kind and err, and reads as
// kind's text followed by err's details.
type fileError struct {
	kind, err error
	msg       string
}

func (e *fileError) Error() string   { return e.msg }
func (e *fileError) Unwrap() []error { return []error{e.kind, e.err} }

func modelFileError(err error) error {
	kind, theirs := ErrCorrupt, train.ErrModelFile
	for _, k := range []struct{ ours, theirs error }{
		{ErrBadMagic, train.ErrNotModel}, {ErrTruncated, train.ErrModelTruncated},
		{ErrChecksum, train.ErrModelChecksum}, {ErrNewerVersion, train.ErrModelVersion},
	} {
		if errors.Is(err, k.theirs) {
			kind, theirs = k.ours, k.theirs
			break
		}
	}
	detail, ok := strings.CutPrefix(err.Error(), theirs.Error())
	if !ok {
		detail = ": " + strings.TrimPrefix(err.Error(), "train: ")
	}
	return &fileError{kind: kind, err: err, msg: kind.Error() + detail}
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// decodeFile parses a model file of this format, single-series or panel,
// and returns the Forecaster and the file's metadata.
func decodeFile(b []byte) (*Forecaster, map[string]string, error) {
	if t, ok := textStart(b); ok {
		return nil, nil, fmt.Errorf("%w: the file is text, starting %q (a CSV?); a model file is what Save (seqcast train --out) writes", ErrBadMagic, t)
	}
	mf, err := train.ReadModelFile(b)
	if err != nil {
		return nil, nil, modelFileError(err)
	}
	md := mf.Metadata
	if md["metadata_sha256"] == "" {
		return nil, nil, corrupt("no metadata_sha256")
	}
	if _, ok := md[keySpec]; !ok {
		return nil, nil, fmt.Errorf("%w: a model file of a network without a forecaster's spec (train.LoadModel reads it)", ErrModelFile)
	}
	var (
		spec   Spec
		scaler series.Scaler
		meta   Metadata
	)
	for _, e := range []struct {
		key string
		v   any
	}{{keySpec, &spec}, {keyScaler, &scaler}, {keyMeta, &meta}} {
		if err := strictJSON(md[e.key], e.v); err != nil {
			return nil, nil, corrupt("metadata %s: %v", e.key, err)
		}
	}
	spec, err = checkFileSpec(spec, scaler, uint64(mf.NumParams()))
	if err != nil {
		return nil, nil, err
	}
	if mf.Dtype != spec.dtype() {
		return nil, nil, corrupt("dtype %s, the spec's %s", mf.Dtype, spec.Dtype)
	}
	if want := []int{spec.Window, len(spec.Features)}; !slices.Equal(mf.InputShape, want) {
		return nil, nil, corrupt("input_shape %v, the spec's window and features make %v", mf.InputShape, want)
	}
	var ck *ckptMeta
	if js, ok := md[keyCheckpoint]; ok {
		ck = &ckptMeta{}
		if err := strictJSON(js, ck); err != nil {
			return nil, nil, corrupt("metadata checkpoint: %v", err)
		}
		if err := ck.check(); err != nil {
			return nil, nil, err
		}
	} else if len(mf.Extra) > 0 {
		return nil, nil, corrupt("tensor %s belongs to no checkpoint", mf.Extra[0].Name)
	}
	net, err := mf.Network(Layers())
	if err != nil {
		return nil, nil, modelFileError(err)
	}
	if err := sameNetwork(net, spec); err != nil {
		return nil, nil, err
	}
	m, err := mf.Model(net)
	if err != nil {
		return nil, nil, modelFileError(err)
	}
	f := &Forecaster{Spec: spec, Scaler: scaler, Meta: meta, model: m}
	if ck != nil {
		if f.Checkpoint, err = decodeCheckpoint3(ck, m.Net.Params(), mf); err != nil {
			return nil, nil, err
		}
	}
	return f, md, nil
}

// strictJSON decodes js into v, refusing unknown fields and trailing data.
func strictJSON(js string, v any) error {
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// checkFileSpec bounds a model file's spec (Validate) and scaler and
// checks the spec's least parameter count against the nparams weights
// stored, before anything is built, so that a small file cannot ask for a
// huge network. It returns the spec with defaults.
func checkFileSpec(spec Spec, sc series.Scaler, nparams uint64) (Spec, error) {
	if err := spec.Validate(); err != nil {
		return Spec{}, corrupt("the file's spec: %s", strings.TrimPrefix(err.Error(), "seqcast: "))
	}
	spec = spec.withDefaults()
	if lb := spec.minParams(); lb > nparams {
		// Both ErrCorrupt and a *graph.ShapeError: the weights do not fit.
		se := &graph.ShapeError{What: "model file: the parameter count", Got: []int{int(nparams)}, Want: []int{int(min(lb, math.MaxInt32))}}
		return Spec{}, fmt.Errorf("%w: the spec asks for a %s network of window %d, horizon %d, %d features, %d units and %d layers, which has at least %d parameters; the file holds %d: %w",
			ErrCorrupt, spec.Family, spec.Window, spec.Horizon, len(spec.Features), spec.Units, spec.Layers, lb, nparams, se)
	}
	nf := len(spec.Features)
	if len(sc.Mean) != nf || len(sc.Std) != nf {
		return Spec{}, corrupt("scaler for %d/%d features, spec has %d", len(sc.Mean), len(sc.Std), nf)
	}
	for j := range nf {
		if m, s := sc.Mean[j], sc.Std[j]; math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
			return Spec{}, corrupt("scaler mean %v std %v for feature %q", m, s, spec.Features[j])
		}
	}
	return spec, nil
}

// sameNetwork returns an error unless net, built from a file's layer
// configs, is the network of spec: a Forecaster's file may not ask for
// layers its bounded spec does not describe.
func sameNetwork(net graph.Layer, spec Spec) error {
	want, err := Build(spec)
	if err != nil {
		return corrupt("%s", strings.TrimPrefix(err.Error(), "seqcast: "))
	}
	wc, err := graph.ConfigOf(want)
	if err != nil {
		return fmt.Errorf("seqcast: %s network: %w", spec.Family, err) // a programmer error: Build's layers are all Configurable
	}
	gc, err := graph.ConfigOf(net)
	if err != nil {
		return corrupt("layers: %v", err)
	}
	if d := diffLayers(gc, wc, ""); d != "" {
		return corrupt("layers: %s (the file's layers are not its spec's %s network)", d, spec.Family)
	}
	return nil
}

// diffLayers says where got first differs from want, at the path at
// ("sequential layer 1: "), or returns "".
func diffLayers(got, want graph.LayerConfig, at string) string {
	if got.Type != want.Type {
		return fmt.Sprintf("%slayer type %q, want %q", at, got.Type, want.Type)
	}
	if !sameJSON(got.Config, want.Config) {
		return fmt.Sprintf("%s%s: config %s, want %s", at, got.Type, got.Config, want.Config)
	}
	if len(got.Layers) != len(want.Layers) {
		return fmt.Sprintf("%s%s: %d layers, want %d", at, got.Type, len(got.Layers), len(want.Layers))
	}
	for i := range got.Layers {
		if d := diffLayers(got.Layers[i], want.Layers[i], fmt.Sprintf("%s%s layer %d: ", at, got.Type, i)); d != "" {
			return d
		}
	}
	return ""
}

// sameJSON reports whether a and b hold equal JSON values (key order and
// spacing aside); empty is null.
func sameJSON(a, b json.RawMessage) bool {
	canon := func(r json.RawMessage) string {
		var v any
		if len(bytes.TrimSpace(r)) == 0 || json.Unmarshal(r, &v) != nil {
			return string(r)
		}
		out, _ := json.Marshal(v)
		return string(out)
	}
	return canon(a) == canon(b)
}

// check bounds the checkpoint entry before anything is built.
func (c *ckptMeta) check() error {
	if c.Epoch < 1 || c.Epochs < 0 || c.Epochs > 1<<20 || len(c.Slots) > 16 {
		return corrupt("checkpoint after epoch %d, of %d epochs and %d optimiser slots", c.Epoch, c.Epochs, len(c.Slots))
	}
	for i, s := range c.Slots {
		if s == "" || strings.Contains(s, "/") || (i > 0 && c.Slots[i-1] >= s) {
			return corrupt("checkpoint optimiser slots %q: want sorted, distinct names without /", c.Slots)
		}
	}
	if !slices.Equal(c.Columns, historyColumns) {
		return corrupt("checkpoint history_columns %q, want %q", c.Columns, historyColumns)
	}
	if _, err := strconv.ParseFloat(c.BestLoss, 64); err != nil {
		return corrupt("checkpoint best_loss %q", c.BestLoss)
	}
	return nil
}

// decodeCheckpoint3 rebuilds the checkpoint c describes from mf's tensors
// for the network's params; every extra tensor must be one of its own.
func decodeCheckpoint3(c *ckptMeta, params []*graph.Param, mf *train.ModelFile) (*train.Checkpoint, error) {
	used := map[string]bool{}
	take := func(name string, shape []int) ([]float64, error) {
		t, ok := mf.Tensor(name)
		if !ok {
			return nil, corrupt("no tensor %s for the checkpoint", name)
		}
		if !slices.Equal(t.Shape, shape) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, &graph.ShapeError{What: "tensor " + name, Got: t.Shape, Want: shape})
		}
		used[name] = true
		return t.Values, nil
	}
	perParam := func(prefix string) ([][]float64, error) {
		out := make([][]float64, len(params))
		for i, p := range params {
			v, err := take(prefix+p.Name(), p.Shape())
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	best, _ := strconv.ParseFloat(c.BestLoss, 64)
	ck := &train.Checkpoint{Epoch: c.Epoch, Wait: c.Wait, Settings: c.Settings, BestLoss: best}
	var err error
	if ck.Params, err = perParam(ckptParams); err != nil {
		return nil, err
	}
	ck.Optimizer = train.State{Steps: c.OptSteps, Slots: map[string][][]float64{}}
	for _, s := range c.Slots {
		if ck.Optimizer.Slots[s], err = perParam(ckptSlot(s)); err != nil {
			return nil, err
		}
	}
	if c.HasBest {
		parts, err := perParam(ckptBest)
		if err != nil {
			return nil, err
		}
		ck.Best = slices.Concat(parts...)
	}
	ck.History = train.History{BestEpoch: c.BestEpoch, Stopped: c.Stopped}
	if c.Epochs > 0 {
		h, err := take(ckptHistory, []int{c.Epochs, len(historyColumns)})
		if err != nil {
			return nil, err
		}
		for e := range c.Epochs {
			r := h[e*len(historyColumns):]
			ck.History.Epochs = append(ck.History.Epochs, train.Epoch{Epoch: int(r[0]), Loss: r[1], ValLoss: r[2], ValLast: r[3], Seconds: r[4], TrainSecs: r[5]})
		}
	}
	for _, t := range mf.Extra {
		if !used[t.Name] {
			return nil, corrupt("tensor %s is not one of the checkpoint's", t.Name)
		}
	}
	return ck, nil
}
