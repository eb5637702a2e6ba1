package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The files exchanged with scripts/classical/forecast.R. Values travel as C99
// hexadecimal floats (%a in R, strconv 'x' in Go), so that both sides hold
// the same doubles bit for bit; decimal text through R's own parser can be
// an ulp off.

// writeSeries writes y one hexadecimal float a line, as forecast.R reads it.
func writeSeries(w io.Writer, y []float64) error {
	var b strings.Builder
	for _, v := range y {
		b.WriteString(strconv.FormatFloat(v, 'x', -1, 64))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readForecasts reads forecast.R's forecasts.csv (method,origin,step,forecast)
// and returns, for every method in the order of its first line, the
// len(origins)*horizon forecasts, origin by origin and step by step, as
// protocol.score takes them. Every method must have exactly one finite
// forecast for each origin and step 1 to horizon.
func readForecasts(r io.Reader, origins []int, horizon int) (map[string][]float64, []string, error) {
	index := make(map[int]int, len(origins))
	for i, o := range origins {
		index[o] = i
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("forecasts: header: %w", err)
	}
	if strings.Join(head, ",") != "method,origin,step,forecast" {
		return nil, nil, fmt.Errorf("forecasts: header %q, want method,origin,step,forecast", strings.Join(head, ","))
	}
	n := len(origins) * horizon
	fc := map[string][]float64{}
	seen := map[string][]bool{}
	var order []string
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("forecasts: %w", err)
		}
		method := rec[0]
		o, err1 := strconv.Atoi(rec[1])
		k, err2 := strconv.Atoi(rec[2])
		v, err3 := strconv.ParseFloat(rec[3], 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, nil, fmt.Errorf("forecasts: line %d: %w", line, err)
		}
		i, ok := index[o]
		if !ok || k < 1 || k > horizon {
			return nil, nil, fmt.Errorf("forecasts: line %d: origin %d step %d is not one of the %d origins and %d steps", line, o, k, len(origins), horizon)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("forecasts: line %d: %s forecast %v", line, method, v)
		}
		if _, ok := fc[method]; !ok {
			fc[method] = make([]float64, n)
			seen[method] = make([]bool, n)
			order = append(order, method)
		}
		j := i*horizon + k - 1
		if seen[method][j] {
			return nil, nil, fmt.Errorf("forecasts: line %d: %s origin %d step %d twice", line, method, o, k)
		}
		fc[method][j], seen[method][j] = v, true
	}
	for _, m := range order {
		for j, ok := range seen[m] {
			if !ok {
				return nil, nil, fmt.Errorf("forecasts: %s has no forecast for origin %d step %d", m, origins[j/horizon], j%horizon+1)
			}
		}
	}
	return fc, order, nil
}

// An rModel is one line of forecast.R's models.csv.
type rModel struct {
	Method      string  // ets, arima, tbats, stl_ets, snaive_<m>
	Description string  // R's name of the fitted model, e.g. ETS(A,Ad,N)
	FitSec      float64 // fitting on the training part
	FilterSec   float64 // re-filtering and forecasting at every origin
	Error       string  // why the method has no forecasts, or empty
}

// readModels reads forecast.R's models.csv.
func readModels(r io.Reader) ([]rModel, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("models: %w", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "method,description,fit_s,filter_s,error" {
		return nil, errors.New("models: want the header method,description,fit_s,filter_s,error")
	}
	var out []rModel
	for i, rec := range recs[1:] {
		fit, err1 := strconv.ParseFloat(rec[2], 64)
		filter, err2 := strconv.ParseFloat(rec[3], 64)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("models: line %d: %w", i+2, err)
		}
		out = append(out, rModel{Method: rec[0], Description: rec[1], FitSec: fit, FilterSec: filter, Error: rec[4]})
	}
	return out, nil
}
