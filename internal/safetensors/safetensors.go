package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
)

// DType is a tensor's element type, spelled as in the format ("F32").
type DType string

// The element types this package converts to and from Go slices. Decode
// accepts every type of the format; Float32s and Float64s convert F32 and
// F64 only.
const (
	F32 DType = "F32"
	F64 DType = "F64"
)

// sizes are the byte widths of the format's element types.
var sizes = map[DType]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// Size returns the width of one element of d in bytes, or 0 if d is not a
// type of the format.
func (d DType) Size() int { return sizes[d] }

// MaxHeader bounds the JSON header Decode reads (100 MB, the reference
// implementation's limit).
const MaxHeader = 100 << 20

// metadataKey is the header entry that holds the string-to-string metadata.
const metadataKey = "__metadata__"

// Tensor is one named tensor: its raw little-endian data, row major.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// Float32s returns a tensor of dtype F32 holding v.
func Float32s(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: F32, Shape: slices.Clone(shape), Data: b}
}

// Float64s returns a tensor of dtype F64 holding v.
func Float64s(name string, shape []int, v []float64) Tensor {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return Tensor{Name: name, DType: F64, Shape: slices.Clone(shape), Data: b}
}

// Values returns t's elements as float64s. It returns an error naming the
// tensor if t's dtype is neither F32 nor F64.
func (t Tensor) Values() ([]float64, error) {
	switch t.DType {
	case F32:
		v := make([]float64, len(t.Data)/4)
		for i := range v {
			v[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:])))
		}
		return v, nil
	case F64:
		v := make([]float64, len(t.Data)/8)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
		}
		return v, nil
	}
	return nil, fmt.Errorf("safetensors: tensor %q has dtype %s, want F32 or F64", t.Name, t.DType)
}

// Len returns the number of elements of t's shape.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is the content of a safetensors file: tensors in file order and the
// string metadata.
type File struct {
	Tensors  []Tensor
	Metadata map[string]string
}

// Tensor returns the tensor called name and whether there is one.
func (f *File) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

type entry struct {
	DType   DType  `json:"dtype"`
	Shape   []int  `json:"shape"`
	Offsets [2]int `json:"data_offsets"`
}

// Encode writes f in the safetensors format: an 8-byte little-endian header
// length, the JSON header (padded with spaces to a multiple of 8 bytes) and
// the tensors' data in the order of f.Tensors. It returns an error if a name
// repeats, is empty or is "__metadata__", a dtype is not the format's, or a
// tensor's data does not match its shape.
func Encode(w io.Writer, f File) error {
	head := make(map[string]any, len(f.Tensors)+1)
	if len(f.Metadata) > 0 {
		head[metadataKey] = f.Metadata
	}
	off := 0
	for _, t := range f.Tensors {
		if err := t.check(); err != nil {
			return err
		}
		if _, dup := head[t.Name]; dup {
			return fmt.Errorf("safetensors: tensor name %q repeats", t.Name)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		head[t.Name] = entry{DType: t.DType, Shape: shape, Offsets: [2]int{off, off + len(t.Data)}}
		off += len(t.Data)
	}
	js, err := json.Marshal(head) // map keys sorted: deterministic
	if err != nil {
		return fmt.Errorf("safetensors: header: %w", err)
	}
	if pad := len(js) % 8; pad != 0 {
		js = append(js, bytes.Repeat([]byte(" "), 8-pad)...)
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, t := range f.Tensors {
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
	}
	return nil
}

func (t Tensor) check() error {
	switch {
	case t.Name == "":
		return errors.New("safetensors: a tensor has no name")
	case t.Name == metadataKey:
		return fmt.Errorf("safetensors: %q is not a tensor name", t.Name)
	case t.DType.Size() == 0:
		return fmt.Errorf("safetensors: tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	n, ok := elements(t.Shape)
	if !ok {
		return fmt.Errorf("safetensors: tensor %q: bad shape %v", t.Name, t.Shape)
	}
	if n > math.MaxInt/t.DType.Size() || n*t.DType.Size() != len(t.Data) {
		return fmt.Errorf("safetensors: tensor %q: shape %v of %s needs %d bytes, has %d", t.Name, t.Shape, t.DType, n*t.DType.Size(), len(t.Data))
	}
	return nil
}

// elements returns the product of shape, or false if a dimension is
// negative or the product overflows.
func elements(shape []int) (int, bool) {
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt/d) {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// ErrFormat is wrapped by every error of Decode about the file's content.
var ErrFormat = errors.New("safetensors: bad file")

// ErrTruncated is wrapped by Decode's errors for data that ends before
// the header or a tensor does; it wraps ErrFormat.
var ErrTruncated = fmt.Errorf("%w: truncated", ErrFormat)

func formatf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

func truncatedf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTruncated}, args...)...)
}

// Decode parses a safetensors file held in data. Tensors come back in the
// order of their data, and their Data are sub-slices of data. It returns an
// error wrapping ErrFormat, naming the tensor where there is one, if the
// header length, the JSON or any entry is malformed, a dtype is unknown, a
// tensor's byte range does not match its shape, or the ranges leave a gap,
// overlap or do not end at the end of data; the error wraps ErrTruncated
// too if data ends before the header or a tensor does.
func Decode(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, truncatedf("%d bytes, shorter than the 8-byte header length", len(data))
	}
	hl := binary.LittleEndian.Uint64(data)
	if hl > MaxHeader {
		return nil, formatf("header length %d exceeds the limit of %d", hl, MaxHeader)
	}
	if hl > uint64(len(data)-8) {
		return nil, truncatedf("header length %d exceeds the %d bytes after it", hl, len(data)-8)
	}
	js := data[8 : 8+hl]
	if len(js) == 0 || js[0] != '{' {
		return nil, formatf("header does not start with '{'")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(js))
	if err := dec.Decode(&raw); err != nil {
		return nil, formatf("header: %v", err)
	}
	if rest := strings.TrimRight(string(js[dec.InputOffset():]), " "); rest != "" {
		return nil, formatf("header: data after the JSON object")
	}
	body := data[8+hl:]
	f := &File{}
	type placed struct {
		t     Tensor
		begin int
	}
	var ts []placed
	if m, ok := raw[metadataKey]; ok {
		if err := json.Unmarshal(m, &f.Metadata); err != nil {
			return nil, formatf("%s: %v (want an object of strings)", metadataKey, err)
		}
		delete(raw, metadataKey)
	}
	for name, r := range raw {
		var e entry
		d := json.NewDecoder(bytes.NewReader(r))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, formatf("tensor %q: %v", name, err)
		}
		t := Tensor{Name: name, DType: e.DType, Shape: e.Shape}
		if t.DType.Size() == 0 {
			return nil, formatf("tensor %q: unknown dtype %q", name, e.DType)
		}
		n, ok := elements(e.Shape)
		if !ok || n > math.MaxInt/t.DType.Size() {
			return nil, formatf("tensor %q: bad shape %v", name, e.Shape)
		}
		b, end := e.Offsets[0], e.Offsets[1]
		if b >= 0 && end >= b && end > len(body) {
			return nil, truncatedf("tensor %q: data_offsets [%d, %d] outside the %d data bytes", name, b, end, len(body))
		}
		if b < 0 || end < b {
			return nil, formatf("tensor %q: data_offsets [%d, %d] outside the %d data bytes", name, b, end, len(body))
		}
		if end-b != n*t.DType.Size() {
			return nil, formatf("tensor %q: shape %v of %s needs %d bytes, data_offsets give %d", name, e.Shape, e.DType, n*t.DType.Size(), end-b)
		}
		t.Data = body[b:end:end]
		ts = append(ts, placed{t, b})
	}
	sort.Slice(ts, func(i, j int) bool {
		if ts[i].begin != ts[j].begin {
			return ts[i].begin < ts[j].begin
		}
		return ts[i].t.Name < ts[j].t.Name
	})
	pos := 0
	for _, p := range ts {
		if p.begin != pos {
			return nil, formatf("tensor %q starts at data byte %d, want %d (the data must be contiguous)", p.t.Name, p.begin, pos)
		}
		pos += len(p.t.Data)
		f.Tensors = append(f.Tensors, p.t)
	}
	if pos != len(body) {
		return nil, formatf("tensors end at data byte %d of %d", pos, len(body))
	}
	return f, nil
}
