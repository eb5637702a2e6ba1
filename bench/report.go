package bench

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
)

// WriteTable prints the report as an aligned table.
func WriteTable(w io.Writer, r *Report) error {
	fmt.Fprintf(w, "seqcast bench: profile %s, %d series, seed %d, device %s", r.Profile, r.Series, r.Seed, r.Machine.Device)
	if r.Dtype == "float64" {
		fmt.Fprint(w, ", float64")
	}
	if r.Profile == Quick {
		fmt.Fprint(w, " (quick profile: fewer series and epochs than the book; its MSEs are not the book's. Use --profile book for the chapter's set-up)")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "experiment\tparams\tepochs\tvalid MSE\tvalid last-step\ttest MSE\tnotebook\ts/epoch\tpeak RSS MB\tdevice\tmodel\t")
	for _, x := range r.Results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t\n", x.Experiment, x.Params, x.Epochs,
			num(x.ValidMSE), ptr(x.ValidLastStepMSE), num(x.TestMSE), dash(x.Notebook), secs(x.SecPerEpoch), x.PeakRSSMB, x.Device, x.Model)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, x := range r.Results {
		if x.MC != nil {
			fmt.Fprintf(w, "%s: MC dropout, %d passes: MSE of the mean %s (last step %s), mean std %.4g (last step %.4g), %.1f%% of last-step targets within 2 std\n",
				x.Experiment, x.MC.Passes, num(x.MC.MeanMSE), num(x.MC.MeanLastMSE), x.MC.MeanStd, x.MC.MeanLastStd, 100*x.MC.Within2StdLast)
		}
	}
	return nil
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 5, 64) }

func ptr(v *float64) string {
	if v == nil {
		return "-"
	}
	return num(*v)
}

func secs(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 2, 64)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// JSON encodes the report, with NaN values (which JSON lacks) as null.
func JSON(r *Report) ([]byte, error) {
	c := *r
	c.Results = make([]Result, len(r.Results))
	for i, x := range r.Results {
		x.TrainLoss, x.ValidLoss = finiteOrNil(x.TrainLoss), finiteOrNil(x.ValidLoss)
		c.Results[i] = x
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("bench: json: %w", err)
	}
	return b.Bytes(), nil
}

func finiteOrNil(v []float64) []float64 {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	}
	return v
}

// CSV encodes the table's columns as CSV with a header row.
func CSV(r *Report) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"experiment", "model", "device", "epochs", "params", "valid_mse", "valid_last_step_mse", "test_mse", "sec_per_epoch", "peak_rss_mb"})
	for _, x := range r.Results {
		opt := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'g', -1, 64)
		}
		w.Write([]string{x.Experiment, x.Model, x.Device, strconv.Itoa(x.Epochs), strconv.Itoa(x.Params),
			strconv.FormatFloat(x.ValidMSE, 'g', -1, 64), opt(x.ValidLastStepMSE), strconv.FormatFloat(x.TestMSE, 'g', -1, 64),
			opt(x.SecPerEpoch), strconv.FormatFloat(x.PeakRSSMB, 'f', 1, 64)})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
