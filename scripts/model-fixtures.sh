#!/bin/sh
# Writes the model-file fixtures of one format version, testdata/modelfiles/vN,
# with the seqcast of the commit that wrote that version:
#
#	scripts/model-fixtures.sh 911023f 1   # SEQCAST\n format, version 1
#	scripts/model-fixtures.sh 485aee2 2   # SEQCAST\n format, version 2 (and the SEQPANEL panel file)
#	scripts/model-fixtures.sh HEAD 3      # safetensors, format_version 3
#
# It checks the commit out in a temporary worktree outside the repository,
# copies the generator (fixturegen_test.go, and fixturegen_panel_test.go
# where the commit has panels) into it, runs it there and removes the
# worktree. file_fixtures_test.go loads every fixture and checks its forecast.
set -eu
if [ $# -ne 2 ]; then
	echo "usage: $0 COMMIT VERSION" >&2
	exit 2
fi
commit=$1
version=$2
repo=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d /tmp/seqcast-fixtures.XXXXXX)
git -C "$repo" worktree add --detach "$tmp/wt" "$commit" >/dev/null
trap 'git -C "$repo" worktree remove --force "$tmp/wt"; rm -rf "$tmp"' EXIT
cp "$repo/fixturegen_test.go" "$tmp/wt/"
if [ -f "$tmp/wt/panel.go" ]; then
	cp "$repo/fixturegen_panel_test.go" "$tmp/wt/"
fi
out="$repo/testdata/modelfiles/v$version"
rm -rf "$out"
mkdir -p "$out"
by=$(git -C "$tmp/wt" rev-parse --short HEAD)
(cd "$tmp/wt" && go test . -count=1 -run '^TestGenerateFixtures' -gen-fixtures "$out" -gen-fixtures-by "$by")
ls -l "$out"
