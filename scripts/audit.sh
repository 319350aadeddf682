#!/usr/bin/env bash
# Checks Cargo.lock against the RustSec advisory database, offline.
#
# Usage: scripts/audit.sh [ADVISORY_DB]
#   ADVISORY_DB: a clone of github.com/rustsec/advisory-db, or a git bundle of it (default: the
#   workplace snapshot ../shared/security/rustsec-advisory-db.bundle). Installs cargo-audit
#   (crates.io, a few minutes on 2 cores) when it is missing. Exits non-zero on any advisory.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

source="${1:-$ROOT/../shared/security/rustsec-advisory-db.bundle}"
if [ -d "$source/crates" ]; then
  db="$source"
elif [ -f "$source" ]; then
  db="$(mktemp -d)/advisory-db"
  trap 'rm -rf "$(dirname "$db")"' EXIT
  git clone -q "$source" "$db" 2>/dev/null || true
  branch=$(git -C "$db" branch -r | sed -n 's#^ *origin/##p' | grep -v HEAD | head -n1)
  git -C "$db" checkout -q -B "$branch" "origin/$branch"
else
  echo "audit: no advisory database at $source (give a clone or a bundle)" >&2
  exit 2
fi

command -v cargo-audit >/dev/null 2>&1 || cargo install cargo-audit --locked
echo "audit: advisory database commit of $(git -C "$db" log -1 --format=%cs)"
cargo audit --db "$db" --no-fetch --deny warnings
