package seqcast

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/train"
)

// The writer of the older format (versions 1 and 2), which seqcast no
// longer writes, for tests of its reader. testdata/modelfiles/v1 and v2
// hold files that the seqcast of those versions wrote.

// legacyBytes returns f in the older format of the version given, its
// checkpoint included (version 2).
func legacyBytes(t testing.TB, f *Forecaster, version uint32) []byte {
	t.Helper()
	params := f.model.Net.Params()
	h := header{Spec: f.Spec, Scaler: f.Scaler, Meta: f.Meta}
	var floats []float64
	for _, p := range params {
		h.Params = append(h.Params, paramInfo{Name: p.Name(), Shape: p.Shape()})
		floats = append(floats, p.Float64s()...)
	}
	if c := f.Checkpoint; c != nil {
		info, data, err := encodeLegacyCheckpoint(c, params)
		if err != nil {
			t.Fatal(err)
		}
		h.Checkpoint = info
		floats = append(floats, data...)
	}
	var b bytes.Buffer
	if err := writeFile(&b, version, h, floats); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
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

// encodeLegacyCheckpoint flattens c: the parameters, each optimiser slot (sorted
// by name) for every parameter, the best weights if any, the best loss, and
// the history, epochFields floats per epoch.
func encodeLegacyCheckpoint(c *train.Checkpoint, params []*graph.Param) (*ckptInfo, []float64, error) {
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
