package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/bench"
)

// The markers around this command's section of BENCHMARKS.md. Everything
// from the start of beginMarker to the end of endMarker is replaced; the
// rest of the file is left as it is.
const (
	beginMarker = "<!-- classical:begin -->"
	endMarker   = "<!-- classical:end -->"
)

// replaceSection returns doc with the text between the markers, markers
// included, replaced by section, which must itself start with beginMarker
// and end with endMarker and a newline. A doc without the markers gets
// section appended after a blank line. A doc with one marker only, or with
// them out of order or repeated, is an error.
func replaceSection(doc, section []byte) ([]byte, error) {
	b := bytes.Count(doc, []byte(beginMarker))
	e := bytes.Count(doc, []byte(endMarker))
	switch {
	case b == 0 && e == 0:
		out := bytes.TrimRight(doc, "\n")
		if len(out) > 0 {
			out = append(out, "\n\n"...)
		}
		return append(out, section...), nil
	case b != 1 || e != 1:
		return nil, fmt.Errorf("%d %s and %d %s markers, want one of each", b, beginMarker, e, endMarker)
	}
	i := bytes.Index(doc, []byte(beginMarker))
	j := bytes.Index(doc, []byte(endMarker))
	if j < i {
		return nil, errors.New(endMarker + " comes before " + beginMarker)
	}
	j += len(endMarker)
	if j < len(doc) && doc[j] == '\n' {
		j++
	}
	out := append([]byte{}, doc[:i]...)
	out = append(out, section...)
	return append(out, doc[j:]...), nil
}

// A Row is one line of a series' table: a seqcast family, an R model or a
// baseline, with its test metrics.
type Row struct {
	Method  string          `json:"method"`          // e.g. "seqcast lstm", "ETS(A,Ad,N)"
	Kind    string          `json:"kind"`            // seqcast, r or baseline
	Key     string          `json:"key"`             // family or forecast.R's method name
	Seasons string          `json:"seasons"`         // what the method was given, e.g. "48, 336"
	Test    seqcast.Metrics `json:"test"`            // zero with Error
	Seconds float64         `json:"seconds"`         // training, or fitting plus re-filtering
	Note    string          `json:"note,omitempty"`  // epochs run, window
	Error   string          `json:"error,omitempty"` // why there are no metrics
	// VsAuto compares the row's test MASE with the auto row's, origin by
	// origin (nil for seqcast's rows, or without an auto row).
	VsAuto *Paired `json:"vs_auto,omitempty"`
}

// A Result is one packaged series: its protocol, the check and the rows.
type Result struct {
	Series    string  `json:"series"`
	File      string  `json:"file"`
	Target    string  `json:"target"`
	Rows      [3]int  `json:"rows"` // training, validation, test
	Horizon   int     `json:"horizon"`
	Origins   int     `json:"origins"`
	Season    int     `json:"season"`     // seqcast's, of MASE and the checked seasonal naive
	MASEScale float64 `json:"mase_scale"` // in-sample seasonal-naive MAE of the training part
	Window    int     `json:"window"`     // of the seqcast rows
	Epochs    int     `json:"epochs"`     // most epochs of the seqcast rows
	// CheckMaxDiff is the largest absolute difference between the metrics
	// of R's seasonal naive (and naive) forecasts, scored here, and
	// seqcast's own, over MSE, MAE, sMAPE and MASE.
	CheckMaxDiff float64 `json:"check_max_diff"`
	Table        []Row   `json:"table"`
}

// A Report is everything the command measured.
type Report struct {
	Machine bench.Machine `json:"machine"`
	R       string        `json:"r"` // R and forecast versions
	Seconds float64       `json:"seconds"`
	// LoadStart and Load are the 1-minute load averages at the start and
	// the end of the run ("" where unknown).
	LoadStart string   `json:"load_start"`
	Load      string   `json:"load_end"`
	Series    []Result `json:"series"`
}

// markdown renders rep as the marked section of BENCHMARKS.md.
func markdown(rep *Report) []byte {
	var b bytes.Buffer
	m := rep.Machine
	b.WriteString(beginMarker + "\n")
	b.WriteString("## seqcast vs classical forecasts (`go run ./bench/classical`)\n\n")
	fmt.Fprintf(&b, "Machine: %s, %d CPUs, %s/%s, %s; %s; date %s; commit %s. Whole run %.0f s (1-minute load average %s at the start, %s at the end; the seconds below are wall-clock times on this shared machine).\n\n",
		dash(m.CPU), m.NumCPU, m.OS, m.Arch, m.GoVersion, rep.R, m.Date, dash(m.Commit), rep.Seconds, dash(rep.LoadStart), dash(rep.Load))
	fmt.Fprintf(&b, "Every packaged real series under `seqcast train`'s protocol: the chronological 70/15/15 split, "+
		"a forecast of the horizon from every test origin with the actual history up to it, and MASE scaled by "+
		"the training part's in-sample seasonal-naive MAE at seqcast's detected season. "+
		"R's models (Debian's r-cran-forecast) are fitted once on the training part and re-filtered at each origin "+
		"without re-estimating anything (`ets(y, model = fit, use.initial.values = TRUE)`, `Arima(y, model = fit)`, "+
		"`tbats(y, model = fit)`, `stlm(y, model = fit)`, which recomputes the STL decomposition on the history and "+
		"keeps the ETS model; see `scripts/classical/forecast.R`); ETS and ARIMA get the shortest season "+
		"(ETS ignores one over 24; for one over 24, ARIMA is auto.arima's non-seasonal errors of a regression on "+
		"Fourier terms of every season, as seasonal ARIMA at lag 48 did not finish fitting in 8 minutes), "+
		"TBATS and STL+ETS every season. Only the forecasts come from R; "+
		"they are scored here with seqcast's metrics. seqcast's rows are `seqcast.Train` on the target alone "+
		"with `seqcast train`'s defaults (32 units, 2 layers, anchor last, Adam 1e-3, batch 32, patience 5) at seed 1, "+
		"a window covering the longest season, and, where training is slow, fewer epochs than the default 50 "+
		"(stated per series) to keep the run short on 2 CPUs. "+
		"The row `seqcast train --model auto` is what that command runs given only the CSV, the target and the horizon, at seed 1: "+
		"its search of families, anchors and windows within the default 2-minute budget (wall clock, so a loaded machine reaches fewer trials), "+
		"each anchor's own forecast (the anchor alone, no network) among the candidates, "+
		"chosen on the validation part only, then the median forecast of 5 seeds of the chosen trial (one model for the anchor alone). "+
		"Before any row is written, R's seasonal naive and naive forecasts must score within 1e-9 of "+
		"seqcast's own baselines, or the command fails. "+
		"The column \"less auto's\" is a method's test MASE less the auto row's, from their mean absolute errors "+
		"over the horizon at the same origins, with its standard error from the means of blocks of horizon consecutive origins "+
		"(their forecasts overlap); positive: auto was more accurate. auto's forecasts for it are `Ensemble.Predict` "+
		"from each origin's history, checked to score as training reported.\n")
	for _, r := range rep.Series {
		fmt.Fprintf(&b, "\n### %s (`%s`, %s)\n\n", r.Series, r.File, r.Target)
		fmt.Fprintf(&b, "%d rows: %d training, %d validation, %d test; horizon %d from %d test origins; "+
			"seqcast's season %d (MASE scale %.4g); seqcast window %d, at most %d epochs. "+
			"Check: R's `snaive` and `naive` equal seqcast's seasonal-naive and naive metrics (largest difference %.3g).\n\n",
			r.Rows[0]+r.Rows[1]+r.Rows[2], r.Rows[0], r.Rows[1], r.Rows[2], r.Horizon, r.Origins,
			r.Season, r.MASEScale, r.Window, r.Epochs, r.CheckMaxDiff)
		b.WriteString("| method | season(s) | test MASE | less auto's (± SE) | test sMAPE % | test MAE | seconds | notes |\n|---|---|---|---|---|---|---|---|\n")
		for _, x := range r.Table {
			if x.Error != "" {
				fmt.Fprintf(&b, "| %s | %s | - | - | - | - | %.1f | failed: %s |\n", cell(x.Method), cell(x.Seasons), x.Seconds, cell(x.Error))
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %.1f | %s |\n", cell(x.Method), cell(x.Seasons),
				num(x.Test.MASE), x.VsAuto, num(x.Test.SMAPE), num(x.Test.MAE), x.Seconds, cell(x.Note))
		}
	}
	b.WriteString(endMarker + "\n")
	return b.Bytes()
}

// String formats p as a signed difference and its standard error, or "-"
// for nil.
func (p *Paired) String() string {
	if p == nil {
		return "-"
	}
	return fmt.Sprintf("%+.4f ± %.4f", p.Diff, p.SE)
}

func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cell makes s safe inside a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
