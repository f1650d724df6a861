#!/bin/sh
# Makes /tmp/onasis-variants/<name>: a copy of this working tree's sources (no .git, no dist) sharing node_modules,
# so that a variant can be edited, built and benched without touching the shared tree.
set -e
name=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
dst=/tmp/onasis-variants/$name
rm -rf "$dst"
mkdir -p "$dst"
cd "$src"
tar --exclude=./.git --exclude=./node_modules --exclude='*/dist' --exclude=./.wrangler --exclude=./bench/profile/out \
  --exclude=./bench/results -cf - . | (cd "$dst" && tar -xf -)
mkdir -p "$dst/bench/results"
ln -s "$src/node_modules" "$dst/node_modules"
echo "$dst"
