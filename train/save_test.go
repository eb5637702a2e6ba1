package train_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/train"
)

// TestSaveWithExtraTensors: the caller's tensors come back from
// ReadModelFile, and LoadModel still loads the network beside them.
func TestSaveWithExtraTensors(t *testing.T) {
	t.Parallel()
	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(2)))
	if _, err := m.Build([]int{3, 1}); err != nil {
		t.Fatal(err)
	}
	extra := []train.Tensor{
		{Name: "state/a", Shape: []int{2, 2}, Values: []float64{1, 2, 3, 4}},
		{Name: "state/b", Shape: []int{0, 6}},
	}
	var b bytes.Buffer
	if err := m.SaveWith(&b, map[string]string{"note": "x"}, extra); err != nil {
		t.Fatal(err)
	}
	f, err := train.ReadModelFile(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := f.Tensor("state/a"); !ok || !slices.Equal(a.Values, extra[0].Values) || !slices.Equal(a.Shape, []int{2, 2}) {
		t.Errorf("state/a = %+v, %v", a, ok)
	}
	if len(f.Extra) != 2 || f.NumParams() != 3*2+2 || f.Metadata["note"] != "x" {
		t.Errorf("extra %v, %d parameters, metadata %v", f.Extra, f.NumParams(), f.Metadata)
	}
	got, _, err := train.LoadModel(b.Bytes(), graph.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range got.Net.Params() {
		if !slices.Equal(p.Float64s(), m.Net.Params()[i].Float64s()) {
			t.Errorf("parameter %s differs after load", p.Name())
		}
	}
	for _, c := range []struct {
		name  string
		extra []train.Tensor
		md    map[string]string
		want  string
	}{
		{"a parameter's name", []train.Tensor{{Name: "dense/b", Shape: []int{2}, Values: []float64{1, 2}}}, nil, `tensor name "dense/b" repeats`},
		{"values and shape", []train.Tensor{{Name: "s", Shape: []int{3}, Values: []float64{1, 2}}}, nil, "tensor s of shape [3] holds 2 values"},
		{"own key", nil, map[string]string{"metadata_sha256": "x"}, `key "metadata_sha256" is the model's own`},
		{"own key", nil, map[string]string{"extra_tensors": "x"}, `key "extra_tensors" is the model's own`},
	} {
		err := m.SaveWith(&bytes.Buffer{}, c.md, c.extra)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: SaveWith = %v; want %q", c.name, err, c.want)
		}
	}
}

// TestReadModelFileKinds: the error kinds of ReadModelFile.
func TestReadModelFileKinds(t *testing.T) {
	t.Parallel()
	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(2)))
	if _, err := m.Build([]int{3, 1}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Save(&b, nil); err != nil {
		t.Fatal(err)
	}
	good := b.Bytes()
	flipped := slices.Clone(good)
	flipped[len(flipped)-1] ^= 1
	meta := slices.Clone(good)
	i := bytes.Index(meta, []byte(`"seed":"0"`))
	if i < 0 {
		t.Fatal("no seed in the metadata")
	}
	meta[i+len(`"seed":"`)] = '1'
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"CSV", []byte("a,b\n1,2\n3,4\n"), train.ErrNotModel},
		{"truncated", good[:len(good)-3], train.ErrModelTruncated},
		{"flipped data", flipped, train.ErrModelChecksum},
		{"another seed", meta, train.ErrModelChecksum},
	} {
		_, err := train.ReadModelFile(c.b)
		if !errors.Is(err, c.want) || !errors.Is(err, train.ErrModelFile) {
			t.Errorf("%s: %v; want %v", c.name, err, c.want)
		}
	}
}
