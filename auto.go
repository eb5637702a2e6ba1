package seqcast

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// MinBudget is the smallest AutoOptions.Budget: about what one epoch of the
// first family on a packaged series takes, so that TrainAuto can train at
// least one model.
const MinBudget = time.Second

// AutoFamilies returns the families TrainAuto tries by default, in its
// order: linear, the cheapest, then the recurrent ones, then wavenet, whose
// epochs take longest on long windows (one epoch at a window of 672 takes
// about three times a GRU's).
func AutoFamilies() []string { return []string{Linear, GRU, LSTM, ConvGRU, WaveNet} }

// AutoOptions are the settings of TrainAuto. The zero value of each field
// is its documented default.
type AutoOptions struct {
	// Families are tried in order (default, when empty, AutoFamilies()).
	Families []string
	// Anchors are tried, in order, for every family (default, when empty,
	// Anchors()).
	Anchors []string
	// Budget bounds the wall-clock time of the search (default 2 minutes,
	// at least MinBudget): no trial starts after it, and the trial running
	// when it ends stops after its current epoch, keeping its best epoch.
	Budget time.Duration
}

// A Trial is one family and anchor that TrainAuto tried.
type Trial struct {
	Family       string  `json:"family"`
	Anchor       string  `json:"anchor"`
	LearningRate float64 `json:"learning_rate"`
	AnchorSeason int     `json:"anchor_season,omitempty"`
	// AnchorHistory and AnchorRedecompose are the stl anchor's
	// Spec.AnchorHistory (0: the window) and Spec.AnchorRedecompose.
	AnchorHistory     int     `json:"anchor_history,omitempty"`
	AnchorRedecompose bool    `json:"anchor_redecompose,omitempty"`
	Window            int     `json:"window,omitempty"`
	Epochs            int     `json:"epochs,omitempty"`
	BestEpoch         int     `json:"best_epoch,omitempty"`
	ValidMAE          float64 `json:"valid_mae"`
	ValidMASE         float64 `json:"valid_mase"`
	Seconds           float64 `json:"seconds"`
	// AnchorAlone marks a baseline trial: the anchor's own forecast, a
	// linear network with zero weights (Metadata.AnchorAlone), tried at
	// every anchor (but none) that linear trained at, and for the stl
	// anchor at every window and history.
	AnchorAlone bool `json:"anchor_alone,omitempty"`
	// Cut reports a trial stopped by the budget; Skipped says why a trial
	// did not run or failed (a seasonal anchor without a season, the
	// budget spent).
	Cut     bool   `json:"cut,omitempty"`
	Skipped string `json:"skipped,omitempty"`
}

// AutoReport lists TrainAuto's trials; Best indexes the one kept, and
// Lowest the one with the lowest validation MAE.
type AutoReport struct {
	Trials []Trial `json:"trials"`
	Best   int     `json:"best"`
	Lowest int     `json:"lowest"`
	// BestSE, where Best is not Lowest, is the standard error of the
	// difference between their validation MAEs, paired by forecast origin,
	// which the difference is within (see TrainAuto).
	BestSE float64 `json:"best_se,omitempty"`
	// Options are the options the best trial trained with (its learning
	// rate, epochs and patience), for TrainEnsemble. They carry the
	// trials' decompositions of Spec.AnchorRedecompose (at most 32 MiB),
	// which TrainEnsemble reuses rather than computes again.
	Options Options `json:"-"`
}

// TrainAuto trains spec with every family of auto.Families and anchor of
// auto.Anchors (spec.Family, spec.Anchor and the stl anchor's fitted fields are
// ignored) within auto.Budget, and returns the Forecaster and Report of
// the one it chooses by validation MAE, in the data's units: the test part
// is never used to choose. Of three kinds of trial, the anchor alone (see
// below), a network on a seasonal anchor (stl or seasonal) and any other
// network, it takes the one with the lowest validation MAE of the first
// kind, in that order, that is within one standard error of the lowest of
// all (AutoReport.BestSE: of the difference, paired by forecast origin,
// from blocks of Horizon origins). The linear family, which is cheap and
// converges slowly under Adam, goes first, with every anchor, at opts'
// learning rate and at 10 times it, both with 4 times the epochs
// and the patience, and then, with its best anchor and the best other
// anchor, each at its best learning rate, at windows of 3 and 5 times the
// season the chosen window covers twice; it
// stops at half the budget if other families follow. Its validation MAE
// ranks the (anchor, window) pairs; the other families are then tried at
// the best pair and at the best pair of each other window (but the
// longer ones linear probed), each trial with an equal share of the
// budget left (a trial stops after the epoch that reaches its share,
// keeping its best epoch), and then at the other pairs, best first, until
// the budget is spent (see autoQueue). With spec.AnchorHistory 0, linear
// with the stl anchor is also tried, right after its first two trials at
// a window that trained and at the better one's learning rate, with Spec.AnchorRedecompose at the
// histories of 4 and 8 times the anchor's period (at most the training
// part, and more than twice the period and the window), and the (anchor, window,
// history) triples are ranked together; else every stl trial reads
// spec.AnchorHistory and spec.AnchorRedecompose. spec.Window 0 lets each trial
// choose its window (see Train); if the longest season detected was too
// long for the window chosen (it needs two seasons), every family and
// anchor is also tried at a window of one season.
// After each linear trial at a new anchor (but none; for stl, a new
// window and history too), the anchor alone is tried there
// (Trial.AnchorAlone: no network, a linear one with zero weights), so that
// a network is chosen only where it validates better than its anchor's own
// forecast (the naive, seasonal naive or STL forecast) by more than one
// standard error.
// opts.OnCheckpoint and opts.Resume must be unset. TrainAuto returns an
// error if the budget is below MinBudget, naming it, or if no trial
// trained.
func TrainAuto(ctx context.Context, spec Spec, values []float64, opts Options, auto AutoOptions) (*Forecaster, *Report, *AutoReport, error) {
	if ctx == nil {
		return nil, nil, nil, errors.New("seqcast: train auto: nil context")
	}
	if auto.Budget == 0 {
		auto.Budget = 2 * time.Minute
	}
	if auto.Budget < MinBudget {
		return nil, nil, nil, fmt.Errorf("seqcast: AutoOptions.Budget %v: too small to train one model; the minimum is %v", auto.Budget, MinBudget)
	}
	if opts.OnCheckpoint != nil || opts.Resume != nil {
		return nil, nil, nil, errors.New("seqcast: train auto: Options.OnCheckpoint and Options.Resume are for Train")
	}
	if spec.SeqToSeq {
		return nil, nil, nil, errors.New("seqcast: Spec.SeqToSeq: TrainAuto chooses among sequence-to-vector models; train a sequence-to-sequence one with Train")
	}
	if opts.decomp == nil {
		opts.decomp = newDecompCache() // trials of one history anchor the same origins
	}
	if len(auto.Families) == 0 {
		auto.Families = AutoFamilies()
	}
	if len(auto.Anchors) == 0 {
		auto.Anchors = Anchors()
	}
	for _, fam := range auto.Families {
		if !slices.Contains(Families(), fam) {
			return nil, nil, nil, fmt.Errorf("seqcast: AutoOptions.Families: unknown model family %q (want some of %v)", fam, Families())
		}
	}
	for _, a := range auto.Anchors {
		if !slices.Contains(Anchors(), a) {
			return nil, nil, nil, fmt.Errorf("seqcast: AutoOptions.Anchors: unknown anchor %q (want some of %v)", a, Anchors())
		}
	}
	deadline := time.Now().Add(auto.Budget)
	halfway := time.Now().Add(auto.Budget / 2)
	ar := &AutoReport{Best: -1, Lowest: -1}
	var kinds [numTrialKinds]*autoPick // the lowest validation MAE of each kind
	lr := opts.Config.WithDefaults().LearningRate
	q := newAutoQueue(auto.Families, auto.Anchors, spec.Window, lr)
	longer := false // whether the window of the longest season was added
	// Linear's trials with the stl anchor at history 0, by window, until
	// those at one window trained (stlDone): the histories to try there.
	stlTrials := map[int]int{}
	stlHist := map[int][]int{}
	stlDone := false
	alone := map[string]bool{} // the anchors (with season, window and history for stl) tried alone
	for {
		v, ok := q.next()
		if !ok {
			break
		}
		fam, a := v.family, v.anchor
		tr := Trial{Family: fam, Anchor: a, LearningRate: v.lr}
		now := time.Now()
		if now.After(deadline) {
			tr.Skipped = "budget spent"
			ar.Trials = append(ar.Trials, tr)
			q.done(v, math.NaN())
			continue
		}
		if fam == Linear && len(q.others) > 0 && now.After(halfway) {
			tr.Skipped = "half the budget spent on linear; the rest is for the other families"
			ar.Trials = append(ar.Trials, tr)
			q.done(v, math.NaN())
			continue
		}
		// A trial of the first round of the other families gets its share
		// of what is left, so that every family is tried.
		end := deadline
		if v.share > 0 {
			end = now.Add(deadline.Sub(now) / time.Duration(v.share))
		}
		s := spec
		s.Family, s.Anchor, s.AnchorSeason, s.Window = fam, a, 0, v.window
		s.AnchorProfile, s.AnchorAlpha, s.AnchorGamma, s.AnchorDrift, s.AnchorHistory = nil, 0, 0, false, 0
		s.AnchorRedecompose, s.AnchorPeriods, s.AnchorDriftSlope = false, nil, false
		if a == AnchorSTL {
			s.AnchorHistory, s.AnchorRedecompose = spec.AnchorHistory, spec.AnchorRedecompose
			if v.history > 0 {
				s.AnchorHistory, s.AnchorRedecompose = v.history, true
			}
		}
		if a == AnchorSeasonal {
			s.AnchorSeason = spec.AnchorSeason
		}
		if s.Family != WaveNet {
			s.Dilations = nil
		}
		o := opts
		o.LearningRate = v.lr
		if fam == Linear {
			o.Config = o.Config.WithDefaults()
			o.Epochs *= 4
			if o.Patience > 0 {
				o.Patience *= 4
			}
		}
		cut := false
		o.OnCheckpoint = func(*Forecaster) error {
			if time.Now().After(end) {
				cut = true
				return train.ErrStop
			}
			return nil
		}
		start := time.Now()
		f, rep, err := Train(ctx, s, values, o)
		tr.Seconds = time.Since(start).Seconds()
		firstSTL := a == AnchorSTL && fam == Linear && spec.AnchorHistory == 0 && v.history == 0 && !stlDone
		if firstSTL {
			stlTrials[v.window]++
		}
		// Both learning rates in at v.window: queue the histories if one
		// trained there.
		queueHistories := func() {
			if firstSTL && stlTrials[v.window] == 2 && len(stlHist[v.window]) > 0 {
				stlDone = true
				q.addHistories(v.window, stlHist[v.window])
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ar, err
			}
			tr.Skipped = err.Error()
			ar.Trials = append(ar.Trials, tr)
			q.done(v, math.NaN())
			queueHistories()
			continue
		}
		f.Checkpoint = nil
		// A season that the chosen window could not cover twice: try a
		// window of one season too. Longer windows, of 3 and 5 times the
		// season the chosen one covers twice, are probed with linear.
		if sc := rep.Seasons; !longer && sc.WindowChosen && len(sc.Seasons) > 0 {
			longer = true
			half := f.Meta.Rows[0] / 2
			if l := slices.Max(sc.Seasons); l > f.Spec.Window && l <= half {
				q.addWindow(l)
			}
			if m := f.Spec.Window / 2; slices.Contains(sc.Seasons, m) {
				for _, k := range []int{3, 5} {
					if k*m <= half {
						q.probes = append(q.probes, k*m)
					}
				}
			}
		}
		// The stl anchor's trials give its period and seasons: queue
		// linear at longer histories once both learning rates are in.
		if firstSTL && stlHist[v.window] == nil {
			L := f.Spec.AnchorSeason // at least the longest season decomposed
			for _, k := range []int{4, 8} {
				h := min(k*L, f.Meta.Rows[0])
				if h > f.Spec.Window && h > 2*L && !slices.Contains(stlHist[v.window], h) {
					stlHist[v.window] = append(stlHist[v.window], h)
				}
			}
		}
		tr.AnchorSeason, tr.AnchorHistory, tr.Window, tr.Cut = f.Spec.AnchorSeason, f.Spec.AnchorHistory, f.Spec.Window, cut
		tr.AnchorRedecompose = f.Spec.AnchorRedecompose
		tr.Epochs, tr.BestEpoch = len(rep.History.Epochs), rep.History.BestEpoch
		tr.ValidMAE, tr.ValidMASE = rep.Valid.Model.MAE, rep.Valid.Model.MASE
		ar.Trials = append(ar.Trials, tr)
		q.done(v, tr.ValidMAE)
		queueHistories()
		keep := func(f *Forecaster, rep *Report, o Options) {
			i := len(ar.Trials) - 1
			k := kindOf(ar.Trials[i])
			if !math.IsNaN(ar.Trials[i].ValidMAE) && (kinds[k] == nil || rep.Valid.Model.MAE < kinds[k].rep.Valid.Model.MAE) {
				o.OnCheckpoint = nil
				kinds[k] = &autoPick{trial: i, f: f, rep: rep, o: o}
			}
		}
		keep(f, rep, o)
		// The anchor alone at the spec linear trained with, once, so that a
		// network must beat it on validation to be chosen. The naive and
		// seasonal naive forecasts do not depend on the window; the stl
		// anchor's profile and level do.
		k := fmt.Sprint(a, "/", f.Spec.AnchorSeason)
		if a == AnchorSTL {
			k = fmt.Sprint(k, "/", f.Spec.Window, "/", f.Spec.AnchorHistory, "/", f.Spec.AnchorRedecompose)
		}
		if fam == Linear && a != AnchorNone && spec.Quantiles == nil && !alone[k] {
			alone[k] = true
			at := Trial{Family: Linear, Anchor: a, AnchorAlone: true}
			ao := o
			ao.OnCheckpoint, ao.anchorAlone = nil, true
			as := s
			as.Window = f.Spec.Window
			start := time.Now()
			af, arep, err := Train(ctx, as, values, ao)
			at.Seconds = time.Since(start).Seconds()
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ar, err
				}
				at.Skipped = err.Error()
				ar.Trials = append(ar.Trials, at)
				continue
			}
			at.AnchorSeason, at.AnchorHistory, at.Window = af.Spec.AnchorSeason, af.Spec.AnchorHistory, af.Spec.Window
			at.AnchorRedecompose = af.Spec.AnchorRedecompose
			at.ValidMAE, at.ValidMASE = arep.Valid.Model.MAE, arep.Valid.Model.MASE
			ar.Trials = append(ar.Trials, at)
			keep(af, arep, ao)
		}
	}
	p := choose(kinds[:], spec.Horizon, ar)
	if p == nil {
		msg := "no trial trained"
		if len(ar.Trials) > 0 && ar.Trials[0].Skipped != "" {
			msg += "; the first: " + strings.TrimPrefix(ar.Trials[0].Skipped, "seqcast: ")
		}
		return nil, nil, ar, errors.New("seqcast: train auto: " + msg)
	}
	return p.f, p.rep, ar, nil
}

// The kinds of trial TrainAuto tells apart when validation cannot:
// the anchor alone, then a network on a seasonal anchor (the stl or
// seasonal one), then any other network.
const (
	kindAnchorAlone = iota
	kindSeasonalAnchor
	kindOther
	numTrialKinds
)

func kindOf(t Trial) int {
	switch {
	case t.AnchorAlone:
		return kindAnchorAlone
	case t.Anchor == AnchorSTL || t.Anchor == AnchorSeasonal:
		return kindSeasonalAnchor
	}
	return kindOther
}

// An autoPick is a trial that TrainAuto may choose.
type autoPick struct {
	trial int
	f     *Forecaster
	rep   *Report
	o     Options
}

// choose returns, of picks (each kind's trial with the lowest validation
// MAE, nil for a kind without one), the first whose validation MAE is
// within one standard error of the lowest of all (see pairedSE), so that
// a difference that validation cannot resolve goes to the anchor's own
// forecast, and then to a network that uses the season, rather than to
// the noise of a short validation part and to early stopping's pick of
// its best epoch there. It sets ar's Best, Lowest, BestSE and Options.
func choose(picks []*autoPick, h int, ar *AutoReport) *autoPick {
	var low *autoPick
	for _, p := range picks {
		if p != nil && (low == nil || p.rep.Valid.Model.MAE < low.rep.Valid.Model.MAE) {
			low = p
		}
	}
	if low == nil {
		return nil
	}
	for _, p := range picks {
		if p == nil {
			continue
		}
		d, se := pairedSE(p.rep.validOrigins, low.rep.validOrigins, h)
		if p == low || d <= se {
			ar.Best, ar.Lowest, ar.Options = p.trial, low.trial, p.o
			if p != low {
				ar.BestSE = se
			}
			return p
		}
	}
	panic("unreachable: the lowest is within its own standard error")
}

// pairedSE returns the mean of a's errors less b's over the origins they
// share, and its standard error from the means of blocks of h consecutive
// origins: the forecasts from neighbouring origins overlap in the rows
// they forecast, so single origins are not independent. With fewer than
// two blocks the standard error is 0.
func pairedSE(a, b originErrors, h int) (mean, se float64) {
	at := make(map[int]float64, len(b.ends))
	for i, e := range b.ends {
		at[e] = b.mae[i]
	}
	var d []float64
	for i, e := range a.ends {
		if v, ok := at[e]; ok {
			d = append(d, a.mae[i]-v)
		}
	}
	if len(d) == 0 {
		return math.Inf(1), 0
	}
	return series.BlockSE(d, max(h, 1))
}

// An autoVariant is one trial of TrainAuto. share > 0 gives it 1/share of
// the budget left when it starts.
type autoVariant struct {
	family, anchor string
	lr             float64
	window         int
	history        int // Spec.AnchorHistory of the stl anchor, with Spec.AnchorRedecompose; 0 for none
	share          int
}

// An autoQueue orders TrainAuto's trials. The linear family, which trains
// in seconds, goes first, at every anchor and window and at two learning
// rates, then at longer windows (probes) with its two best anchors at
// their best learning rates; its validation MAE then ranks the anchor and
// window pairs. The
// other families follow, first each at the best pair and at the best pair
// of every other window but the probes (sharing the budget left between
// them, so that the slow recurrent ones are reached), then each at the
// other pairs, best first. The stl anchor's pairs are triples: linear
// also tries it at longer histories (addHistories), at the stl anchor's
// best learning rate. Pairs at which linear failed (no
// season for the anchor) are not tried again. Without linear, the pairs
// come in the order of the anchors.
type autoQueue struct {
	others  []string // the families after linear
	anchors []string
	lr      float64
	windows []int
	linear  bool
	pending []autoVariant
	score   map[[3]string]float64 // the best linear validation MAE of an (anchor, window, history) triple; NaN if it failed
	phase   int                   // 0: linear; 1: the others
	tried   map[string]bool       // family/anchor/window of the trials queued after linear
	// probes are longer windows to try linear at, with the two best
	// anchors, once the other linear trials are done.
	probes []int
	probed []int // the probes queued
	bestLR map[[3]string]float64
	// histories are the stl anchor's histories that linear was queued
	// at, by window.
	histories map[int][]int
}

func newAutoQueue(families, anchors []string, window int, lr float64) *autoQueue {
	q := &autoQueue{anchors: anchors, lr: lr, windows: []int{window}, score: map[[3]string]float64{}, tried: map[string]bool{}, bestLR: map[[3]string]float64{}, histories: map[int][]int{}}
	for _, f := range families {
		if f == Linear {
			q.linear = true
		} else {
			q.others = append(q.others, f)
		}
	}
	if q.linear {
		q.pending = q.linearVariants(window)
	} else {
		q.phase = 1
		q.pending = q.otherVariants()
	}
	return q
}

func (q *autoQueue) linearVariants(window int) []autoVariant {
	var vs []autoVariant
	for _, a := range q.anchors {
		vs = append(vs, autoVariant{family: Linear, anchor: a, lr: q.lr, window: window}, autoVariant{family: Linear, anchor: a, lr: 10 * q.lr, window: window})
	}
	return vs
}

func pairKey(anchor string, window, history int) [3]string {
	return [3]string{anchor, fmt.Sprint(window), fmt.Sprint(history)}
}

func (v autoVariant) key() [3]string { return pairKey(v.anchor, v.window, v.history) }

// pairs returns the (anchor, window, history) triples to try the other
// families at, best first.
func (q *autoQueue) pairs() []autoVariant {
	var ps []autoVariant
	for _, w := range q.windows {
		for _, a := range q.anchors {
			hs := []int{0}
			if a == AnchorSTL {
				hs = append(hs, q.histories[w]...)
			}
			for _, h := range hs {
				sc, ok := q.score[pairKey(a, w, h)]
				if q.linear && (!ok || math.IsNaN(sc)) {
					continue
				}
				ps = append(ps, autoVariant{anchor: a, window: w, history: h})
			}
		}
	}
	if q.linear {
		slices.SortStableFunc(ps, func(x, y autoVariant) int {
			return cmp.Compare(q.score[x.key()], q.score[y.key()])
		})
	}
	return ps
}

// addHistories queues linear with the stl anchor at window w and the
// histories hs next, at the best learning rate of the stl anchor at w,
// if linear is still in its turn and scored that pair.
func (q *autoQueue) addHistories(w int, hs []int) {
	k := pairKey(AnchorSTL, w, 0)
	if sc, ok := q.score[k]; q.phase != 0 || !q.linear || !ok || math.IsNaN(sc) {
		return
	}
	var vs []autoVariant
	for _, h := range hs {
		if !slices.Contains(q.histories[w], h) {
			q.histories[w] = append(q.histories[w], h)
			vs = append(vs, autoVariant{family: Linear, anchor: AnchorSTL, lr: q.bestLR[k], window: w, history: h})
		}
	}
	q.pending = append(vs, q.pending...)
}

// otherVariants queues the families after linear: at the best pair
// first, each with its share of the budget, then at the rest.
func (q *autoQueue) otherVariants() []autoVariant {
	ps := q.pairs()
	if len(ps) == 0 || len(q.others) == 0 {
		return nil
	}
	var vs []autoVariant
	add := func(f string, p autoVariant, share int) {
		k := fmt.Sprint(f, "/", p.anchor, "/", p.window, "/", p.history)
		if !q.tried[k] {
			q.tried[k] = true
			vs = append(vs, autoVariant{family: f, anchor: p.anchor, lr: q.lr, window: p.window, history: p.history, share: share})
		}
	}
	if q.phase == 1 {
		// The best pair, and the best at each window that is not a probe:
		// a window linear does badly at (too many weights for the data)
		// may suit the recurrent families.
		first := []autoVariant{ps[0]}
		for _, w := range q.windows {
			if slices.Contains(q.probed, w) || w == ps[0].window {
				continue
			}
			if i := slices.IndexFunc(ps, func(p autoVariant) bool { return p.window == w }); i >= 0 {
				first = append(first, ps[i])
			}
		}
		n := len(first) * len(q.others)
		for _, p := range first {
			for _, f := range q.others {
				add(f, p, n)
				n--
			}
		}
	}
	for _, p := range ps {
		for _, f := range q.others {
			add(f, p, 0)
		}
	}
	return vs
}

// next returns the next trial, and false when there is none.
func (q *autoQueue) next() (autoVariant, bool) {
	if len(q.pending) == 0 && q.phase == 0 && len(q.probes) > 0 {
		if ps := q.pairs(); len(ps) > 0 {
			// The best pair and the best of another anchor: two anchors
			// that score alike at a short window may part at longer ones.
			bests := []autoVariant{ps[0]}
			if i := slices.IndexFunc(ps, func(p autoVariant) bool { return p.anchor != ps[0].anchor }); i > 0 {
				bests = append(bests, ps[i])
			}
			for _, w := range q.probes {
				if slices.Contains(q.windows, w) {
					continue
				}
				q.windows = append(q.windows, w)
				q.probed = append(q.probed, w)
				for _, best := range bests {
					h := best.history // the best history where the window allows it
					if h < w {
						h = 0
					}
					q.pending = append(q.pending, autoVariant{family: Linear, anchor: best.anchor, lr: q.bestLR[best.key()], window: w, history: h})
					if h > 0 && !slices.Contains(q.histories[w], h) {
						q.histories[w] = append(q.histories[w], h)
					}
				}
			}
		}
		q.probes = nil
	}
	if len(q.pending) == 0 && q.phase == 0 {
		q.phase = 1
		q.pending = q.otherVariants()
	}
	if len(q.pending) == 0 {
		return autoVariant{}, false
	}
	v := q.pending[0]
	q.pending = q.pending[1:]
	return v, true
}

// done records the validation MAE of a trial (NaN if it failed).
func (q *autoQueue) done(v autoVariant, mae float64) {
	if v.family != Linear {
		return
	}
	k := v.key()
	if old, ok := q.score[k]; !ok || math.IsNaN(old) || mae < old {
		q.score[k], q.bestLR[k] = mae, v.lr
	}
}

// addWindow adds a window (that of the longest season) to the pairs: with
// linear still in its turn, linear at that window joins it; later, the
// other families at that window join the end.
func (q *autoQueue) addWindow(w int) {
	if slices.Contains(q.windows, w) {
		return
	}
	q.windows = append(q.windows, w)
	if q.phase == 0 {
		q.pending = append(q.pending, q.linearVariants(w)...)
		return
	}
	for _, a := range q.anchors {
		for _, f := range q.others {
			k := fmt.Sprint(f, "/", a, "/", w, "/", 0)
			if !q.tried[k] {
				q.tried[k] = true
				q.pending = append(q.pending, autoVariant{family: f, anchor: a, lr: q.lr, window: w})
			}
		}
	}
}
