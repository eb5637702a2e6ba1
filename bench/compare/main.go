// Command compare trains the same experiments with seqcast and with the
// PyTorch reference (../shared/peers/pytorch/run_all.py, Debian's
// python3-torch on the CPU), one after the other on this machine, and prints
// both validation MSEs, both seconds per epoch and their ratio.
//
//	go run ./bench/compare --experiments deep_rnn_dense,seq2seq_lstm [--epochs N] [--json FILE]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/seqcast/seqcast/bench"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/train"
)

// Row is one experiment's comparison.
type Row = bench.Comparison

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	exps := fs.String("experiments", "deep_rnn_dense,seq2seq_lstm,seq2seq_gru,conv_gru,wavenet", "comma-separated experiments")
	epochs := fs.Int("epochs", 20, "epochs for both")
	threads := fs.String("threads", "1,2", "PyTorch thread counts to try; the fastest counts")
	peer := fs.String("peer", "../shared/peers/pytorch", "folder of the PyTorch reference (run_all.py)")
	python := fs.String("python", "/usr/bin/python3", "Python with Debian's python3-torch")
	jsonOut := fs.String("json", "", "write the rows as JSON to this file")
	bookIn := fs.String("book", "", "a `seqcast bench --profile book --json` file to include in --markdown")
	bandsIn := fs.String("bands", "", "more book-profile JSON files (other seeds), comma-separated, whose band check --markdown adds")
	reuse := fs.String("from-json", "", "skip training: read rows written earlier by --json")
	mdOut := fs.String("markdown", "", "write BENCHMARKS.md-style markdown (book table + comparison) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *epochs <= 0 {
		return fmt.Errorf("--epochs %d: must be at least 1", *epochs)
	}
	var ths []int
	for _, s := range strings.Split(*threads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("--threads %q: want positive integers", *threads)
		}
		ths = append(ths, n)
	}
	var book *bench.Report
	if *bookIn != "" {
		b, err := os.ReadFile(*bookIn)
		if err != nil {
			return err
		}
		book = new(bench.Report)
		if err := json.Unmarshal(b, book); err != nil {
			return fmt.Errorf("--book %s: %w", *bookIn, err)
		}
	}
	var others []*bench.Report
	for _, f := range strings.Split(*bandsIn, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("--bands: %w", err)
		}
		r := new(bench.Report)
		if err := json.Unmarshal(b, r); err != nil {
			return fmt.Errorf("--bands %s: %w", f, err)
		}
		others = append(others, r)
	}
	mach := bench.MachineInfo("cpu")
	if *reuse != "" {
		b, err := os.ReadFile(*reuse)
		if err != nil {
			return err
		}
		var rows []Row
		if err := json.Unmarshal(b, &rows); err != nil {
			return fmt.Errorf("--from-json %s: %w", *reuse, err)
		}
		writeTable(stdout, rows)
		return writeMarkdown(*mdOut, book, others, rows, &mach)
	}
	script := filepath.Join(*peer, "run_all.py")
	if _, err := os.Stat(script); err != nil {
		return fmt.Errorf("PyTorch reference not found: %w (set --peer)", err)
	}
	if out, err := exec.CommandContext(ctx, *python, "-c", "import torch, numpy").CombinedOutput(); err != nil {
		return fmt.Errorf("%s cannot import torch (%v: %s); install Debian's PyTorch with: apt-get install -y python3-torch python3-numpy", *python, err, strings.TrimSpace(string(out)))
	}
	var rows []Row
	for _, name := range strings.Split(*exps, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		fmt.Fprintf(stderr, "== %s: seqcast, %d epochs\n", name, *epochs)
		rep, err := bench.Run(ctx, bench.Config{Profile: bench.Book, Experiments: []string{name}, Config: train.Config{Epochs: *epochs, Progress: stderr}})
		if err != nil {
			return err
		}
		s := rep.Results[0]
		row := Row{Experiment: name, Epochs: *epochs, SeqcastValidMSE: s.ValidMSE, SeqcastValidLast: s.ValidLastStepMSE}
		if s.SecPerEpoch != nil {
			row.SeqcastSecPerEpoch = *s.SecPerEpoch
		}
		for _, th := range ths {
			fmt.Fprintf(stderr, "== %s: PyTorch, %d epochs, %d threads\n", name, *epochs, th)
			p, err := runPeer(ctx, *python, script, name, *epochs, th, stderr)
			if err != nil {
				return err
			}
			if row.PyTorchThreads == 0 || p.SecPerEpoch < row.PyTorchSecPerEpoch {
				row.PyTorchSecPerEpoch, row.PyTorchThreads = p.SecPerEpoch, th
				row.PyTorchValidMSE, row.PyTorchValidLast = p.ValMSE, p.ValLast
			}
		}
		if row.PyTorchSecPerEpoch > 0 {
			row.Ratio = row.SeqcastSecPerEpoch / row.PyTorchSecPerEpoch
		}
		rows = append(rows, row)
	}
	writeTable(stdout, rows)
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.Write(*jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return writeMarkdown(*mdOut, book, others, rows, &mach)
}

func writeMarkdown(path string, book *bench.Report, others []*bench.Report, rows []Row, m *bench.Machine) error {
	if path == "" {
		return nil
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return atomicfile.Write(path, bench.KeepSections(bench.Markdown(book, others, rows, m), old), 0o644)
}

type peerResult struct {
	ValMSE      float64  `json:"val_mse"`
	ValLast     *float64 `json:"val_last_time_step_mse"`
	SecPerEpoch float64  `json:"sec_per_epoch_median"`
}

func runPeer(ctx context.Context, python, script, name string, epochs, threads int, stderr io.Writer) (*peerResult, error) {
	cmd := exec.CommandContext(ctx, python, script, "--exp", name, "--epochs", strconv.Itoa(epochs), "--threads", strconv.Itoa(threads), "--outdir", os.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("PyTorch %s: %w", name, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var p peerResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &p); err != nil {
		return nil, fmt.Errorf("PyTorch %s: reading its JSON: %w", name, err)
	}
	return &p, nil
}

func writeTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "experiment\tepochs\tseqcast valid MSE\tPyTorch valid MSE\tseqcast last-step\tPyTorch last-step\tseqcast s/epoch\tPyTorch s/epoch (threads)\tratio\t")
	f := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return strconv.FormatFloat(*v, 'g', 4, 64)
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.4g\t%.4g\t%s\t%s\t%.2f\t%.2f (%d)\t%.2f\t\n", r.Experiment, r.Epochs, r.SeqcastValidMSE, r.PyTorchValidMSE,
			f(r.SeqcastValidLast), f(r.PyTorchValidLast), r.SeqcastSecPerEpoch, r.PyTorchSecPerEpoch, r.PyTorchThreads, r.Ratio)
	}
	tw.Flush()
}
