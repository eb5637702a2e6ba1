# forecast.R is the R half of go run ./bench/classical: it fits the classical
# models of R's forecast package on the training part of one series and,
# without refitting, forecasts HORIZON steps from every test origin with the
# actual history up to that origin. Only forecasts come from here; the Go
# command scores them. Usage:
#
#	Rscript forecast.R IN OUTDIR NTRAIN VALIDEND HORIZON SEASONS SNAIVE [METHODS]
#
# IN holds the series, one value a line, as C99 hexadecimal floats (%a), so
# that R reads exactly the doubles Go holds. Rows are 1-based here: the
# training part is y[1:NTRAIN], and the origins are VALIDEND to
# length(y) - HORIZON (an origin o sees y[1:o] and forecasts o+1 to
# o+HORIZON; the Go side calls it o-1, 0-based). SEASONS are the seasonal
# periods of the models, comma-separated ("48,336"; "1" for none); SNAIVE
# the periods of the seasonal naive forecasts ("1" is the naive one).
# METHODS (default all) is a comma-separated subset of ets, arima, tbats,
# stl_ets and snaive.
#
# Each model is fitted once, on the training part:
#
#	ets      ets() on ts(frequency = the shortest season); ets ignores a
#	         season over 24 (it says so in a warning), so it is non-seasonal
#	         on half-hourly data
#	arima    auto.arima() on the same ts; for a shortest season over 24,
#	         auto.arima(seasonal = FALSE) of a regression on Fourier terms of
#	         every season (up to 10 harmonics each) instead
#	tbats    tbats() on msts(seasonal.periods = SEASONS), with its defaults
#	         (which fit its candidate models on 2 cores when the training
#	         part has over 1000 values)
#	stl_ets  stlm(method = "ets") on the same msts: mstl() over every season,
#	         then ETS on the seasonally adjusted series
#
# and at each origin re-filtered on the history without re-estimating
# anything: ets(y, model = fit, use.initial.values = TRUE) (smoothing
# parameters and initial states fixed), Arima(y, model = fit) (coefficients
# fixed, Kalman filter rerun; with the Fourier terms of the history, and of
# the horizon for the forecast), tbats(y, model = fit) and stlm(y, model = fit)
# (the STL decomposition is recomputed on the history with the same
# settings; the ETS model of the adjusted series is kept, initial states
# included). snaive(ts(y, frequency = m), h) needs no fit.
#
# It writes OUTDIR/forecasts.csv (method,origin,step,forecast; origin
# 0-based, forecast %a), OUTDIR/models.csv (method,description,fit_s,
# filter_s,error) and OUTDIR/version.txt (the R and forecast versions), and
# exits non-zero only for bad arguments; a model that fails is recorded in
# models.csv with its error.
suppressPackageStartupMessages(library(forecast))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 7 || length(args) > 8) {
	stop("usage: Rscript forecast.R IN OUTDIR NTRAIN VALIDEND HORIZON SEASONS SNAIVE [METHODS]")
}
y <- as.numeric(readLines(args[1]))
outdir <- args[2]
ntrain <- as.integer(args[3])
validend <- as.integer(args[4])
h <- as.integer(args[5])
seasons <- sort(as.integer(strsplit(args[6], ",")[[1]]))
snaive.seasons <- as.integer(strsplit(args[7], ",")[[1]])
methods <- if (length(args) == 8) strsplit(args[8], ",")[[1]] else c("ets", "arima", "tbats", "stl_ets", "snaive")
stopifnot(!anyNA(y), ntrain >= 2, validend > ntrain, validend + h <= length(y), h >= 1)

seasons <- seasons[seasons > 1]
m1 <- if (length(seasons) > 0) seasons[1] else 1
as.ts1 <- function(v) ts(v, frequency = m1)
as.msts <- function(v) if (length(seasons) > 0) msts(v, seasonal.periods = seasons) else ts(v)
origins <- validend:(length(y) - h)

writeLines(sprintf("R %s, forecast %s", getRversion(), packageVersion("forecast")), file.path(outdir, "version.txt"))
forecasts <- file(file.path(outdir, "forecasts.csv"), "w")
writeLines("method,origin,step,forecast", forecasts)
models <- data.frame(method = character(), description = character(), fit_s = numeric(), filter_s = numeric(), error = character())

# run fits a model with fit() (NULL for none) and calls filter(fit, history)
# at every origin for the HORIZON-step forecast; a failure anywhere drops the
# method's forecasts and records the error.
run <- function(name, fit, filter, describe) {
	t0 <- proc.time()[["elapsed"]]
	model <- NULL
	err <- ""
	out <- tryCatch({
		if (!is.null(fit)) model <- fit(y[1:ntrain])
		t1 <- proc.time()[["elapsed"]]
		fc <- matrix(NA_real_, length(origins), h)
		for (i in seq_along(origins)) {
			f <- as.numeric(filter(model, y[1:origins[i]]))
			if (length(f) != h || anyNA(f)) stop(sprintf("origin %d: %d forecasts, %d missing", origins[i], length(f), sum(is.na(f))))
			fc[i, ] <- f
		}
		list(fc = fc, t1 = t1)
	}, error = function(e) {
		err <<- conditionMessage(e)
		NULL
	})
	t2 <- proc.time()[["elapsed"]]
	desc <- if (!is.null(model)) describe(model) else if (is.null(fit)) describe(NULL) else ""
	if (!is.null(out)) {
		lines <- sprintf("%s,%d,%d,%a", name, rep(origins - 1L, each = h), rep(seq_len(h), length(origins)), as.vector(t(out$fc)))
		writeLines(lines, forecasts)
		models[nrow(models) + 1, ] <<- list(name, desc, out$t1 - t0, t2 - out$t1, "")
	} else {
		models[nrow(models) + 1, ] <<- list(name, desc, t2 - t0, 0, err)
	}
	cat(sprintf("forecast.R: %s %s: %.1f s%s\n", name, desc, t2 - t0, if (err != "") paste(": error:", err) else ""), file = stderr())
}

if ("ets" %in% methods) {
	run("ets",
		function(v) suppressWarnings(ets(as.ts1(v))),
		function(fit, v) forecast(ets(as.ts1(v), model = fit, use.initial.values = TRUE), h = h)$mean,
		function(fit) fit$method)
}
if ("arima" %in% methods && m1 <= 24) {
	run("arima",
		function(v) auto.arima(as.ts1(v)),
		function(fit, v) forecast(Arima(as.ts1(v), model = fit), h = h)$mean,
		function(fit) as.character(fit))
}
if ("arima" %in% methods && m1 > 24) {
	# A seasonal ARIMA at lag 48 takes auto.arima far too long (over 8
	# minutes for taylor's training part, unfinished), so for a shortest
	# season over 24 every season enters as Fourier terms, K harmonics each,
	# and auto.arima picks the non-seasonal ARIMA errors of that regression
	# (a dynamic harmonic regression).
	K <- pmin(10L, seasons %/% 2L)
	run("arima",
		function(v) auto.arima(ts(v), xreg = fourier(as.msts(v), K = K), seasonal = FALSE),
		function(fit, v) {
			x <- as.msts(v)
			forecast(Arima(ts(v), model = fit, xreg = fourier(x, K = K)), xreg = fourier(x, K = K, h = h), h = h)$mean
		},
		function(fit) sprintf("%s, Fourier(%s)", as.character(fit), paste(seasons, K, sep = ":", collapse = ", ")))
}
if ("tbats" %in% methods) {
	run("tbats",
		function(v) tbats(as.msts(v)),
		function(fit, v) forecast(tbats(as.msts(v), model = fit), h = h)$mean,
		function(fit) as.character(fit))
}
if ("stl_ets" %in% methods) {
	run("stl_ets",
		function(v) stlm(as.msts(v), method = "ets"),
		function(fit, v) forecast(stlm(as.msts(v), model = fit), h = h)$mean,
		function(fit) paste0("STL(", paste(seasons, collapse = ","), ")+", fit$model$method))
}
if ("snaive" %in% methods) {
	for (m in snaive.seasons) {
		local({
			mm <- m
			run(sprintf("snaive_%d", mm), NULL,
				function(fit, v) snaive(ts(v, frequency = mm), h = h)$mean,
				function(fit) if (mm == 1) "naive" else sprintf("seasonal naive (%d)", mm))
		})
	}
}
close(forecasts)
write.csv(models, file.path(outdir, "models.csv"), row.names = FALSE)
