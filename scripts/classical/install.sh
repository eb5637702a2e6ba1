#!/bin/sh
# install.sh installs R and its forecast package from Debian's own packages
# (r-base-core and r-cran-forecast), for go run ./bench/classical. It runs
# apt-get update once, only if the package lists do not offer
# r-cran-forecast yet, and needs root (or sudo). Run from anywhere:
#
#	scripts/classical/install.sh
set -eu

if command -v Rscript >/dev/null 2>&1 && Rscript -e 'quit(status = !requireNamespace("forecast", quietly = TRUE))' >/dev/null 2>&1; then
	echo "install.sh: Rscript and the forecast package are already installed"
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install.sh: need root (or sudo) to run apt-get" >&2
		exit 1
	fi
	sudo=sudo
fi

# apt-cache policy prints "Candidate: (none)" when the lists do not offer
# the package; only then are they refreshed.
if ! apt-cache policy r-cran-forecast 2>/dev/null | grep -q 'Candidate: [0-9]'; then
	$sudo apt-get -o DPkg::Lock::Timeout=900 update
fi
# DPkg::Lock::Timeout waits for another apt-get to finish instead of failing.
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends r-base-core r-cran-forecast
Rscript -e 'cat("install.sh: R", as.character(getRversion()), "forecast", as.character(packageVersion("forecast")), "\n")'
