package bench

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Comparison is one experiment trained by seqcast and by the PyTorch
// reference on the same machine, one after the other.
type Comparison struct {
	Experiment         string   `json:"experiment"`
	SeqcastSecPerEpoch float64  `json:"seqcast_sec_per_epoch"`
	PyTorchSecPerEpoch float64  `json:"pytorch_sec_per_epoch"`
	Ratio              float64  `json:"ratio"`
	SeqcastValidMSE    float64  `json:"seqcast_valid_mse"`
	PyTorchValidMSE    float64  `json:"pytorch_valid_mse"`
	SeqcastValidLast   *float64 `json:"seqcast_valid_last_step_mse"`
	PyTorchValidLast   *float64 `json:"pytorch_valid_last_step_mse"`
	PyTorchThreads     int      `json:"pytorch_threads"`
	Epochs             int      `json:"epochs"`
}

// bandCell is the band column: the band and whether x is in it.
func bandCell(x Result, seed uint32) string {
	b, ok := BandOf(x.Experiment, seed)
	if !ok {
		return "-"
	}
	if in, _ := x.InBand(seed); in {
		return b.String() + ": in"
	}
	return b.String() + ": **out**"
}

// Markdown renders a book-profile report, the band check of more
// book-profile reports (other seeds) and comparisons with the PyTorch
// reference as the BENCHMARKS.md document. Any may be nil.
func Markdown(rep *Report, others []*Report, cmp []Comparison, cmpMachine *Machine) []byte {
	var b bytes.Buffer
	b.WriteString("# seqcast benchmarks\n\nWritten by `go run ./bench/compare --markdown BENCHMARKS.md` from the runs below; numbers are what those runs printed.\n\n")
	if rep != nil {
		m := rep.Machine
		fmt.Fprintf(&b, "## Every experiment (`seqcast bench --profile %s`)\n\n", rep.Profile)
		fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s/%s, %s; date %s; commit %s; device %s. %d series, seed %d.\n\n",
			dash(m.CPU), m.NumCPU, m.OS, m.Arch, m.GoVersion, m.Date, dash(m.Commit), m.Device, rep.Series, rep.Seed)
		b.WriteString("| experiment | model | params | epochs | valid MSE | valid last-step MSE | test MSE | notebook | band | s/epoch | peak RSS MB |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, x := range rep.Results {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %.0f |\n", x.Experiment, x.Model, x.Params, x.Epochs,
				num(x.ValidMSE), ptr(x.ValidLastStepMSE), num(x.TestMSE), dash(x.Notebook), bandCell(x, rep.Seed), secs(x.SecPerEpoch), x.PeakRSSMB)
		}
		for _, x := range rep.Results {
			if x.MC != nil {
				fmt.Fprintf(&b, "\n%s, Monte Carlo dropout (%d passes over the validation set): MSE of the mean %s (last step %s), mean std %.4g (last step %.4g), %.1f%% of last-step targets within 2 std.\n",
					x.Experiment, x.MC.Passes, num(x.MC.MeanMSE), num(x.MC.MeanLastMSE), x.MC.MeanStd, x.MC.MeanLastStd, 100*x.MC.Within2StdLast)
			}
		}
		b.WriteString("\n")
	}
	for _, o := range others {
		m := o.Machine
		fmt.Fprintf(&b, "## Band check at seed %d (`seqcast bench --profile %s --seed %d`)\n\n", o.Seed, o.Profile, o.Seed)
		fmt.Fprintf(&b, "Machine: %s, %d CPUs; date %s; commit %s. The seed draws other series and other initial weights.\n\n", dash(m.CPU), m.NumCPU, m.Date, dash(m.Commit))
		b.WriteString("| experiment | valid MSE | valid last-step MSE | band |\n|---|---|---|---|\n")
		for _, x := range o.Results {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", x.Experiment, num(x.ValidMSE), ptr(x.ValidLastStepMSE), bandCell(x, o.Seed))
		}
		if out := OutOfBand(o); len(out) > 0 {
			fmt.Fprintf(&b, "\nOut of band at seed %d: %s.\n", o.Seed, strings.Join(out, "; "))
		}
		b.WriteString("\n")
	}
	if len(cmp) > 0 {
		b.WriteString("## seqcast vs PyTorch (`go run ./bench/compare`)\n\n")
		if cmpMachine != nil {
			fmt.Fprintf(&b, "Machine: %s, %d CPUs; date %s; commit %s. Both trained one after the other on this machine, book set-up; PyTorch is Debian's python3-torch on the CPU, its time the faster of the thread counts tried.\n\n",
				dash(cmpMachine.CPU), cmpMachine.NumCPU, cmpMachine.Date, dash(cmpMachine.Commit))
		}
		b.WriteString("| experiment | epochs | seqcast valid MSE | PyTorch valid MSE | seqcast last-step | PyTorch last-step | seqcast s/epoch | PyTorch s/epoch (threads) | ratio |\n|---|---|---|---|---|---|---|---|---|\n")
		f := func(v *float64) string {
			if v == nil {
				return "-"
			}
			return strconv.FormatFloat(*v, 'g', 4, 64)
		}
		for _, r := range cmp {
			fmt.Fprintf(&b, "| %s | %d | %.4g | %.4g | %s | %s | %.2f | %.2f (%d) | %.2f |\n", r.Experiment, r.Epochs, r.SeqcastValidMSE, r.PyTorchValidMSE,
				f(r.SeqcastValidLast), f(r.PyTorchValidLast), r.SeqcastSecPerEpoch, r.PyTorchSecPerEpoch, r.PyTorchThreads, r.Ratio)
		}
		b.WriteString("\nThe ratio is seqcast's seconds per epoch over PyTorch's: below 1, seqcast is faster. The machine is shared, so single timings are noisy.\n")
	}
	return b.Bytes()
}

// MachineInfo describes this machine and build, for reports.
func MachineInfo(device string) Machine { return machine(device) }

// The markers of the sections of BENCHMARKS.md that other commands or
// people own: notes on the runs above (their load, what they show), the
// classical reference's (go run ./bench/classical) and the measured runs
// of seqcast train --model auto against it.
var keptSections = [][2]string{
	{"<!-- notes:begin -->", "<!-- notes:end -->"},
	{"<!-- classical:begin -->", "<!-- classical:end -->"},
	{"<!-- auto:begin -->", "<!-- auto:end -->"},
}

// KeepSections returns doc followed by the sections of old (the document
// being replaced) that others own (keptSections), in that order, so that
// rewriting BENCHMARKS.md keeps them.
func KeepSections(doc, old []byte) []byte {
	out := doc
	for _, m := range keptSections {
		i, j := bytes.Index(old, []byte(m[0])), bytes.Index(old, []byte(m[1]))
		if i < 0 || j < i {
			continue
		}
		out = append(bytes.TrimRight(out, "\n"), "\n\n"...)
		out = append(append(out, old[i:j+len(m[1])]...), '\n')
	}
	return out
}
