package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	in := File{
		Tensors: []Tensor{
			Float32s("lstm.weight_ih_l0", []int{4, 1}, []float32{1, -2, 3.5, 0}),
			Float64s("head.bias", []int{1}, []float64{0.25}),
			Float32s("scalar", nil, []float32{7}),
			Float64s("empty", []int{0, 3}, nil),
		},
		Metadata: map[string]string{"format": "seqcast", "version": "2"},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, in); err != nil {
		t.Fatal(err)
	}
	hl := binary.LittleEndian.Uint64(buf.Bytes())
	if hl%8 != 0 {
		t.Errorf("header length %d, want a multiple of 8", hl)
	}
	out, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tensors) != len(in.Tensors) {
		t.Fatalf("got %d tensors, want %d", len(out.Tensors), len(in.Tensors))
	}
	for i, w := range in.Tensors {
		g := out.Tensors[i]
		if g.Name != w.Name || g.DType != w.DType || !slices.Equal(g.Shape, w.Shape) && len(w.Shape) > 0 || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("tensor %d = %+v, want %+v", i, g, w)
		}
	}
	if out.Metadata["version"] != "2" || out.Metadata["format"] != "seqcast" {
		t.Errorf("metadata = %v", out.Metadata)
	}
	v, err := out.Tensors[0].Values()
	if err != nil || !slices.Equal(v, []float64{1, -2, 3.5, 0}) {
		t.Errorf("Values = %v, %v", v, err)
	}
	if tt, ok := out.Tensor("head.bias"); !ok || tt.Len() != 1 {
		t.Errorf("Tensor(head.bias) = %v, %v", tt, ok)
	}
	// Same content, same bytes.
	var again bytes.Buffer
	if err := Encode(&again, *out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Error("re-encoding changed the bytes")
	}
}

// A file as PyTorch's safetensors writer lays it out: tensors sorted by
// dtype width then name, header padded with spaces. Written by hand from the
// format's specification.
func TestDecodeForeign(t *testing.T) {
	t.Parallel()
	head := `{"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"__metadata__":{"format":"pt"}}`
	for len(head)%8 != 0 {
		head += " "
	}
	var file []byte
	file = binary.LittleEndian.AppendUint64(file, uint64(len(head)))
	file = append(file, head...)
	file = binary.LittleEndian.AppendUint64(file, 0x3ff0000000000000) // 1.0
	file = binary.LittleEndian.AppendUint32(file, 0x40000000)         // 2.0
	file = binary.LittleEndian.AppendUint32(file, 0xbf800000)         // -1.0
	f, err := Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors[0].Name != "a" || f.Tensors[1].Name != "b" {
		t.Fatalf("order %q, %q; want data order a, b", f.Tensors[0].Name, f.Tensors[1].Name)
	}
	a, _ := f.Tensors[0].Values()
	b, _ := f.Tensors[1].Values()
	if !slices.Equal(a, []float64{1}) || !slices.Equal(b, []float64{2, -1}) {
		t.Errorf("a = %v, b = %v", a, b)
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	file := func(head string, data int) []byte {
		var b []byte
		b = binary.LittleEndian.AppendUint64(b, uint64(len(head)))
		b = append(b, head...)
		return append(b, make([]byte, data)...)
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"short", []byte{1, 2}, "shorter than"},
		{"huge header", binary.LittleEndian.AppendUint64(nil, 1<<40), "exceeds the limit"},
		{"header past end", binary.LittleEndian.AppendUint64(nil, 100), "exceeds the 0 bytes"},
		{"not an object", file(`[1]`, 0), "start with"},
		{"bad json", file(`{"a":`, 0), "header"},
		{"trailing", file(`{} x`, 0), "after the JSON"},
		{"dtype", file(`{"w":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}`, 4), `"w": unknown dtype`},
		{"size", file(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), `"w": shape [2] of F32 needs 8`},
		{"outside", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 2), `"w": data_offsets`},
		{"negative", file(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, 0), "bad shape"},
		{"gap", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), `"w" starts at data byte 4`},
		{"overlap", file(`{"v":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), "contiguous"},
		{"tail", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "end at data byte 4 of 8"},
		{"metadata", file(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
		{"unknown field", file(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, 4), `"w"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode = %v; want an ErrFormat containing %q", err, tt.want)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ts   []Tensor
		want string
	}{
		{"no name", []Tensor{Float32s("", []int{1}, []float32{1})}, "no name"},
		{"metadata name", []Tensor{Float32s("__metadata__", []int{1}, []float32{1})}, "not a tensor name"},
		{"repeat", []Tensor{Float32s("a", []int{1}, []float32{1}), Float32s("a", []int{1}, []float32{1})}, "repeats"},
		{"dtype", []Tensor{{Name: "a", DType: "X", Shape: []int{1}, Data: []byte{0}}}, "unknown dtype"},
		{"size", []Tensor{Float32s("a", []int{3}, []float32{1})}, "needs 12 bytes, has 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Encode(&bytes.Buffer{}, File{Tensors: tt.ts})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Encode = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestValuesDType(t *testing.T) {
	t.Parallel()
	_, err := Tensor{Name: "idx", DType: "I64", Shape: []int{1}, Data: make([]byte, 8)}.Values()
	if err == nil || !strings.Contains(err.Error(), `"idx" has dtype I64`) {
		t.Errorf("Values = %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	var buf bytes.Buffer
	if err := Encode(&buf, File{Tensors: []Tensor{Float32s("a", []int{2}, []float32{1, 2}), Float64s("b", nil, []float64{3})}, Metadata: map[string]string{"k": "v"}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Encode(&out, *file); err != nil {
			t.Fatalf("a decoded file does not encode: %v", err)
		}
		again, err := Decode(out.Bytes())
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("%d tensors after a round trip, want %d", len(again.Tensors), len(file.Tensors))
		}
	})
}
