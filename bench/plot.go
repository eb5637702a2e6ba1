package bench

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/seqcast/seqcast/internal/atomicfile"
)

// The size of every plot WritePlots draws: 8 x 6 inches at 120 dpi, so
// 960 x 720 pixels.
const (
	PlotWidth  = 8 * vg.Inch
	PlotHeight = 6 * vg.Inch
	PlotDPI    = 120
)

// maxPanels is how many sample series a forecast plot shows.
const maxPanels = 4

// WritePlots draws the report as PNG files in dir, which it creates if
// needed, and returns the paths it wrote:
//
//   - forecast_<experiment>.png for each experiment with a Sample: up to
//     four validation series, their inputs, true future and forecast, with
//     ±2 std error bars where Monte Carlo dropout gave a std;
//   - learning_curves.png: training and validation loss per epoch of the
//     trained experiments, on a log scale;
//   - valid_mse.png: validation MSE per experiment as bars, with the book
//     notebook's value marked where known.
//
// Plots with nothing finite to draw are skipped. Each file is written
// atomically. On error it still writes what it can, and returns the paths
// written with the errors joined.
func WritePlots(dir string, r *Report) ([]string, error) {
	if r == nil {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: plots: %w", err)
	}
	var (
		paths []string
		errs  []error
	)
	emit := func(name string, draw func(draw.Canvas) bool) {
		b, ok, err := renderPNG(draw)
		if err == nil && ok {
			path := filepath.Join(dir, name)
			if err = atomicfile.Write(path, b, 0o644); err == nil {
				paths = append(paths, path)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("bench: plot %s: %w", name, err))
		}
	}
	for i := range r.Results {
		x := &r.Results[i]
		if x.Sample == nil {
			continue
		}
		emit("forecast_"+fileSafe(x.Experiment)+".png", func(c draw.Canvas) bool { return drawForecasts(c, x) })
	}
	emit("learning_curves.png", func(c draw.Canvas) bool { return drawLearningCurves(c, r) })
	emit("valid_mse.png", func(c draw.Canvas) bool { return drawValidMSE(c, r) })
	return paths, errors.Join(errs...)
}

// renderPNG draws onto a fresh canvas and encodes it. ok is false when fn
// found nothing to draw. A panic inside the plotting library becomes an
// error, so one bad plot does not lose a finished run.
func renderPNG(fn func(draw.Canvas) bool) (b []byte, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, ok, err = nil, false, fmt.Errorf("draw: %v", p)
		}
	}()
	img := vgimg.NewWith(vgimg.UseWH(PlotWidth, PlotHeight), vgimg.UseDPI(PlotDPI))
	if !fn(draw.New(img)) {
		return nil, false, nil
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, false, err
	}
	return buf.Bytes(), true, nil
}

func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// Colours: a dark palette reads better for thin lines than plotutil's
// default soft one.
var (
	inputColor    = color.RGBA{R: 60, G: 60, B: 60, A: 255}
	truthColor    = plotutil.DarkColors[2] // blue
	forecastColor = plotutil.DarkColors[0] // red
	bandColor     = color.NRGBA{R: 238, G: 46, B: 47, A: 50}
	gridColor     = color.Gray{Y: 220}
	splitColor    = color.Gray{Y: 150}
)

func seriesColor(i int) color.Color {
	n := len(plotutil.DarkColors)
	return plotutil.DarkColors[((i%n)+n)%n]
}

func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		Handler: plot.DefaultTextHandler,
	}
}

func newPlot(title, xLabel, yLabel string, fontSize vg.Length) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = fontSize + 2
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = fontSize, fontSize
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = fontSize-1, fontSize-1
	p.Legend.TextStyle.Font.Size = fontSize - 1
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	p.Add(g)
	return p
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// segments splits (x0+i, ys[i]) into runs of points that keep returns
// true for, so a gap shows as a break rather than a made-up line.
func segments(x0 float64, ys []float64, keep func(float64) bool) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i, y := range ys {
		if !keep(y) {
			if len(cur) > 0 {
				out, cur = append(out, cur), nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: x0 + float64(i), Y: y})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// yRange widens [lo, hi] with the values in ys that keep accepts.
type yRange struct {
	lo, hi float64
	n      int
}

func (r *yRange) add(v float64) {
	if r.n == 0 || v < r.lo {
		r.lo = v
	}
	if r.n == 0 || v > r.hi {
		r.hi = v
	}
	r.n++
}

// legendItem is one entry of a legend drawn outside the plot area.
type legendItem struct {
	label  string
	thumbs []plot.Thumbnailer
}

// drawHLegend draws items in one centred row (wrapping if needed) at the
// top of c and returns the height it used.
func drawHLegend(c draw.Canvas, items []legendItem, sty text.Style) vg.Length {
	const thumbW, gap, spacing = vg.Length(22), vg.Length(4), vg.Length(14)
	h := sty.Height("Mg")
	width := func(it legendItem) vg.Length { return thumbW + gap + sty.Width(it.label) }
	// Break into rows that fit.
	var rows [][]legendItem
	var row []legendItem
	var rowW vg.Length
	avail := c.Max.X - c.Min.X - 20
	for _, it := range items {
		w := width(it)
		if len(row) > 0 && rowW+spacing+w > avail {
			rows, row, rowW = append(rows, row), nil, 0
		}
		if len(row) > 0 {
			rowW += spacing
		}
		row, rowW = append(row, it), rowW+w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	y := c.Max.Y
	for _, row := range rows {
		var total vg.Length
		for i, it := range row {
			if i > 0 {
				total += spacing
			}
			total += width(it)
		}
		x := c.Min.X + (c.Max.X-c.Min.X-total)/2
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: x, Y: y - h}, Max: vg.Point{X: x + thumbW, Y: y}}}
		for _, it := range row {
			icon.Min.X, icon.Max.X = x, x+thumbW
			for _, t := range it.thumbs {
				t.Thumbnail(&icon)
			}
			c.FillText(sty, vg.Point{X: x + thumbW + gap, Y: y - h/2}, it.label)
			x += width(it) + spacing
		}
		y -= h + 4
	}
	return c.Max.Y - y
}

// drawTitle writes a centred title at the top of c and returns the height
// it used.
func drawTitle(c draw.Canvas, title string, size vg.Length) vg.Length {
	sty := textStyle(size)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y}, title)
	return sty.Height(title)
}

// vline is a vertical line across the data area at X; it takes no part in
// the axis ranges.
type vline struct {
	X float64
	draw.LineStyle
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.X)
	if c.ContainsX(x) {
		c.StrokeLine2(v.LineStyle, x, c.Min.Y, x, c.Max.Y)
	}
}

// drawForecasts draws up to four sample series of one experiment.
func drawForecasts(c draw.Canvas, x *Result) bool {
	s := x.Sample
	n := min(maxPanels, len(s.Inputs))
	if n == 0 {
		return false
	}
	at := func(v [][]float64, i int) []float64 {
		if i < len(v) {
			return v[i]
		}
		return nil
	}
	hasStd := false
	var panels []*plot.Plot
	for i := 0; i < n; i++ {
		p, std := forecastPanel(fmt.Sprintf("validation series %d", i+1), at(s.Inputs, i), at(s.Truth, i), at(s.Forecast, i), at(s.Std, i))
		if p != nil {
			panels = append(panels, p)
			hasStd = hasStd || std
		}
	}
	if len(panels) == 0 {
		return false
	}

	pad := vg.Length(8)
	c = draw.Crop(c, pad, -pad, pad, -pad)
	title := fmt.Sprintf("%s: forecasts of validation series (valid MSE %s)", x.Experiment, num(x.ValidMSE))
	// Long architectures would run off the page: only short ones join the
	// title.
	if x.Model != "" && len(x.Model) <= 40 {
		title = fmt.Sprintf("%s [%s]: forecasts (valid MSE %s)", x.Experiment, x.Model, num(x.ValidMSE))
	}
	top := drawTitle(c, title, 15) + 6
	if x.MC != nil {
		sub := textStyle(11)
		sub.XAlign, sub.YAlign = draw.XCenter, draw.YTop
		line := fmt.Sprintf("MC dropout, %d passes: mean-forecast MSE %s, %.1f%% of last-step targets within ±2 std",
			x.MC.Passes, num(x.MC.MeanMSE), 100*x.MC.Within2StdLast)
		c.FillText(sub, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - top}, line)
		top += sub.Height(line) + 4
	}
	steps := 0
	for _, f := range s.Forecast {
		steps = max(steps, len(f))
	}
	items := forecastLegend(hasStd, steps > 1)
	top += drawHLegend(draw.Crop(c, 0, 0, 0, -top), items, textStyle(11)) + 4

	cols, rows := 1, len(panels)
	if len(panels) > 2 {
		cols, rows = 2, (len(panels)+1)/2
	}
	grid := make([][]*plot.Plot, rows)
	for j := range grid {
		grid[j] = make([]*plot.Plot, cols)
		for i := range grid[j] {
			if k := j*cols + i; k < len(panels) {
				grid[j][i] = panels[k]
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Length(14), PadY: vg.Length(10)}
	body := draw.Crop(c, 0, 0, 0, -top)
	canvases := plot.Align(grid, tiles, body)
	for j := range grid {
		for i, p := range grid[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	return true
}

func forecastStyles() (input, truth, forecast draw.LineStyle) {
	input = draw.LineStyle{Color: inputColor, Width: vg.Points(1.2)}
	truth = draw.LineStyle{Color: truthColor, Width: vg.Points(1.2)}
	forecast = draw.LineStyle{Color: forecastColor, Width: vg.Points(1.6)}
	return
}

func forecastLegend(hasStd, multiStep bool) []legendItem {
	in, tr, fc := forecastStyles()
	line := func(ls draw.LineStyle) *plotter.Line { return &plotter.Line{LineStyle: ls} }
	glyph := func(g draw.GlyphStyle) *plotter.Scatter { return &plotter.Scatter{GlyphStyle: g} }
	tg, fg := truthGlyph(), forecastGlyph()
	items := []legendItem{
		{"inputs", []plot.Thumbnailer{line(in)}},
		{"true future", []plot.Thumbnailer{line(tr), glyph(tg)}},
		{"forecast", []plot.Thumbnailer{line(fc), glyph(fg)}},
	}
	if !multiStep {
		items[2].thumbs = items[2].thumbs[1:]
	}
	if hasStd {
		band := &plotter.Polygon{Color: bandColor}
		bars := draw.LineStyle{Color: forecastColor, Width: vg.Points(1)}
		th := []plot.Thumbnailer{band, line(bars)}
		if !multiStep {
			th = th[1:]
		}
		items = append(items, legendItem{"forecast ± 2 std (MC dropout)", th})
	}
	return items
}

func truthGlyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: truthColor, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
}

func forecastGlyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: forecastColor, Radius: vg.Points(3.5), Shape: thickCross{}}
}

// thickCross is draw.CrossGlyph with a line heavy enough to see.
type thickCross struct{}

func (thickCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: vg.Points(1.6)}
	r := sty.Radius
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}

// forecastPanel plots one series: inputs at steps 0..len-1, the future and
// forecast after them. It returns nil when nothing is finite.
func forecastPanel(title string, inputs, truth, forecast, std []float64) (*plot.Plot, bool) {
	p := newPlot(title, "time step", "value", 10)
	inStyle, trStyle, fcStyle := forecastStyles()
	t0 := float64(len(inputs))
	drawn := false
	addLine := func(xys plotter.XYs, ls draw.LineStyle, g *draw.GlyphStyle) {
		if len(xys) > 1 {
			l, err := plotter.NewLine(xys)
			if err == nil {
				l.LineStyle = ls
				p.Add(l)
			}
		}
		if g != nil || len(xys) == 1 {
			sc, err := plotter.NewScatter(xys)
			if err == nil {
				if g != nil {
					sc.GlyphStyle = *g
				} else {
					sc.GlyphStyle = draw.GlyphStyle{Color: ls.Color, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}
				}
				p.Add(sc)
			}
		}
		drawn = drawn || len(xys) > 0
	}
	for _, seg := range segments(0, inputs, finite) {
		addLine(seg, inStyle, nil)
	}
	// The true future continues the input line from its last step.
	if len(truth) > 0 {
		anchor := append([]float64(nil), truth...)
		x0 := t0
		if n := len(inputs); n > 0 && finite(inputs[n-1]) {
			anchor = append([]float64{inputs[n-1]}, truth...)
			x0 = t0 - 1
		}
		for _, seg := range segments(x0, anchor, finite) {
			if len(seg) > 1 {
				l, err := plotter.NewLine(seg)
				if err == nil {
					l.LineStyle = trStyle
					p.Add(l)
				}
			}
		}
		tg := truthGlyph()
		for _, seg := range segments(t0, truth, finite) {
			sc, err := plotter.NewScatter(seg)
			if err == nil {
				sc.GlyphStyle = tg
				p.Add(sc)
				drawn = true
			}
		}
	}
	// Uncertainty first, so the forecast line lies on top.
	hasStd := false
	if len(std) > 0 && len(std) == len(forecast) {
		var pts plotter.XYs
		var errs plotter.YErrors
		for i, f := range forecast {
			if finite(f) && finite(std[i]) && std[i] >= 0 {
				pts = append(pts, plotter.XY{X: t0 + float64(i), Y: f})
				errs = append(errs, struct{ Low, High float64 }{2 * std[i], 2 * std[i]})
			}
		}
		if len(pts) > 0 {
			hasStd = true
			if len(pts) > 1 {
				ring := make(plotter.XYs, 0, 2*len(pts))
				for i, q := range pts {
					ring = append(ring, plotter.XY{X: q.X, Y: q.Y + errs[i].High})
				}
				for i := len(pts) - 1; i >= 0; i-- {
					ring = append(ring, plotter.XY{X: pts[i].X, Y: pts[i].Y - errs[i].Low})
				}
				if poly, err := plotter.NewPolygon(ring); err == nil {
					poly.Color = bandColor
					poly.LineStyle.Width = 0
					p.Add(poly)
				}
			}
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{pts, errs})
			if err == nil {
				eb.LineStyle = draw.LineStyle{Color: forecastColor, Width: vg.Points(1)}
				eb.CapWidth = vg.Points(5)
				p.Add(eb)
			}
		}
	}
	fg := forecastGlyph()
	for _, seg := range segments(t0, forecast, finite) {
		addLine(seg, fcStyle, &fg)
	}
	if !drawn {
		return nil, false
	}
	p.X.Tick.Marker = intTicks{max: 7}
	if len(inputs) > 0 {
		p.Add(vline{X: t0 - 0.5, LineStyle: draw.LineStyle{Color: splitColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}})
	}
	return p, hasStd
}

// drawLearningCurves plots loss per epoch of every trained experiment:
// training solid, validation dashed, one colour and marker per experiment.
func drawLearningCurves(c draw.Canvas, r *Report) bool {
	p := newPlot("Learning curves (training solid, validation dashed)", "epoch", "loss (MSE, log scale)", 12)
	positive := func(v float64) bool { return finite(v) && v > 0 }
	var yr yRange
	maxEpoch := 0
	var items []legendItem
	k := 0
	for _, x := range r.Results {
		if len(x.TrainLoss) == 0 && len(x.ValidLoss) == 0 {
			continue
		}
		col := seriesColor(k)
		glyph := draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: plotutil.Shape(k)}
		var thumbs []plot.Thumbnailer
		drew := false
		for j, losses := range [][]float64{x.TrainLoss, x.ValidLoss} {
			ls := draw.LineStyle{Color: col, Width: vg.Points(1.6)}
			if j == 1 {
				ls.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
			}
			for _, seg := range segments(1, losses, positive) {
				for _, q := range seg {
					yr.add(q.Y)
				}
				if len(seg) > 1 {
					if l, err := plotter.NewLine(seg); err == nil {
						l.LineStyle = ls
						p.Add(l)
					}
				}
				if sc, err := plotter.NewScatter(seg); err == nil {
					sc.GlyphStyle = glyph
					p.Add(sc)
				}
				drew = true
			}
			maxEpoch = max(maxEpoch, len(losses))
			if j == 0 {
				thumbs = append(thumbs, &plotter.Line{LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1.6)}})
			}
		}
		if drew {
			thumbs = append(thumbs, &plotter.Scatter{GlyphStyle: glyph})
			items = append(items, legendItem{x.Experiment, thumbs})
		}
		k++
	}
	if yr.n == 0 {
		return false
	}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Y.Min, p.Y.Max = logPad(yr.lo, yr.hi, 1.25)
	p.X.Min, p.X.Max = 0.5, float64(maxEpoch)+0.5
	p.X.Tick.Marker = intTicks{max: 12}
	// Style entries, then one per experiment.
	black := color.Black
	items = append([]legendItem{
		{"training", []plot.Thumbnailer{&plotter.Line{LineStyle: draw.LineStyle{Color: black, Width: vg.Points(1.6)}}}},
		{"validation", []plot.Thumbnailer{&plotter.Line{LineStyle: draw.LineStyle{Color: black, Width: vg.Points(1.6), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}}}},
	}, items...)
	pad := vg.Length(8)
	c = draw.Crop(c, pad, -pad, pad, -pad)
	legendW := legendWidth(items, textStyle(11)) + 10
	body := draw.Crop(c, 0, -legendW, 0, 0)
	p.Draw(body)
	drawVLegend(draw.Crop(c, c.Max.X-c.Min.X-legendW+10, 0, 0, -30), items, textStyle(11))
	return true
}

func legendWidth(items []legendItem, sty text.Style) vg.Length {
	var w vg.Length
	for _, it := range items {
		w = max(w, sty.Width(it.label))
	}
	return w + 22 + 4
}

// drawVLegend draws items in a column from the top-left of c.
func drawVLegend(c draw.Canvas, items []legendItem, sty text.Style) {
	const thumbW, gap = vg.Length(22), vg.Length(4)
	h := sty.Height("Mg")
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	y := c.Max.Y
	for _, it := range items {
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: y - h}, Max: vg.Point{X: c.Min.X + thumbW, Y: y}}}
		for _, t := range it.thumbs {
			t.Thumbnail(&icon)
		}
		c.FillText(sty, vg.Point{X: c.Min.X + thumbW + gap, Y: y - h/2}, it.label)
		y -= h + 5
	}
}

// logPad returns a log-axis range around [lo, hi] (both > 0), widened by
// factor f on each side.
func logPad(lo, hi, f float64) (float64, float64) {
	if hi <= lo {
		return lo / 2, hi * 2
	}
	return lo / f, hi * f
}

// logTicks labels powers of ten, or 1-2-5 (and finer) steps when the
// range spans few decades, so that at least three values are labelled
// where that can be done; very narrow ranges fall back to linear ticks.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > lo) || !finite(lo) || !finite(hi) {
		return nil
	}
	e0, e1 := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	decades := e1 - e0
	step := max(1, decades/6)  // label every step-th decade when the range is wide
	var candidates []plot.Tick // every tick in range, unlabelled
	for e := e0; e <= e1; e++ {
		for m := 1; m <= 9; m++ {
			if decades > 8 && m != 1 {
				continue // too many minor ticks to read
			}
			v := float64(m) * math.Pow(10, float64(e))
			if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
				candidates = append(candidates, plot.Tick{Value: v})
			}
		}
	}
	mantissa := func(v float64) int {
		return int(math.Round(v / math.Pow(10, math.Floor(math.Log10(v)+1e-9))))
	}
	for _, set := range []string{"1", "125", "1235", "123456789"} {
		ticks := slices.Clone(candidates)
		n := 0
		for i, t := range ticks {
			m := mantissa(t.Value)
			e := int(math.Floor(math.Log10(t.Value) + 1e-9))
			if strings.ContainsRune(set, rune('0'+m)) && (m != 1 || (e-e0)%step == 0) {
				ticks[i].Label = strconv.FormatFloat(t.Value, 'g', -1, 64)
				n++
			}
		}
		if n >= 3 || (n >= 2 && set == "123456789") {
			return ticks
		}
	}
	return plot.DefaultTicks{}.Ticks(lo, hi)
}

// intTicks labels whole numbers in steps of 1, 2 or 5 times a power of
// ten, at most max of them (for epochs and time steps).
type intTicks struct{ max int }

func (t intTicks) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo) || !finite(hi) || hi <= lo {
		return nil
	}
	limit := float64(max(t.max, 2))
	span := hi - lo
	step := 1.0
	for span/step > limit {
		switch m := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9)); {
		case m < 1.5:
			step *= 2
		case m < 3:
			step *= 2.5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ticks
}

// bars draws one bar per value from the axis bottom (so a log scale works),
// each in its own colour, with its value written above it.
type bars struct {
	values []float64 // NaN: no bar
	refs   []float64 // reference marks to keep the value label above; NaN: none
	width  vg.Length
	label  text.Style
}

func (b *bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	base := c.Min.Y
	if !isLog(p) && p.Y.Min <= 0 && p.Y.Max >= 0 {
		base = trY(0)
	}
	sty := b.label
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
	for i, v := range b.values {
		if !finite(v) {
			continue
		}
		x, y := trX(float64(i)), trY(v)
		ly := y
		if i < len(b.refs) && finite(b.refs[i]) && (b.refs[i] > 0 || !isLog(p)) {
			ly = max(ly, trY(b.refs[i])+vg.Points(1.5))
		}
		pts := []vg.Point{{X: x - b.width/2, Y: base}, {X: x - b.width/2, Y: y}, {X: x + b.width/2, Y: y}, {X: x + b.width/2, Y: base}}
		c.FillPolygon(seriesColor(i), c.ClipPolygonY(pts))
		c.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}, c.ClipLinesY(append(pts, pts[0]))...)
		c.FillText(sty, vg.Point{X: x, Y: ly + 3}, num(v))
	}
}

func isLog(p *plot.Plot) bool {
	_, ok := p.Y.Scale.(plot.LogScale)
	return ok
}

func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(b.values)) - 0.5, 0, 0
}

// refMarks draws a short black bar at each reference value (the notebook's
// MSE); NaN marks none.
type refMarks struct {
	values []float64
	width  vg.Length
	draw.LineStyle
}

func (m *refMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for i, v := range m.values {
		if !finite(v) {
			continue
		}
		x, y := trX(float64(i)), trY(v)
		if c.ContainsY(y) {
			c.StrokeLine2(m.LineStyle, x-m.width/2, y, x+m.width/2, y)
		}
	}
}

func (m *refMarks) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(m.LineStyle, c.Min.X, y, c.Max.X, y)
}

// drawValidMSE draws validation MSE per experiment as bars.
func drawValidMSE(c draw.Canvas, r *Report) bool {
	var names []string
	var vals, refs []float64
	var yr yRange
	for _, x := range r.Results {
		v := x.ValidMSE
		if !finite(v) || v < 0 {
			v = math.NaN()
		}
		ref := math.NaN()
		if f, err := strconv.ParseFloat(strings.TrimSpace(x.Notebook), 64); err == nil && finite(f) && f >= 0 {
			ref = f
		}
		if math.IsNaN(v) && math.IsNaN(ref) {
			continue
		}
		names, vals, refs = append(names, x.Experiment), append(vals, v), append(refs, ref)
	}
	for _, v := range append(append([]float64(nil), vals...), refs...) {
		if finite(v) {
			yr.add(v)
		}
	}
	if len(names) == 0 || yr.n == 0 {
		return false
	}
	title := "Validation MSE per experiment"
	if r.Profile != "" || r.Series > 0 {
		title += fmt.Sprintf(" (%s profile, %d series)", r.Profile, r.Series)
	}
	p := newPlot(title, "", "validation MSE", 12)
	log := yr.lo > 0 && yr.hi/yr.lo > 20
	if log {
		p.Y.Label.Text = "validation MSE (log scale)"
	}
	// On a log scale bars need a positive floor.
	if log {
		for i, v := range vals {
			if v <= 0 {
				vals[i] = math.NaN()
			}
		}
	}
	width := vg.Length(float64(PlotWidth-1.5*vg.Inch) / float64(len(names)) * 0.6)
	width = min(width, vg.Points(60))
	p.Add(&bars{values: vals, refs: refs, width: width, label: textStyle(10)})
	hasRef := false
	for _, f := range refs {
		hasRef = hasRef || finite(f)
	}
	ref := &refMarks{values: refs, width: width + 8, LineStyle: draw.LineStyle{Color: color.Black, Width: vg.Points(2.5)}}
	if hasRef {
		p.Add(ref)
	}
	if log {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = logPad(yr.lo, yr.hi, 2)
	} else {
		p.Y.Min, p.Y.Max = 0, yr.hi*1.15
		if p.Y.Max == 0 {
			p.Y.Max = 1
		}
	}
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.X.Padding = 0 // bars stand on the axis
	ticks := make(plot.ConstantTicks, len(names))
	longest := 0
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
		longest = max(longest, len(n))
	}
	p.X.Tick.Marker = ticks
	p.X.Tick.Label.Font.Size = 11
	if len(names)*longest > 60 {
		p.X.Tick.Label.Rotation = math.Pi / 4
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
	pad := vg.Length(8)
	c = draw.Crop(c, pad, -pad, pad, -pad)
	if hasRef {
		items := []legendItem{{"book notebook's valid MSE", []plot.Thumbnailer{ref}}}
		sty := textStyle(11)
		lh := sty.Height("Mg") + 6
		p.Draw(draw.Crop(c, 0, 0, lh, 0))
		drawHLegend(draw.Crop(c, 0, 0, 0, -(c.Size().Y-lh)), items, sty)
		return true
	}
	p.Draw(c)
	return true
}
