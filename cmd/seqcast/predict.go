package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
)

func predictCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		modelPath = fs.String("model", "", "model file written by seqcast train (required)")
		csvPath   = fs.String("csv", "", "CSV file of the series to continue, with the model's columns (required)")
		timeCol   = fs.String("time", "", "time column (default: the one the model was trained with, or date/time)")
		gaps      = fs.String("gaps", "fail", "missing values: fail, drop (the row) or interpolate")
		delim     = fs.String("delimiter", "", `field delimiter: ",", ";" or "tab" (default: detected)`)
		mc        = fs.Int("mc-dropout", 0, "Monte Carlo dropout passes for error bars (0: none; the model needs --dropout)")
		seed      = fs.Uint64("seed", 1, "seed of the Monte Carlo dropout passes")
		out       = fs.String("out", "", "write the forecast CSV to this file instead of stdout")
		plotPath  = fs.String("plot", "", "draw the end of the series and the forecast to this PNG file")
		device    = fs.String("device", envOr("SEQCAST_DEVICE", "cpu"), "cpu, cuda or auto (env SEQCAST_DEVICE)")
	)
	pp := addPanelPredictFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: seqcast predict --model MODEL --csv FILE [--mc-dropout N] [--plot OUT.png] [flags]

Forecasts the steps after the end of the series with a saved model and
prints CSV "time,forecast[,std]", continuing the time column.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("predict: unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct{ name, v string }{{"model", *modelPath}, {"csv", *csvPath}} {
		if f.v == "" {
			return fmt.Errorf("predict: --%s is required", f.name)
		}
	}
	if *mc < 0 {
		return fmt.Errorf("predict: --mc-dropout %d: must not be negative", *mc)
	}
	gp, err := parseGaps(*gaps)
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if err := checkOutputs(
		[]file{{flag: "--model", path: *modelPath}, {flag: "--csv", path: *csvPath}},
		[]file{{flag: "--out", path: *out}, {flag: "--plot", path: *plotPath}},
	); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	gpu, err := resolveDevice("predict", *device, stderr)
	if err != nil {
		return err
	}
	if seqcast.IsPanelFile(*modelPath) || *pp.ids != "" {
		return panelPredict(ctx, fs, pp, gpu, stdout, stderr)
	}
	f, err := seqcast.Load(*modelPath)
	if err != nil {
		return libError("predict", err)
	}
	if c := f.Checkpoint; c != nil {
		return fmt.Errorf("predict: --model %s: is a checkpoint of an unfinished training run (after epoch %d), not a trained model; finish it with seqcast train --resume %s, or give the file train --out wrote", *modelPath, c.Epoch, *modelPath)
	}
	f.UseGPU(gpu)
	tc := *timeCol
	if tc == "" {
		tc = f.Meta.TimeColumn
	}
	var tab *series.Table
	var future []float64 // the rows after the target ends, for a model with known-future inputs
	var futureTimes []string
	if len(f.Spec.Future) > 0 {
		if gp != series.GapFail {
			return fmt.Errorf("predict: --gaps %s: the model reads known-future inputs from the rows after the target ends, which are told from gaps by --gaps fail only", *gaps)
		}
		tab, future, futureTimes, err = readTableFuture(*csvPath, f.Spec.Features, tc, *delim)
	} else {
		nc := len(f.Meta.Calendar) // made from the time column, not read
		tab, err = readFeatures(*csvPath, f.Spec.Features[:len(f.Spec.Features)-nc], tc, gp, *delim)
		if err == nil && nc > 0 {
			tab, err = withCalendar(tab, f.Spec.Horizon, f.Meta.Calendar, *csvPath)
		}
	}
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	input := tab.Values
	if len(f.Spec.Future) > 0 {
		if input, err = withFutureRows(f.Spec, tab.Values, future, *csvPath, futureTimes); err != nil {
			return fmt.Errorf("predict: %w", err)
		}
	}
	if tab.Rows < f.Spec.Window {
		return fmt.Errorf("predict: %s has %d rows; the model reads the last %d", *csvPath, tab.Rows, f.Spec.Window)
	}
	// The model reads the last Window rows, and the time labels continue
	// the last two: none of them may follow a dropped row.
	if nb, last := len(tab.Breaks), max(f.Spec.Window, 2); nb > 0 && tab.Breaks[nb-1] > tab.Rows-last {
		return fmt.Errorf("predict: %s: the last %d rows, which the forecast starts from, span rows dropped for missing values (%d rows from the end); use --gaps interpolate or fill them",
			*csvPath, last, tab.Rows-tab.Breaks[nb-1])
	}
	if h := f.Spec.AnchorHistory; h > f.Spec.Window {
		// The anchor reads up to h rows, none before a dropped row.
		avail, from := tab.Rows, 0
		if nb := len(tab.Breaks); nb > 0 {
			from = tab.Breaks[nb-1]
			avail -= from
		}
		input = input[from*len(f.Spec.Features):]
		if avail < h {
			where := ""
			if from > 0 {
				where = " after the last row dropped for missing values"
			}
			fmt.Fprintf(stderr, "predict: the model's anchor reads the last %d rows (train --anchor-history); %s has %d%s: the anchor reads those\n", h, *csvPath, avail, where)
		}
	}
	var mean, std []float64
	if *mc > 0 {
		if f.Spec.Dropout == 0 {
			fmt.Fprintln(stderr, "predict: the model has no dropout (train --dropout); the std is 0")
		}
		mean, std, err = f.PredictMC(ctx, input, *mc, *seed)
	} else {
		mean, err = f.Predict(input)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return &cmdError{"predict: interrupted", err}
		}
		return libError("predict", err)
	}
	times, err := forecastTimes(tab, len(mean))
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	var quant []float64
	nq := len(f.Spec.Quantiles)
	if nq > 0 {
		if quant, err = f.PredictQuantiles(input); err != nil {
			return libError("predict", err)
		}
	}

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"time", "forecast"}
	if std != nil {
		head = append(head, "std")
	}
	head = append(head, quantileNames(f.Spec.Quantiles)...)
	w.Write(head)
	for i, v := range mean {
		rec := []string{times[i], strconv.FormatFloat(v, 'g', 8, 64)}
		if std != nil {
			rec = append(rec, strconv.FormatFloat(std[i], 'g', 6, 64))
		}
		if quant != nil {
			rec = append(rec, formatRow(quant[i*nq:(i+1)*nq])...)
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if *out != "" {
		if err := atomicfile.Write(*out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("predict: --out: %w", err)
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if *plotPath != "" {
		target := f.Spec.Features[f.Spec.Target]
		hist, err := tab.Column(target)
		if err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		title := fmt.Sprintf("%s forecast of %s (%s)", f.Spec.Family, target, *csvPath)
		b, err := forecastPNG(title, target, hist, tab.Time, mean, chooseBand(f.Spec.Quantiles, quant, nil, mean, std), times, 3*max(f.Spec.Window, f.Spec.Horizon))
		if err == nil {
			err = atomicfile.Write(*plotPath, b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("predict: --plot: %w", err)
		}
		fmt.Fprintf(stderr, "wrote %s\n", *plotPath)
	}
	return nil
}

// withCalendar appends to tab the calendar inputs of a model trained with
// train --calendar, from tab's time column, and checks that they are the
// ones the model was trained with (want).
func withCalendar(tab *series.Table, horizon int, want []string, path string) (*series.Table, error) {
	out, names, err := tab.WithCalendar(horizon)
	if err != nil {
		return nil, fmt.Errorf("%s: the model reads calendar inputs (train --calendar): %w", path, err)
	}
	if err := sameCalendar(names, want, path); err != nil {
		return nil, err
	}
	return out, nil
}

// sameCalendar checks that the calendar inputs names made from path's time
// column are those the model was trained with (want).
func sameCalendar(names, want []string, path string) error {
	if !slices.Equal(names, want) {
		return fmt.Errorf("%s: the time step gives the calendar inputs %q; the model was trained with %q", path, names, want)
	}
	return nil
}

// readFeatures reads a model's features from path. A model trained on a
// file without a header names its columns col0, col1, ... (series.Table);
// when the names are not found, such columns are read by index again.
func readFeatures(path string, features []string, timeCol string, gaps series.GapPolicy, delim string) (*series.Table, error) {
	tab, err := readTable(path, features, timeCol, gaps, delim)
	if err == nil {
		return tab, nil
	}
	idx := make([]string, len(features))
	for i, name := range features {
		n, ok := strings.CutPrefix(name, "col")
		if _, aerr := strconv.Atoi(n); !ok || aerr != nil {
			return nil, err
		}
		idx[i] = n
	}
	tab, err2 := readTable(path, idx, timeCol, gaps, delim)
	if err2 != nil {
		return nil, err
	}
	tab.Names = features
	return tab, nil
}

// forecastTimes continues the time column, or the 0-based row numbers when
// there is none.
func forecastTimes(tab *series.Table, n int) ([]string, error) {
	if tab.Time != nil {
		t, err := series.NextTimes(tab.Time, n)
		if err != nil {
			return nil, fmt.Errorf("continue the time column %q: %w (use --time to name another)", tab.TimeName, err)
		}
		return t, nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(tab.Rows + i)
	}
	return out, nil
}

// band is an interval around a forecast, drawn shaded: its lower and upper
// bounds at each step and its legend.
type band struct {
	lo, hi []float64
	label  string
}

// chooseBand returns the band to draw: the outermost of quantile forecasts
// quant (of quantiles qs, step by step), else the interval iv (lower and
// upper), else ±2 MC dropout standard deviations, else nil.
func chooseBand(qs, quant []float64, iv *band, mean, std []float64) *band {
	switch nq := len(qs); {
	case nq > 1 && quant != nil:
		b := &band{label: fmt.Sprintf("q%g to q%g (%.3g interval)", qs[0], qs[nq-1], qs[nq-1]-qs[0])}
		for k := range len(quant) / nq {
			b.lo, b.hi = append(b.lo, quant[k*nq]), append(b.hi, quant[(k+1)*nq-1])
		}
		return b
	case iv != nil:
		return iv
	case std != nil:
		b := &band{label: "±2 std (MC dropout)"}
		for k, m := range mean {
			b.lo, b.hi = append(b.lo, m-2*std[k]), append(b.hi, m+2*std[k])
		}
		return b
	}
	return nil
}

// forecastPNG draws the last keep values of hist and the forecast after
// them, with the band shaded when given, as a 960 x 540 PNG. The x axis
// is the row number, labelled with the times where known.
func forecastPNG(title, yLabel string, hist []float64, histTimes []string, mean []float64, iv *band, times []string, keep int) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("draw: %v", r)
		}
	}()
	keep = min(keep, len(hist))
	start := len(hist) - keep
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "time", yLabel
	p.Add(plotter.NewGrid())
	labels := make(map[int]string)
	if histTimes != nil {
		for i := start; i < len(hist); i++ {
			labels[i] = histTimes[i]
		}
	}
	for i, t := range times {
		labels[len(hist)+i] = t
	}
	if histTimes != nil {
		p.X.Tick.Marker = labelTicks(labels)
	}

	if iv != nil {
		var ring plotter.XYs
		for i, v := range iv.hi {
			ring = append(ring, plotter.XY{X: float64(len(hist) + i), Y: v})
		}
		for i := len(iv.lo) - 1; i >= 0; i-- {
			ring = append(ring, plotter.XY{X: float64(len(hist) + i), Y: iv.lo[i]})
		}
		poly, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, err
		}
		poly.Color = color.NRGBA{R: 238, G: 46, B: 47, A: 60}
		poly.LineStyle.Width = 0
		p.Add(poly)
		p.Legend.Add(iv.label, poly)
	}
	var h plotter.XYs
	for i := start; i < len(hist); i++ {
		h = append(h, plotter.XY{X: float64(i), Y: hist[i]})
	}
	hl, err := plotter.NewLine(h)
	if err != nil {
		return nil, err
	}
	hl.Color, hl.Width = color.RGBA{R: 60, G: 60, B: 60, A: 255}, vg.Points(1.2)
	p.Add(hl)
	p.Legend.Add("history", hl)
	fc := plotter.XYs{{X: float64(len(hist) - 1), Y: hist[len(hist)-1]}} // joined to the history
	for i, m := range mean {
		fc = append(fc, plotter.XY{X: float64(len(hist) + i), Y: m})
	}
	fl, fp, err := plotter.NewLinePoints(fc)
	if err != nil {
		return nil, err
	}
	fl.Color, fl.Width = plotutil.DarkColors[0], vg.Points(1.8)
	fp.Color, fp.Shape, fp.Radius = plotutil.DarkColors[0], draw.CircleGlyph{}, vg.Points(2)
	p.Add(fl, fp)
	p.Legend.Add("forecast", fl, fp)
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max += 0.2 * (p.Y.Max - p.Y.Min) // room for the legend above the lines

	return plotPNG(p)
}

// labelTicks puts about six ticks on whole row numbers, labelled with their
// times.
type labelTicks map[int]string

func (l labelTicks) Ticks(lo, hi float64) []plot.Tick {
	a, b := int(math.Ceil(lo)), int(math.Floor(hi))
	if b < a {
		return nil
	}
	step := max(1, (b-a)/6)
	var ts []plot.Tick
	for i := a; i <= b; i += step {
		ts = append(ts, plot.Tick{Value: float64(i), Label: l[i]})
	}
	return ts
}

// plotPNG renders p as the commands' PNG plots are: 8 by 4.5 inches at
// 120 dpi.
func plotPNG(p *plot.Plot) ([]byte, error) {
	img := vgimg.NewWith(vgimg.UseWH(8*vg.Inch, 4.5*vg.Inch), vgimg.UseDPI(120))
	p.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
