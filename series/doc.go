// Package series prepares univariate and multivariate time series for
// sequence forecasters and scores their forecasts, following chapter 15 of
// Géron's Hands-On Machine Learning (2nd ed.). It works on plain []float64
// and knows nothing about models.
//
// The package covers four steps:
//
//   - Data: GenerateNumpy reproduces the chapter's generate_time_series,
//     numpy's legacy MT19937 stream included (see MT19937), so the book's
//     naive baselines come out at the notebook's 0.020211 and 0.25697;
//     Generate is the same formula with math/rand/v2.
//   - Windows: Ahead (one or k steps ahead), SeqToSeq (k steps ahead at every
//     input step), Windows.StridedTargets (targets for a strided
//     convolution) and Sliding (windows over one long multivariate series).
//   - Splits and scaling: SplitCounts, SplitFractions and a Scaler fitted on
//     the training part only.
//   - Metrics: MSE, RMSE, MAE, LastStepMSE (the book's last_time_step_mse),
//     and the M4 competition's SMAPE and MASE.
//
// Many related series of different lengths (stores, sensors, meters), for
// one global model, are a Set: ReadLong reads one from a long CSV (an id
// column, one row per series and time step) and ReadWide from a wide one
// (one column per series); Set.Windows makes windows over every series
// that never span two, and Set.FitScalers scales each on its own training
// part.
//
// Your own measurements come in through ReadCSV and ReadCSVFile, which read
// the chosen columns of a CSV file into a Table of shape (rows, columns),
// ready for Sliding, keep an optional time column as strings (which must
// increase), detect the delimiter, and fail on, drop or interpolate missing
// values (CSVOptions.Gaps); after dropping, Table.Breaks and
// SlidingSegments keep every window within rows that are adjacent. Their errors name
// the file, line and column. NextTimes continues the time column to label a
// forecast, and DetectSeason guesses a seasonal period (DetectSeasons
// confirms candidate periods) from an FFT autocorrelation, in O(n log n).
// STL splits a series into seasonal, trend and remainder components by
// loess, as R's stl() does, and MSTL does so for several periods, as
// forecast::mstl() does.
//
// # Shapes
//
// Every multi-dimensional value is a flat slice in row-major (C) order, as
// numpy stores it, with its dimensions kept alongside:
//
//	Panel.Values    (N, Steps)               series i, step t at [i*Steps+t]
//	Windows.X       (N, Steps, Features)     [(i*Steps+t)*Features+f]
//	Windows.Y       (N, YShape...)           YShape is [k] or [steps, k]
//	Sliding values  (T, features)            row t, feature f at [t*features+f]
//
// Windows over a series (Sliding, SlidingSegments) are views of the series,
// O(T) in memory: their X and Y are nil, and SampleX, SampleY, AppendX,
// AppendY, Gather and GatherInto read them (see Windows).
//
// For the chapter's data, GenerateNumpy(10000, 60, 42) gives a Panel of
// shape (10000, 60); SeqToSeq(p, 50, 10) gives X of shape (10000, 50, 1) and
// Y of shape (10000, 50, 10).
//
// Views and copies: Panel.Row, Panel.Rows, Windows.Rows, Windows.SampleX,
// Windows.SampleY and SplitCounts return views that share memory with their
// receiver or argument, and Windows.StridedTargets shares X; every other
// function returns new slices. Functions leave their arguments alone; only
// the dst of a method is written, and it may be its src.
//
// # Errors
//
// Anything that depends on the data returns an error: a series shorter than
// the window, a NaN or infinite value, a window length that is not
// positive, fractions that do not add up to 1. Errors wrap one of the
// sentinels ErrTooShort, ErrNaN, ErrInvalid and ErrTooLarge (a result
// that would not fit in memory, refused before it is allocated), for
// errors.Is, and say what was needed, what was given, and where (series or
// sample, step, feature; file, line, column). They start with "series: "
// once and do not repeat the sentinel's text; ReadCSV's missing values are
// a *GapError, for errors.As:
//
//	w, err := series.Ahead(p, 50, 10)
//	if errors.Is(err, series.ErrTooShort) {
//		// series: ahead: in = 50 and k = 10 need 60 steps per series, got 51
//	}
//
// Misuse is a programmer error and panics, as in gonum, and each such panic
// is documented: an index out of range (Panel.Row, Windows.Rows,
// Windows.Gather), or slices of different lengths given to a metric or a
// Scaler.
//
// # Example
//
// The chapter's sequence-to-sequence set-up:
//
//	p, err := series.GenerateNumpy(10000, 50+10, 42)
//	if err != nil {
//		return err
//	}
//	parts, err := series.SplitCounts(p, 7000, 2000, 1000)
//	if err != nil {
//		return err
//	}
//	train, err := series.SeqToSeq(parts[0], 50, 10) // X (7000, 50, 1), Y (7000, 50, 10)
//	if err != nil {
//		return err
//	}
//	batch := train.Gather([]int{3, 1, 4}) // X (3, 50, 1), Y (3, 50, 10)
//	// ... train a model on batches, predict pred for the validation windows ...
//	score := series.LastStepMSE(valid.Y, pred, 50, 10)
package series
