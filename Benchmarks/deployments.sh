#!/usr/bin/env bash
# Start-up time and memory of each example deployment (examples/plugins.*.json): how long from
# exec until /readyz answers 200 (migrations included: a fresh SQLite database each run, and a
# second start on the migrated database), and the resident memory once ready (VmRSS) and at
# its peak (VmHWM). Builds the release binary unless SWITCHBOARD_BIN is set. The reference in
# the same run is the shipped plugins.json (every plugin disabled). See Benchmarks/README.md.
#
# Environment: RUNS (5 starts per deployment; medians are printed), SWITCHBOARD_BIN.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/deps.sh
. "$root/scripts/lib/deps.sh"
cd "$root"

RUNS=${RUNS:-5}

ensure_packages curl python3
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
    ensure_swift
    ensure_packages "${SWITCHBOARD_BASE_PACKAGES[@]}"
    sb_log "building switchboard (release)"
    swift build -c release --product switchboard
    SWITCHBOARD_BIN="$root/.build/release/switchboard"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-deploy-bench.XXXXXX")
pid=""
# shellcheck disable=SC2317 # called from the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$SWITCHBOARD_BIN" flows keygen --out "$tmp/keys" >/dev/null
# Fake values for every ${VAR} the examples use; nothing is sent anywhere at start.
export SWITCHBOARD_ADMIN_TOKEN=bench-admin-token-0123456789 META_APP_SECRET=bench-app-secret-0123456789 \
    META_VERIFY_TOKEN=bench-verify META_ACCESS_TOKEN=bench-access-token-0123456789 META_PHONE_NUMBER_ID=100000000000001 \
    META_FLOW_ID=200000000000002 FLOW_PRIVATE_KEY_PATH="$tmp/keys/private.pem" CHATWOOT_BASE_URL=http://127.0.0.1:9 \
    CHATWOOT_API_TOKEN=bench-chatwoot-token CHATWOOT_WEBHOOK_SECRET=bench-chatwoot-secret \
    WASENDER_API_KEY=bench-wasender-key-0123456789 WASENDER_WEBHOOK_SECRET=bench-wasender-secret \
    CLOUDTALK_WEBHOOK_TOKEN=bench-cloudtalk-token

# Writes $tmp/<name>/plugins.json: the example with a free port and a database in that directory.
prepare() {
    local name=$1 source=$2 port=$3
    mkdir -p "$tmp/$name"
    python3 - "$source" "$tmp/$name/plugins.json" "$port" "$tmp/$name/switchboard.db" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config.setdefault("server", {})["port"] = int(sys.argv[3])
config["storage"] = {"url": "sqlite:" + sys.argv[4]}
json.dump(config, open(sys.argv[2], "w"))
PY
}

# One start: prints "<ms to ready> <VmRSS kB> <VmHWM kB>".
start_once() {
    local dir=$1 port=$2 t0 t1 rss hwm
    t0=$(date +%s%N)
    (cd "$dir" && exec "$SWITCHBOARD_BIN" serve --config plugins.json 2>"$dir/log") &
    pid=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; do
        kill -0 "$pid" 2>/dev/null || { cat "$dir/log" >&2; sb_die "switchboard exited in $dir"; }
        sleep 0.005
    done
    t1=$(date +%s%N)
    sleep 0.5   # let start-up work (first job-engine pass, periodic claims) settle
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    echo "$(( (t1 - t0) / 1000000 )) $rss $hwm"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '%-16s %14s %14s %12s %12s\n' deployment "fresh start ms" "warm start ms" "RSS MiB" "peak MiB"
for name in shipped flows-only cloudtalk-only full; do
    if [ "$name" = shipped ]; then source="$root/plugins.json"; else source="$root/examples/plugins.$name.json"; fi
    port=$(sb_free_port)
    fresh=() warm=() rss=() hwm=()
    for _ in $(seq 1 "$RUNS"); do
        rm -rf "$tmp/$name"
        prepare "$name" "$source" "$port"
        read -r ms r h < <(start_once "$tmp/$name" "$port")
        fresh+=("$ms")
        read -r ms r h < <(start_once "$tmp/$name" "$port")
        warm+=("$ms") rss+=("$r") hwm+=("$h")
    done
    printf '%-16s %14s %14s %12s %12s\n' "$name" \
        "$(printf '%s\n' "${fresh[@]}" | median)" "$(printf '%s\n' "${warm[@]}" | median)" \
        "$(printf '%s\n' "${rss[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')" \
        "$(printf '%s\n' "${hwm[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')"
done
