package series

import (
	"fmt"
	"math"
)

// checkPair panics unless y and yhat have the same, non-zero length.
func checkPair(name string, y, yhat []float64) {
	if len(y) != len(yhat) {
		panic(fmt.Sprintf("series: %s: len(y) = %d, len(yhat) = %d", name, len(y), len(yhat)))
	}
	if len(y) == 0 {
		panic(fmt.Sprintf("series: %s: no values", name))
	}
}

// MSE returns the mean squared error, mean((y[i] - yhat[i])^2), the loss of
// every model in the chapter. Sums are accumulated in float64; if they
// overflow while every error is finite, they are summed again scaled by the
// largest error, so that MSE is +Inf only if the result is beyond float64.
// MSE panics if len(y) != len(yhat) or len(y) == 0.
func MSE(y, yhat []float64) float64 {
	checkPair("mse", y, yhat)
	var sum, big float64
	for i, v := range y {
		d := v - yhat[i]
		sum += d * d
		big = max(big, math.Abs(d))
	}
	n := float64(len(y))
	if math.IsInf(sum, 1) && finite(big) {
		sum = 0
		for i, v := range y {
			d := (v - yhat[i]) / big
			sum += d * d
		}
		return sum / n * big * big
	}
	return sum / n
}

// RMSE returns the root mean squared error, sqrt(MSE(y, yhat)).
// RMSE panics if len(y) != len(yhat) or len(y) == 0.
func RMSE(y, yhat []float64) float64 {
	return math.Sqrt(MSE(y, yhat))
}

// MAE returns the mean absolute error, mean(|y[i] - yhat[i]|).
// MAE panics if len(y) != len(yhat) or len(y) == 0.
func MAE(y, yhat []float64) float64 {
	checkPair("mae", y, yhat)
	var sum float64
	for i, v := range y {
		sum += math.Abs(v - yhat[i])
	}
	return sum / float64(len(y))
}

// LastStepMSE returns the MSE at the last time step of sequence-to-sequence
// outputs, the book's last_time_step_mse: y and yhat have shape (n, steps, k),
// row major, and only y[:, steps-1, :] and yhat[:, steps-1, :] count. It is
// the error of the k-step forecast made after the last input step.
// LastStepMSE panics if len(y) != len(yhat), len(y) == 0, steps <= 0,
// k <= 0, or len(y) is not a multiple of steps*k.
func LastStepMSE(y, yhat []float64, steps, k int) float64 {
	checkPair("last step mse", y, yhat)
	size, ok := mulSize(steps, k)
	if steps <= 0 || k <= 0 || !ok || len(y)%size != 0 {
		panic(fmt.Sprintf("series: last step mse: %d values are not a whole number of (%d, %d) samples", len(y), steps, k))
	}
	n := len(y) / size
	var sum float64
	for i := 0; i < n; i++ {
		off := i*size + (steps-1)*k
		for j := off; j < off+k; j++ {
			d := y[j] - yhat[j]
			sum += d * d
		}
	}
	return sum / float64(n*k)
}

// SMAPE returns the symmetric mean absolute percentage error of the M4
// competition, in percent: mean(200|y[i] - f[i]| / (|y[i]| + |f[i]|)). A term
// whose y[i] and f[i] are both zero counts as 0 (a perfect forecast).
// SMAPE panics if len(y) != len(f) or len(y) == 0.
func SMAPE(y, f []float64) float64 {
	checkPair("smape", y, f)
	var sum float64
	for i, v := range y {
		den := math.Abs(v) + math.Abs(f[i])
		if den == 0 {
			continue
		}
		sum += 200 * math.Abs(v-f[i]) / den
	}
	return sum / float64(len(y))
}

// MASE returns the mean absolute scaled error of the M4 competition:
// mean|y[i] - f[i]| divided by the mean absolute error, over the in-sample
// (training) series insample, of the seasonal naive forecast
// insample[t-season] for insample[t]. Season 1 is the plain naive forecast.
// If the in-sample naive error is zero (a constant or exactly periodic
// history), MASE returns +Inf, or NaN when the forecast error is zero too.
// MASE panics if len(y) != len(f), len(y) == 0, season < 1, or
// len(insample) <= season.
func MASE(y, f, insample []float64, season int) float64 {
	checkPair("mase", y, f)
	if season < 1 || len(insample) <= season {
		panic(fmt.Sprintf("series: mase: season %d with %d in-sample values, want 1 <= season < %d",
			season, len(insample), len(insample)))
	}
	var naive float64
	for t := season; t < len(insample); t++ {
		naive += math.Abs(insample[t] - insample[t-season])
	}
	naive /= float64(len(insample) - season)
	return MAE(y, f) / naive
}

// BlockSE returns the mean of d and the standard error of that mean
// estimated from the means of its consecutive blocks of block values (the
// batch-means estimate): for forecast errors from neighbouring origins,
// whose horizons overlap and so are correlated, a block of horizon
// origins makes the block means close to independent. Values after the
// last whole block count in the mean but not in the standard error, which
// is 0 with fewer than 2 blocks. BlockSE panics if d is empty or block < 1.
func BlockSE(d []float64, block int) (mean, se float64) {
	if len(d) == 0 || block < 1 {
		panic(fmt.Sprintf("series: blockse: %d values in blocks of %d", len(d), block))
	}
	for _, x := range d {
		mean += x
	}
	mean /= float64(len(d))
	nb := len(d) / block
	if nb < 2 {
		return mean, 0
	}
	bm := make([]float64, nb)
	mb := 0.0
	for j := range bm {
		for _, x := range d[j*block : (j+1)*block] {
			bm[j] += x
		}
		bm[j] /= float64(block)
		mb += bm[j]
	}
	mb /= float64(nb)
	v := 0.0
	for _, x := range bm {
		v += (x - mb) * (x - mb)
	}
	return mean, math.Sqrt(v / float64(nb-1) / float64(nb))
}
