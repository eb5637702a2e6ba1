# export-taylor.R writes the taylor data set of R's forecast package
# (half-hourly electricity demand in England and Wales, Monday 2000-06-05
# 00:00 to Sunday 2000-08-27 23:30, 4032 half-hours, in megawatts) as CSV
# with a time column: time (local clock time, YYYY-MM-DD HH:MM; British
# Summer Time throughout, so no clock change), demand (MW). Usage:
#
#	Rscript export-taylor.R OUT.csv
#
# scripts/fetch-data.sh runs it for data/taylor.csv.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript export-taylor.R OUT.csv")
y <- as.numeric(forecast::taylor)
stopifnot(length(y) == 4032, all(y == round(y)))
start <- as.POSIXct("2000-06-05 00:00", tz = "UTC") # clock times, not instants
t <- format(start + 1800 * (seq_along(y) - 1), "%Y-%m-%d %H:%M", tz = "UTC")
stopifnot(t[length(t)] == "2000-08-27 23:30")
writeLines(c("time,demand", sprintf("%s,%.0f", t, y)), args[1])
