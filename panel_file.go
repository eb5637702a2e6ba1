package seqcast

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/internal/safetensors"
	"github.com/seqcast/seqcast/series"
)

// The panel model file is a model file (see Save) of the network, with the
// identity Scaler, whose metadata holds one more entry, panel: the JSON of
// the series' ids, their scalers and the panel's metadata. Version 1 of the
// panel format is read too. All its integers are little endian:
//
//	magic    8 bytes  "SEQPANEL"
//	version  uint32   1
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON: the series' ids and scalers, the metadata
//	mlen     uint64   length of the model
//	model    mlen bytes: the network as a model file of the older format
//	sum      32 bytes, the SHA-256 of everything before it
const (
	panelMagic = "SEQPANEL"
	// PanelFormatVersion is the version of the panel model files SavePanel
	// writes: 2, a model file with a panel entry; 1 is the SEQPANEL
	// container, which LoadPanel reads too.
	PanelFormatVersion = 2
)

type panelHeader struct {
	IDs     []string        `json:"ids"`
	Scalers []series.Scaler `json:"scalers"`
	Meta    PanelMetadata   `json:"meta"`
}

// IsPanelFile reports whether the file at path starts as a panel model
// file does (SavePanel), rather than a single-series one (Save).
func IsPanelFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 8)
	if _, err := io.ReadFull(f, b); err != nil {
		return false
	}
	if string(b) == panelMagic {
		return true
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > safetensors.MaxHeader {
		return false
	}
	var head struct {
		Metadata map[string]string `json:"__metadata__"`
	}
	if err := json.NewDecoder(io.LimitReader(f, int64(hl))).Decode(&head); err != nil {
		return false
	}
	_, ok := head.Metadata[keyPanel]
	return ok
}

// Save writes pf to path atomically, in the panel model file format.
func (pf *PanelForecaster) Save(path string) error {
	var b bytes.Buffer
	if err := pf.Write(&b); err != nil {
		return err
	}
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("seqcast: save: %w", err)
	}
	return nil
}

// Write writes pf in the panel model file format to w.
func (pf *PanelForecaster) Write(w io.Writer) error {
	if pf == nil || pf.net == nil || pf.net.model == nil {
		return fmt.Errorf("seqcast: save: panel forecaster not trained or loaded")
	}
	js, err := json.Marshal(panelHeader{IDs: pf.IDs, Scalers: pf.Scalers, Meta: pf.Meta})
	if err != nil {
		return fmt.Errorf("seqcast: save: panel: %w", err)
	}
	inner := *pf.net
	inner.Meta = pf.Meta.Metadata
	return inner.write(w, map[string]string{keyPanel: string(js)})
}

// LoadPanel reads the panel model file at path, verifying its checksum.
// Errors wrap ErrModelFile, as Load's do.
func LoadPanel(path string) (*PanelForecaster, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seqcast: load: %w", err)
	}
	pf, err := DecodePanel(b)
	if err != nil {
		return nil, wrap("load "+path, err)
	}
	return pf, nil
}

// DecodePanel parses a panel model file held in b. It never panics.
func DecodePanel(b []byte) (pf *PanelForecaster, err error) {
	defer func() {
		if r := recover(); r != nil {
			pf, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	single := fmt.Errorf("%w: a single-series model file, not a panel one (see Load)", ErrModelFile)
	if n := min(len(b), len(panelMagic)); string(b[:n]) == panelMagic[:n] {
		return decodePanelV1(b)
	}
	if len(b) >= len(magic) && string(b[:len(magic)]) == magic {
		return nil, single
	}
	f, md, err := decodeFile(b)
	if err != nil {
		return nil, err
	}
	js, ok := md[keyPanel]
	if !ok {
		return nil, single
	}
	var h panelHeader
	if err := strictJSON(js, &h); err != nil {
		return nil, corrupt("metadata panel: %v", err)
	}
	return panelFrom(h, f)
}

// decodePanelV1 parses a panel model file of version 1 (SEQPANEL).
func decodePanelV1(b []byte) (*PanelForecaster, error) {
	const fixed = len(panelMagic) + 8
	if len(b) < fixed+8+sha256.Size {
		return nil, fmt.Errorf("%w: %d bytes", ErrTruncated, len(b))
	}
	if v := binary.LittleEndian.Uint32(b[len(panelMagic):]); v == 0 || v > PanelFormatVersion {
		if v > PanelFormatVersion {
			return nil, fmt.Errorf("%w: panel format version %d, this seqcast reads up to %d", ErrNewerVersion, v, PanelFormatVersion)
		}
		return nil, fmt.Errorf("%w: panel format version 0", ErrCorrupt)
	}
	hlen := uint64(binary.LittleEndian.Uint32(b[len(panelMagic)+4:]))
	if uint64(len(b)) < uint64(fixed)+hlen+8+sha256.Size {
		return nil, fmt.Errorf("%w: %d bytes, the header alone needs %d", ErrTruncated, len(b), uint64(fixed)+hlen+8+sha256.Size)
	}
	mlen := binary.LittleEndian.Uint64(b[uint64(fixed)+hlen:])
	want := uint64(fixed) + hlen + 8 + mlen + sha256.Size
	if mlen > maxFileSize || uint64(len(b)) < want {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrTruncated, len(b), want)
	}
	if uint64(len(b)) > want {
		return nil, fmt.Errorf("%w: %d bytes after the checksum's position", ErrCorrupt, uint64(len(b))-want)
	}
	if !checksumOK(b) {
		return nil, ErrChecksum
	}
	var h panelHeader
	dec := json.NewDecoder(bytes.NewReader(b[fixed : uint64(fixed)+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	start := uint64(fixed) + hlen + 8
	inner := b[start : start+mlen]
	if !isLegacy(inner) {
		return nil, fmt.Errorf("%w: a version 1 panel file holds a model file of the older format", ErrCorrupt)
	}
	f, err := decodeLegacy(inner)
	if err != nil {
		return nil, err
	}
	return panelFrom(h, f)
}

// panelFrom checks a panel file's entry h against its network's
// Forecaster f and returns the PanelForecaster.
func panelFrom(h panelHeader, f *Forecaster) (*PanelForecaster, error) {
	if len(h.IDs) == 0 || len(h.Scalers) != len(h.IDs) {
		return nil, fmt.Errorf("%w: %d series ids and %d scalers", ErrCorrupt, len(h.IDs), len(h.Scalers))
	}
	seen := map[string]bool{}
	nf := len(f.Spec.Features)
	for i, id := range h.IDs {
		if seen[id] {
			return nil, fmt.Errorf("%w: series id %q appears twice", ErrCorrupt, id)
		}
		seen[id] = true
		sc := h.Scalers[i]
		if len(sc.Mean) != nf || len(sc.Std) != nf {
			return nil, fmt.Errorf("%w: scaler of series %q for %d/%d features, spec has %d", ErrCorrupt, id, len(sc.Mean), len(sc.Std), nf)
		}
		for j := range nf {
			if m, s := sc.Mean[j], sc.Std[j]; math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
				return nil, fmt.Errorf("%w: scaler mean %v std %v of series %q", ErrCorrupt, m, s, id)
			}
		}
	}
	h.Meta.Metadata = f.Meta
	return &PanelForecaster{Spec: f.Spec, IDs: slices.Clone(h.IDs), Scalers: h.Scalers, Meta: h.Meta, net: f}, nil
}
