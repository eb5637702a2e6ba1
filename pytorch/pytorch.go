package pytorch

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
)

// kind is what a layer is, on either side.
type kind int

const (
	kindDense kind = iota
	kindConv
	kindSimple
	kindLSTM
	kindGRU
)

var kindNames = [...]string{"Linear", "Conv1d", "RNN", "LSTM", "GRU"}

func (k kind) String() string { return kindNames[k] }

// gates returns the number of gate blocks of a recurrent kind.
func (k kind) gates() int {
	switch k {
	case kindLSTM:
		return 4
	case kindGRU:
		return 3
	}
	return 1
}

// layer is one seqcast layer's parameters, by the part of their name after
// the last '/' ("lstm/wi" is layer "lstm", part "wi").
type layer struct {
	name   string
	kind   kind
	params map[string]*graph.Param
}

// Gate names in seqcast's order. PyTorch's GRU gates are r, z, n: torchGate
// maps seqcast's gate k to PyTorch's block.
var (
	lstmGates = []string{"i", "f", "g", "o"}
	gruGates  = []string{"z", "r", "h"}
	torchGRU  = []int{1, 0, 2}
)

// layers groups net's parameters into layers and tells their kinds.
func layers(net graph.Layer) ([]layer, error) {
	var out []layer
	for _, p := range net.Params() {
		i := strings.LastIndexByte(p.Name(), '/')
		if i < 0 {
			return nil, fmt.Errorf("pytorch: parameter %q has no layer prefix", p.Name())
		}
		name, part := p.Name()[:i], p.Name()[i+1:]
		if n := len(out); n == 0 || out[n-1].name != name {
			out = append(out, layer{name: name, params: map[string]*graph.Param{}})
		}
		out[len(out)-1].params[part] = p
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("pytorch: the network has no parameters (build it first, e.g. with train.Model.Build)")
	}
	for i := range out {
		l := &out[i]
		has := func(parts ...string) bool {
			for _, s := range parts {
				if l.params[s] == nil {
					return false
				}
			}
			return true
		}
		switch n := len(l.params); {
		case has("kernel", "bias") && n == 2:
			l.kind = kindConv
		case has("w", "u", "b") && n == 3:
			l.kind = kindSimple
		case has("wi", "wf", "wg", "wo") && n == 12:
			l.kind = kindLSTM
		case has("wz", "bz_rec", "br_rec", "bh_rec") && n == 12:
			l.kind = kindGRU
		case has("wz") && n == 9:
			return nil, fmt.Errorf("pytorch: layer %s: a GRU with ResetBefore (Keras reset_after=False) has no PyTorch counterpart", l.name)
		case has("w", "b") && n == 2, has("w") && n == 1:
			l.kind = kindDense
		default:
			parts := make([]string, 0, n)
			for s := range l.params {
				parts = append(parts, s)
			}
			sort.Strings(parts)
			return nil, fmt.Errorf("pytorch: layer %s (parameters %s) has no PyTorch counterpart", l.name, strings.Join(parts, ", "))
		}
	}
	return out, nil
}

// module is one PyTorch module's tensors: a Linear or Conv1d, or one layer
// of an RNN, LSTM or GRU (nn.LSTM(num_layers=2) is two modules, layers 0
// and 1).
type module struct {
	path    string
	layer   int // recurrent layer index; -1 for Linear and Conv1d
	tensors map[string]safetensors.Tensor
}

// name returns the module's name as Modules lists it: the path, with ":N"
// for recurrent layer N > 0.
func (m module) name() string {
	if m.layer > 0 {
		return m.path + ":" + strconv.Itoa(m.layer)
	}
	return m.path
}

// key returns the state_dict key of part ("weight", "weight_ih", ...).
func (m module) key(part string) string {
	if m.layer >= 0 {
		return fmt.Sprintf("%s%s_l%d", prefix(m.path), part, m.layer)
	}
	return prefix(m.path) + part
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + "."
}

// kind tells a module's kind from its weights' shapes, if it can.
func (m module) kind() (kind, bool) {
	if m.layer >= 0 {
		ih, hh := m.tensors["weight_ih"], m.tensors["weight_hh"]
		if len(ih.Shape) != 2 || len(hh.Shape) != 2 || hh.Shape[1] == 0 || ih.Shape[0]%hh.Shape[1] != 0 {
			return 0, false
		}
		switch ih.Shape[0] / hh.Shape[1] {
		case 1:
			return kindSimple, true
		case 3:
			return kindGRU, true
		case 4:
			return kindLSTM, true
		}
		return 0, false
	}
	switch len(m.tensors["weight"].Shape) {
	case 2:
		return kindDense, true
	case 3:
		return kindConv, true
	}
	return 0, false
}

func moduleNames(ms []module) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.name()
	}
	return strings.Join(s, ", ")
}

func layerNames(ls []layer) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = l.name
	}
	return strings.Join(s, ", ")
}

var recurrentKey = regexp.MustCompile(`^(weight_ih|weight_hh|bias_ih|bias_hh)_l([0-9]+)$`)

// modules groups a state_dict's tensors into modules in network order: by
// path, comparing numeric components as numbers ("2" before "10"), then by
// recurrent layer. Keys that fit no module are returned as extra.
func modules(f *safetensors.File) (mods []module, extra []string) {
	byName := map[string]*module{}
	for _, t := range f.Tensors {
		path, part := "", t.Name
		if i := strings.LastIndexByte(t.Name, '.'); i >= 0 {
			path, part = t.Name[:i], t.Name[i+1:]
		}
		layer := -1
		if m := recurrentKey.FindStringSubmatch(part); m != nil {
			n, err := strconv.Atoi(m[2])
			if err != nil {
				extra = append(extra, t.Name)
				continue
			}
			part, layer = m[1], n
		} else if part != "weight" && part != "bias" {
			extra = append(extra, t.Name)
			continue
		}
		id := path + "\x00" + strconv.Itoa(layer)
		m := byName[id]
		if m == nil {
			m = &module{path: path, layer: layer, tensors: map[string]safetensors.Tensor{}}
			byName[id] = m
		}
		m.tensors[part] = t
	}
	for _, m := range byName {
		mods = append(mods, *m)
	}
	sort.Slice(mods, func(i, j int) bool {
		if c := comparePaths(mods[i].path, mods[j].path); c != 0 {
			return c < 0
		}
		return mods[i].layer < mods[j].layer
	})
	sort.Strings(extra)
	return mods, extra
}

func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, ex := strconv.Atoi(as[i])
		y, ey := strconv.Atoi(bs[i])
		switch {
		case ex == nil && ey == nil && x != y:
			return x - y
		case (ex != nil || ey != nil) && as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}

// lineUp returns mods in the order of the layers ls: mods itself when
// their kinds line up, else, if they can, the modules taken kind by kind
// (each layer gets the first unused module of its kind, in path order;
// those left over follow), so that a state_dict whose modules are named
// in another order than the network's ("head" before "rnn") still fits.
func lineUp(mods []module, ls []layer) []module {
	fits := func(ms []module) bool {
		for i := range min(len(ms), len(ls)) {
			if k, ok := ms[i].kind(); ok && k != ls[i].kind {
				return false
			}
		}
		return true
	}
	if fits(mods) {
		return mods
	}
	used := make([]bool, len(mods))
	out := make([]module, 0, len(mods))
	for _, l := range ls {
		j := -1
		for c, m := range mods {
			if k, ok := m.kind(); !used[c] && ok && k == l.kind {
				j = c
				break
			}
		}
		if j < 0 {
			return mods
		}
		used[j] = true
		out = append(out, mods[j])
	}
	for j, m := range mods {
		if !used[j] {
			out = append(out, m)
		}
	}
	return out
}

// pick returns the modules named by names, in that order, then the others,
// for a network of n layers.
func pick(mods []module, names []string, n int) ([]module, error) {
	if len(names) != n {
		return nil, fmt.Errorf("pytorch: ImportOptions.Modules has %d names for %d layers", len(names), n)
	}
	used := make([]bool, len(mods))
	out := make([]module, 0, len(mods))
	for _, name := range names {
		j := slices.IndexFunc(mods, func(m module) bool { return m.name() == name })
		if j < 0 {
			return nil, fmt.Errorf("pytorch: ImportOptions.Modules: no module %q in the state_dict (it has %s)", name, moduleNames(mods))
		}
		if used[j] {
			return nil, fmt.Errorf("pytorch: ImportOptions.Modules: module %q named twice", name)
		}
		used[j] = true
		out = append(out, mods[j])
	}
	for j, m := range mods {
		if !used[j] {
			out = append(out, m)
		}
	}
	return out, nil
}

// ModulesFor lists the modules of a PyTorch state_dict in the order Import
// matches them to net's layers (see Import), for ExportOptions.Modules:
// exporting under these names writes the state_dict's keys.
func ModulesFor(net graph.Layer, stateDict []byte) ([]string, error) {
	ls, err := layers(net)
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Decode(stateDict)
	if err != nil {
		return nil, fmt.Errorf("pytorch: %w", err)
	}
	mods, _ := modules(f)
	mods = lineUp(mods, ls)
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = m.name()
	}
	return names, nil
}

// Modules lists the modules of a PyTorch state_dict (safetensors bytes) in
// the order Import maps them to a network's layers when their kinds line
// up (see ModulesFor for one network). A recurrent layer N > 0
// of a multi-layer RNN is listed as "path:N". The list is what Export takes
// to write the same keys.
func Modules(stateDict []byte) ([]string, error) {
	f, err := safetensors.Decode(stateDict)
	if err != nil {
		return nil, fmt.Errorf("pytorch: %w", err)
	}
	mods, _ := modules(f)
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = m.name()
	}
	return names, nil
}

// Import sets the parameters of net, which must be built, from a PyTorch
// state_dict saved in safetensors (float32 or float64 tensors). The
// state_dict's modules (Linear, Conv1d, and each layer of RNN, LSTM and
// GRU) are matched to net's layers in order (see Modules): by path, numbers
// compared as numbers, or, when the kinds do not line up that way, kind by
// kind, so that modules of one kind must be named in the network's order
// ("lstm", "head" fits LSTM, Linear; "decoder", "encoder" would be taken
// in that order: ImportWith takes the order). PyTorch's gate orders (LSTM i, f, g, o; GRU r, z, n) and its two biases are converted:
// an RNN's or LSTM's bias_ih + bias_hh becomes seqcast's one bias, a GRU's
// bias_hh its recurrent bias. The RNN's nonlinearity must be tanh and
// Conv1d's padding is the seqcast layer's (PyTorch users pad causal
// convolutions by hand).
//
// Import changes nothing unless every tensor fits. Its error lists the
// state_dict's missing keys (with the shape each needs) and its extra keys,
// or names the tensor whose shape is wrong.
func Import(net graph.Layer, stateDict []byte) error {
	return ImportWith(net, stateDict, ImportOptions{})
}

// ImportOptions are the settings of ImportWith.
type ImportOptions struct {
	// Modules names the state_dict's module of each of the network's
	// layers, in order, as Modules lists them ("encoder", "encoder:1",
	// "decoder", "head"); modules it leaves out are extra. Nil lines the
	// modules up as Import says.
	Modules []string
}

// ImportWith is Import with options.
func ImportWith(net graph.Layer, stateDict []byte, opt ImportOptions) error {
	ls, err := layers(net)
	if err != nil {
		return err
	}
	f, err := safetensors.Decode(stateDict)
	if err != nil {
		return fmt.Errorf("pytorch: %w", err)
	}
	mods, extra := modules(f)
	if opt.Modules == nil {
		mods = lineUp(mods, ls)
	} else if mods, err = pick(mods, opt.Modules, len(ls)); err != nil {
		return err
	}
	var missing []string
	if len(mods) < len(ls) {
		for _, l := range ls[len(mods):] {
			missing = append(missing, fmt.Sprintf("a %s for layer %s", l.kind, l.name))
		}
	}
	for _, m := range mods[min(len(mods), len(ls)):] {
		for part := range m.tensors {
			extra = append(extra, m.key(part))
		}
	}
	type assign struct {
		p *graph.Param
		v []float64
	}
	var todo []assign
	var shapeErrs []string
	for i := range min(len(mods), len(ls)) {
		l, m := ls[i], mods[i]
		if k, ok := m.kind(); ok && k != l.kind {
			return fmt.Errorf("pytorch: module %s (%s) does not match layer %s (%s): the state_dict's modules (%s) do not line up with the network's layers (%s)",
				m.name(), k, l.name, l.kind, moduleNames(mods), layerNames(ls))
		}
		want := torchShapes(l)
		for part, shape := range want {
			t, ok := m.tensors[part]
			if !ok {
				missing = append(missing, fmt.Sprintf("%s %v", m.key(part), shape))
				continue
			}
			if !slices.Equal(t.Shape, shape) {
				shapeErrs = append(shapeErrs, fmt.Sprintf("%s has shape %v, want %v for %s layer %s", m.key(part), t.Shape, shape, l.kind, l.name))
			}
		}
		for part := range m.tensors {
			if _, ok := want[part]; !ok {
				extra = append(extra, m.key(part))
			}
		}
		if len(shapeErrs) > 0 || len(missing) > 0 {
			continue
		}
		vals := map[string][]float64{}
		for part, t := range m.tensors {
			v, err := t.Values()
			if err != nil {
				return fmt.Errorf("pytorch: %w", err)
			}
			vals[part] = v
		}
		for part, v := range fromTorch(l, vals) {
			todo = append(todo, assign{l.params[part], v})
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	sort.Strings(shapeErrs)
	var msg []string
	if len(missing) > 0 {
		msg = append(msg, "missing "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		msg = append(msg, "extra keys "+strings.Join(extra, ", "))
	}
	msg = append(msg, shapeErrs...)
	if len(msg) > 0 {
		return fmt.Errorf("pytorch: the state_dict does not fit the network: %s", strings.Join(msg, "; "))
	}
	for _, a := range todo {
		a.p.SetFloat64s(a.v)
	}
	return nil
}

// ExportOptions are the settings of Export.
type ExportOptions struct {
	// Modules names the PyTorch module of each layer, in order, as Modules
	// lists them ("0.rnn", "lstm:1", "head"). Nil means "0", "1", ...
	Modules []string
	// Float64 writes float64 tensors; the default is float32, PyTorch's.
	Float64 bool
}

// Export writes net's parameters as a PyTorch state_dict in safetensors,
// the inverse of Import: module i gets layer i's weights with PyTorch's
// layouts, gate orders and key names (a recurrent layer's keys end in _lN,
// N from "path:N"; an RNN's and LSTM's bias_hh is zero). PyTorch's
// load_state_dict accepts it for modules of the matching kinds and sizes.
func Export(net graph.Layer, opt ExportOptions) ([]byte, error) {
	ls, err := layers(net)
	if err != nil {
		return nil, err
	}
	names := opt.Modules
	if names == nil {
		for i := range ls {
			names = append(names, strconv.Itoa(i))
		}
	}
	if len(names) != len(ls) {
		return nil, fmt.Errorf("pytorch: ExportOptions.Modules has %d names for %d layers", len(names), len(ls))
	}
	var f safetensors.File
	for i, l := range ls {
		m := module{path: names[i], layer: -1}
		if l.kind >= kindSimple {
			m.layer = 0
			if p, n, ok := strings.Cut(names[i], ":"); ok {
				k, err := strconv.Atoi(n)
				if err != nil || k < 0 {
					return nil, fmt.Errorf("pytorch: ExportOptions.Modules[%d] = %q: want PATH or PATH:LAYER", i, names[i])
				}
				m.path, m.layer = p, k
			}
		}
		shapes := torchShapes(l)
		vals := toTorch(l)
		parts := make([]string, 0, len(vals))
		for part := range vals {
			parts = append(parts, part)
		}
		sort.Strings(parts)
		for _, part := range parts {
			if opt.Float64 {
				f.Tensors = append(f.Tensors, safetensors.Float64s(m.key(part), shapes[part], vals[part]))
			} else {
				v32 := make([]float32, len(vals[part]))
				for j, x := range vals[part] {
					v32[j] = float32(x)
				}
				f.Tensors = append(f.Tensors, safetensors.Float32s(m.key(part), shapes[part], v32))
			}
		}
	}
	f.Metadata = map[string]string{"format": "pt", "written_by": "seqcast"}
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, f); err != nil {
		return nil, fmt.Errorf("pytorch: %w", err)
	}
	return buf.Bytes(), nil
}

// dims returns a layer's input size and units (filters, outputs).
func (l layer) dims() (in, units int) {
	switch l.kind {
	case kindDense:
		s := l.params["w"].Shape()
		return s[0], s[1]
	case kindConv:
		s := l.params["kernel"].Shape()
		return s[1], s[2]
	case kindSimple:
		s := l.params["w"].Shape()
		return s[0], s[1]
	case kindLSTM:
		s := l.params["wi"].Shape()
		return s[0], s[1]
	default:
		s := l.params["wz"].Shape()
		return s[0], s[1]
	}
}

// torchShapes returns the PyTorch tensors a layer needs, by part.
func torchShapes(l layer) map[string][]int {
	in, h := l.dims()
	switch l.kind {
	case kindDense:
		s := map[string][]int{"weight": {h, in}}
		if l.params["b"] != nil {
			s["bias"] = []int{h}
		}
		return s
	case kindConv:
		k := l.params["kernel"].Shape()[0]
		return map[string][]int{"weight": {h, in, k}, "bias": {h}}
	}
	g := l.kind.gates() * h
	return map[string][]int{"weight_ih": {g, in}, "weight_hh": {g, h}, "bias_ih": {g}, "bias_hh": {g}}
}

// gateParts returns seqcast's W, U and b part names of gate k, and the
// PyTorch block it maps to.
func gateParts(l layer, k int) (w, u, b string, block int) {
	switch l.kind {
	case kindLSTM:
		g := lstmGates[k]
		return "w" + g, "u" + g, "b" + g, k
	case kindGRU:
		g := gruGates[k]
		return "w" + g, "u" + g, "b" + g, torchGRU[k]
	}
	return "w", "u", "b", 0
}

// transposeInto writes the transpose of the (r, c) row-major block src into
// dst, (c, r) row major.
func transposeInto(dst, src []float64, r, c int) {
	for i := range r {
		for j := range c {
			dst[j*r+i] = src[i*c+j]
		}
	}
}

// fromTorch converts a module's PyTorch tensors into seqcast's parameter
// values, by part.
func fromTorch(l layer, t map[string][]float64) map[string][]float64 {
	in, h := l.dims()
	out := map[string][]float64{}
	switch l.kind {
	case kindDense:
		w := make([]float64, in*h)
		transposeInto(w, t["weight"], h, in)
		out["w"] = w
		if l.params["b"] != nil {
			out["b"] = t["bias"]
		}
		return out
	case kindConv:
		k := l.params["kernel"].Shape()[0]
		w := make([]float64, k*in*h)
		for f := range h { // PyTorch (out, in, k); seqcast (k, in, out)
			for c := range in {
				for j := range k {
					w[(j*in+c)*h+f] = t["weight"][(f*in+c)*k+j]
				}
			}
		}
		out["kernel"], out["bias"] = w, t["bias"]
		return out
	}
	for k := range l.kind.gates() {
		w, u, b, blk := gateParts(l, k)
		out[w] = make([]float64, in*h)
		transposeInto(out[w], t["weight_ih"][blk*h*in:(blk+1)*h*in], h, in)
		out[u] = make([]float64, h*h)
		transposeInto(out[u], t["weight_hh"][blk*h*h:(blk+1)*h*h], h, h)
		bi, bh := t["bias_ih"][blk*h:(blk+1)*h], t["bias_hh"][blk*h:(blk+1)*h]
		if l.kind == kindGRU {
			out[b], out[b+"_rec"] = slices.Clone(bi), slices.Clone(bh)
			continue
		}
		sum := make([]float64, h)
		for j := range sum {
			sum[j] = bi[j] + bh[j]
		}
		out[b] = sum
	}
	return out
}

// toTorch is fromTorch's inverse.
func toTorch(l layer) map[string][]float64 {
	in, h := l.dims()
	v := func(part string) []float64 { return l.params[part].Float64s() }
	out := map[string][]float64{}
	switch l.kind {
	case kindDense:
		w := make([]float64, in*h)
		transposeInto(w, v("w"), in, h)
		out["weight"] = w
		if l.params["b"] != nil {
			out["bias"] = v("b")
		}
		return out
	case kindConv:
		k := l.params["kernel"].Shape()[0]
		src := v("kernel")
		w := make([]float64, k*in*h)
		for f := range h {
			for c := range in {
				for j := range k {
					w[(f*in+c)*k+j] = src[(j*in+c)*h+f]
				}
			}
		}
		out["weight"], out["bias"] = w, v("bias")
		return out
	}
	g := l.kind.gates()
	wih, whh := make([]float64, g*h*in), make([]float64, g*h*h)
	bih, bhh := make([]float64, g*h), make([]float64, g*h)
	for k := range g {
		w, u, b, blk := gateParts(l, k)
		transposeInto(wih[blk*h*in:(blk+1)*h*in], v(w), in, h)
		transposeInto(whh[blk*h*h:(blk+1)*h*h], v(u), h, h)
		copy(bih[blk*h:], v(b))
		if l.kind == kindGRU {
			copy(bhh[blk*h:], v(b+"_rec"))
		}
	}
	out["weight_ih"], out["weight_hh"], out["bias_ih"], out["bias_hh"] = wih, whh, bih, bhh
	return out
}
