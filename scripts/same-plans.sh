#!/usr/bin/env bash
# Proves a refactor changes no plan: evaluates dev, staging and production at a base commit and in
# the work tree, and compares the --json plans byte for byte. Exit 0 when all are identical, 1 when
# any differs (the diff command for each is printed).
#
#   scripts/same-plans.sh [base-ref]     (default: HEAD)
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-HEAD}"
scratch="$(mktemp -d)"
trap 'git worktree remove --force "$scratch/base" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

git worktree add --detach --quiet "$scratch/base" "$base"
# The same dependencies: the base's own lock file decides, but an unchanged one reuses ours.
if cmp -s package-lock.json "$scratch/base/package-lock.json"; then
    ln -s "$PWD/node_modules" "$scratch/base/node_modules"
else
    (cd "$scratch/base" && npm ci --no-audit --no-fund --silent)
fi

status=0
for stack in dev staging production; do
    (cd "$scratch/base" && node -r ./automation/register.js automation/plan-cli.ts --stack "$stack" --json >"$scratch/$stack.base.json" 2>/dev/null) || true
    node -r ./automation/register.js automation/plan-cli.ts --stack "$stack" --json >"$scratch/$stack.json" 2>/dev/null || true
    # The evaluation's duration differs from run to run; everything else must not.
    for f in "$scratch/$stack.base.json" "$scratch/$stack.json"; do
        node -e 'const fs=require("fs");const f=process.argv[1];try{const d=JSON.parse(fs.readFileSync(f,"utf8"));delete d.duration;fs.writeFileSync(f,JSON.stringify(d,null,2))}catch{}' "$f"
    done
    if cmp -s "$scratch/$stack.base.json" "$scratch/$stack.json"; then
        echo "$stack: identical to $base"
    else
        echo "$stack: DIFFERS from $base (npm run plan -- --stack $stack --diff-against <plan of $base> shows what)"
        status=1
    fi
done
exit "$status"
