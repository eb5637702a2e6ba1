#!/bin/sh
# fetch-data.sh regenerates the packaged data sets: data/seattle-weather.csv,
# data/co2-monthly.csv, data/us-employment.csv and data/us-employment-long.csv
# from the vega-datasets package on the npm registry (needs npm, tar and awk),
# and data/taylor.csv from R's forecast package (needs Rscript and
# r-cran-forecast; scripts/classical/install.sh installs them). It writes
# nothing but those files. Run from anywhere:
#
#	scripts/fetch-data.sh          # all
#	scripts/fetch-data.sh vega     # the vega-datasets files
#	scripts/fetch-data.sh taylor   # data/taylor.csv
#
# See data/README.md for the sources and licences.
set -eu

what=${1:-all}
case $what in
all | vega | taylor) ;;
*)
	echo "usage: $0 [all|vega|taylor]" >&2
	exit 2
	;;
esac

VERSION=3.2.1 # vega-datasets release the packaged files come from
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$what" != vega ]; then
	# Half-hourly England and Wales electricity demand, 2000, from the
	# taylor data set that ships inside R's forecast package.
	Rscript "$root/scripts/classical/export-taylor.R" "$tmp/taylor.csv"
	cp "$tmp/taylor.csv" "$root/data/"
	echo "wrote $root/data/taylor.csv (R forecast package)"
fi
[ "$what" = taylor ] && exit 0

(cd "$tmp" && npm pack --silent "vega-datasets@$VERSION" >/dev/null)
tar -xzf "$tmp/vega-datasets-$VERSION.tgz" -C "$tmp"
src="$tmp/package/data"

# Daily Seattle weather 2012-2015: the numeric columns, without the
# categorical "weather" column. Rows are already one per day, with no gaps.
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, ""); print $1, $2, $3, $4, $5 }' \
	"$src/seattle-weather.csv" >"$tmp/seattle-weather.csv"

# Monthly Mauna Loa CO2 (ppm): the raw CO2 column from 1964-06, the first
# month after which no month is missing (1958-06, 1958-10 and 1964-02 to
# 1964-04 are absent upstream).
awk -F, 'BEGIN { OFS = "," }
	{ sub(/\r$/, "") }
	NR == 1 { print "date", "co2"; next }
	$1 >= "1964-06-01" { print substr($1, 1, 7), $2 }' \
	"$src/co2-concentration.csv" >"$tmp/co2-monthly.csv"

# Monthly U.S. employment by supersector 2006-2015 (thousands, seasonally
# adjusted), 22 series: every column but the derived nonfarm_change. Wide
# (one column per series) and long (one row per series and month).
awk -F, 'BEGIN { OFS = "," } { sub(/\r$/, ""); NF = NF - 1; print }' \
	"$src/us-employment.csv" >"$tmp/us-employment.csv"
awk -F, 'BEGIN { OFS = "," }
	NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
	{ for (i = 2; i <= NF; i++) row[i] = row[i] $1 "," $i "\n" }
	END { print "series,month,employment"; for (i = 2; i in name; i++) printf "%s", prefix(name[i], row[i]) }
	function prefix(n, rows,   out, k, m, lines) {
		m = split(rows, lines, "\n")
		for (k = 1; k < m; k++) out = out n "," lines[k] "\n"
		return out
	}' "$tmp/us-employment.csv" >"$tmp/us-employment-long.csv"

cp "$tmp/seattle-weather.csv" "$tmp/co2-monthly.csv" "$tmp/us-employment.csv" "$tmp/us-employment-long.csv" "$root/data/"
echo "wrote $root/data/seattle-weather.csv, co2-monthly.csv, us-employment.csv and us-employment-long.csv (vega-datasets@$VERSION)"
