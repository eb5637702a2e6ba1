package seqcast

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/seqcast/seqcast/train"
)

// TestResumeRefusesOtherSettings: a checkpoint resumes only a run with the
// same settings and data; any difference is a *ResumeError naming it.
func TestResumeRefusesOtherSettings(t *testing.T) {
	t.Parallel()
	tab := co2(t)
	spec := Spec{Family: Linear, Window: 12, Horizon: 3, Features: tab.Names, Dropout: 0.1}
	opts := Options{Config: train.Config{Epochs: 3, Seed: 5, BatchSize: 16}}
	var ckpt *Forecaster
	o := opts
	o.OnCheckpoint = func(f *Forecaster) error {
		var err error
		if ckpt, err = decodeAgain(f); err != nil {
			return err
		}
		return train.ErrStop
	}
	if _, _, err := Train(context.Background(), spec, tab.Values, o); err != nil {
		t.Fatal(err)
	}
	if ckpt.Meta.Seed != 5 || ckpt.Meta.Rows[0] == 0 || ckpt.Meta.DataSHA256 == "" || ckpt.Meta.Epochs != 1 {
		t.Errorf("checkpoint metadata %+v; want seed 5, rows, data_sha256 and 1 epoch", ckpt.Meta)
	}
	other := slices.Clone(tab.Values)
	other[10] += 1e-9
	for _, c := range []struct {
		field  string
		spec   func(*Spec)
		opts   func(*Options)
		values []float64
	}{
		{"Options.Seed", nil, func(o *Options) { o.Seed = 6 }, nil},
		{"Options.BatchSize", nil, func(o *Options) { o.BatchSize = 32 }, nil},
		{"Options.LearningRate", nil, func(o *Options) { o.LearningRate = 1e-2 }, nil},
		{"Options.Patience", nil, func(o *Options) { o.Patience = 2 }, nil},
		{"Options.ValidFrac", nil, func(o *Options) { o.ValidFrac = 0.2 }, nil},
		{"Spec.Dropout", func(s *Spec) { s.Dropout = 0.2 }, nil, nil},
		{"Spec.Anchor", func(s *Spec) { s.Anchor = AnchorNone }, nil, nil},
		{"Spec.Units", func(s *Spec) { s.Units = 8 }, nil, nil},
		{"values", nil, nil, other},
		{"", nil, func(o *Options) { o.Epochs = 4 }, nil}, // more epochs: fine
	} {
		s, o, v := spec, opts, tab.Values
		if c.spec != nil {
			c.spec(&s)
		}
		if c.opts != nil {
			c.opts(&o)
		}
		if c.values != nil {
			v = c.values
		}
		o.Resume = ckpt.Checkpoint
		_, _, err := Train(context.Background(), s, v, o)
		var re *ResumeError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("resume with more epochs: %v", err)
		case c.field != "" && (!errors.As(err, &re) || re.Field != c.field):
			t.Errorf("resume with another %s: %v; want a *ResumeError for it", c.field, err)
		}
	}
	old := *ckpt.Checkpoint
	old.Settings = nil // as a version 1 file has it
	o = opts
	o.Resume = &old
	if _, _, err := Train(context.Background(), spec, tab.Values, o); err == nil {
		t.Error("resume from a checkpoint without settings: no error")
	}
}

// decodeAgain returns f after a round trip through the model file format.
func decodeAgain(f *Forecaster) (*Forecaster, error) {
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return Decode(b.Bytes())
}

// TestReadVersion1: a version 1 file (no checkpoint settings, no
// data_sha256) still loads.
func TestReadVersion1(t *testing.T) {
	t.Parallel()
	f, err := Decode(tinyBytes(t))
	if err != nil {
		t.Fatal(err)
	}
	h := header{Spec: f.Spec, Scaler: f.Scaler, Meta: f.Meta}
	var floats []float64
	for _, p := range f.model.Net.Params() {
		h.Params = append(h.Params, paramInfo{Name: p.Name(), Shape: p.Shape()})
		floats = append(floats, p.Float64s()...)
	}
	var b bytes.Buffer
	if err := writeFile(&b, 1, h, floats); err != nil { // as seqcast wrote version 1
		t.Fatal(err)
	}
	if _, err := Decode(b.Bytes()); err != nil {
		t.Errorf("Decode(version 1) = %v", err)
	}
}
