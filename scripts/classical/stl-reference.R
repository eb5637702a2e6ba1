# Writes series/testdata/stl-co2.csv and mstl-taylor.csv, the expected
# values of series.STL and series.MSTL: Rscript scripts/classical/stl-reference.R
# from the repository root (R 4.2.2, forecast 8.20 gave the committed files).
library(forecast)
co2 <- read.csv("data/co2-monthly.csv")$co2[1:470]
x <- ts(co2, frequency = 12)
f <- function(fit) fit$time.series
p <- f(stl(x, s.window = "periodic"))
s7 <- f(stl(x, s.window = 7))
r <- f(stl(x, s.window = 13, robust = TRUE))
out <- data.frame(y = co2, periodic_seasonal = p[, 1], periodic_trend = p[, 2],
                  s7_seasonal = s7[, 1], s7_trend = s7[, 2],
                  robust13_seasonal = r[, 1], robust13_trend = r[, 2])
write.csv(data.frame(lapply(out, function(v) sprintf("%.12g", v))), "series/testdata/stl-co2.csv", row.names = FALSE, quote = FALSE)
tay <- read.csv("data/taylor.csv")$demand[1:2822]
m <- mstl(msts(tay, seasonal.periods = c(48, 336)))
idx <- seq(1, 2822, by = 17)
mo <- data.frame(row = idx - 1, trend = m[idx, "Trend"], seasonal48 = m[idx, "Seasonal48"], seasonal336 = m[idx, "Seasonal336"])
write.csv(data.frame(lapply(mo, function(v) sprintf("%.12g", v))), "series/testdata/mstl-taylor.csv", row.names = FALSE, quote = FALSE)
