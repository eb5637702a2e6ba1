package bench

import (
	"strings"
	"testing"
)

func TestOutOfBand(t *testing.T) {
	t.Parallel()
	last := func(v float64) *float64 { return &v }
	r := &Report{Seed: 42, Results: []Result{
		{Experiment: "naive1", ValidMSE: 0.020211},
		{Experiment: "linear1", ValidMSE: 0.0034},                                     // below the band
		{Experiment: "seq2seq_lstm", ValidMSE: 0.024, ValidLastStepMSE: last(0.0097)}, // judged on the last step
		{Experiment: "wavenet", ValidMSE: 0.008, ValidLastStepMSE: last(0.0095)},
		{Experiment: "mc_dropout_gru", ValidMSE: 1}, // no band
	}}
	got := OutOfBand(r)
	if len(got) != 2 || !strings.HasPrefix(got[0], "linear1: valid MSE 0.0034 outside 0.0035-0.005") || !strings.HasPrefix(got[1], "wavenet: valid MSE 0.0095 outside <= 0.009") {
		t.Errorf("OutOfBand = %q", got)
	}
	// Seed 7 draws other data: the naive baselines have no band there.
	if got := OutOfBand(&Report{Seed: 7, Results: []Result{{Experiment: "naive1", ValidMSE: 0.0201}}}); got != nil {
		t.Errorf("OutOfBand at seed 7 = %q, want none", got)
	}
	for _, e := range experiments {
		if _, ok := BandOf(e.Name, 42); !ok && e.Name != "mc_dropout_gru" {
			t.Errorf("experiment %s has no band", e.Name)
		}
	}
}

func TestKeepSections(t *testing.T) {
	t.Parallel()
	old := []byte("# old\n\nstale table\n\n<!-- classical:begin -->\nR rows\n<!-- classical:end -->\n")
	got := string(KeepSections([]byte("# new\n\ntable\n"), old))
	if want := "# new\n\ntable\n\n<!-- classical:begin -->\nR rows\n<!-- classical:end -->\n"; got != want {
		t.Errorf("KeepSections = %q, want %q", got, want)
	}
	old = append(old, "\n<!-- auto:begin -->\nauto rows\n<!-- auto:end -->\n"...)
	got = string(KeepSections([]byte("# new\n"), old))
	if want := "# new\n\n<!-- classical:begin -->\nR rows\n<!-- classical:end -->\n\n<!-- auto:begin -->\nauto rows\n<!-- auto:end -->\n"; got != want {
		t.Errorf("KeepSections with two sections = %q, want %q", got, want)
	}
	old = append([]byte("<!-- notes:begin -->\nload 1\n<!-- notes:end -->\n"), old...)
	got = string(KeepSections([]byte("# new\n"), old))
	if want := "# new\n\n<!-- notes:begin -->\nload 1\n<!-- notes:end -->\n\n<!-- classical:begin -->\nR rows\n<!-- classical:end -->\n\n<!-- auto:begin -->\nauto rows\n<!-- auto:end -->\n"; got != want {
		t.Errorf("KeepSections with notes = %q, want %q", got, want)
	}
	if got := string(KeepSections([]byte("# new\n"), []byte("no markers"))); got != "# new\n" {
		t.Errorf("KeepSections without markers = %q", got)
	}
}
