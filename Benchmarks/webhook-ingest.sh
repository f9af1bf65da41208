#!/usr/bin/env bash
# Signed 2 KB webhooks acknowledged per second (wrk -c CONNECTIONS) on SQLite (synchronous=FULL)
# and on PostgreSQL (synchronous_commit=on), next to the raw rate of the same database
# inserting the same rows one transaction per row (Python's sqlite3 loop; pgbench, a C loop,
# for PostgreSQL), measured in the same run. Uses switchboard-test-host (the built-in plugins
# plus the WebhookKit test plugin, which declares the signed webhook). Starts and removes its
# own PostgreSQL cluster.
#
# Environment: DURATION (10s), CONNECTIONS (64), RAW_ROWS (2000), BACKENDS ("sqlite postgres").
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/deps.sh
. "$root/scripts/lib/deps.sh"
cd "$root"

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
RAW_ROWS=${RAW_ROWS:-2000}
BACKENDS=${BACKENDS:-"sqlite postgres"}

ensure_swift
ensure_packages "${SWITCHBOARD_BASE_PACKAGES[@]}" wrk postgresql
sb_log "building switchboard-test-host (release)"
swift build -c release --product switchboard-test-host
bin="$root/.build/release/switchboard-test-host"

tmp=$(mktemp -d /tmp/switchboard-ingest.XXXXXX)
chmod 755 "$tmp"
sb_pid=""
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
pg_run=()
[ "$(id -u)" -eq 0 ] && pg_run=(runuser -u postgres --)
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$sb_pid" ] && kill -TERM "$sb_pid" 2>/dev/null && wait "$sb_pid" 2>/dev/null || true
    if [ -d "$tmp/pg/data" ]; then (cd "$tmp" && "${pg_run[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1) || true; fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

secret="bench-webhook-secret"
python3 - "$tmp/body.json" <<'PY'
import json, sys
filler = "x" * 1900
body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "text": filler}]})
open(sys.argv[1], "w").write(body)
PY
signature="sha256=$(python3 -c "import hmac,hashlib,sys; print(hmac.new(b'$secret', open('$tmp/body.json','rb').read(), hashlib.sha256).hexdigest())")"
body_size=$(wc -c <"$tmp/body.json")

start_pg() {
    mkdir -p "$tmp/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$tmp/pg"
    pg_port=$(sb_free_port)
    (cd "$tmp" && "${pg_run[@]}" "$pg_bin/initdb" -D "$tmp/pg/data" -A trust -U switchboard >/dev/null)
    (cd "$tmp" && "${pg_run[@]}" "$pg_bin/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w \
        -o "-p $pg_port -k $tmp/pg -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on -c max_connections=100" start >/dev/null)
    (cd "$tmp" && "${pg_run[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U switchboard bench)
}

# raw_rate BACKEND URL → rows/s inserting the same 2 KB rows, one transaction per row.
raw_rate() {
    case "$1" in
    sqlite)
        python3 - "$tmp/raw.db" "$tmp/body.json" "$RAW_ROWS" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, plugin TEXT, route TEXT, headers TEXT, body BLOB, received_at BIGINT, dedupe_key TEXT, status TEXT)")
body = open(sys.argv[2], "rb").read(); n = int(sys.argv[3])
t = time.time()
for i in range(n):
    db.execute("BEGIN")
    db.execute("INSERT INTO inbox (plugin, route, headers, body, received_at, dedupe_key, status) VALUES (?,?,?,?,?,?,?)",
               ("webhookkit", "/webhookkit/hook", "[]", body, int(time.time() * 1000), "d-%d" % i, "received"))
    db.execute("COMMIT")
print("%.0f" % (n / (time.time() - t)))
PY
        ;;
    postgres)
        "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U switchboard -d bench -c \
            "CREATE TABLE raw_inbox (id BIGSERIAL PRIMARY KEY, plugin TEXT, route TEXT, headers TEXT, body BYTEA, received_at BIGINT, dedupe_key TEXT, status TEXT)"
        local payload
        payload=$(python3 -c "print(open('$tmp/body.json').read().replace(\"'\", \"''\"))")
        printf "INSERT INTO raw_inbox (plugin, route, headers, body, received_at, dedupe_key, status) VALUES ('webhookkit', '/webhookkit/hook', '[]', convert_to('%s', 'UTF8'), 0, 'd-' || random(), 'received');\n" "$payload" >"$tmp/insert.sql"
        "$pg_bin/pgbench" -n -h 127.0.0.1 -p "$pg_port" -U switchboard -c 1 -t "$RAW_ROWS" -f "$tmp/insert.sql" bench 2>/dev/null \
            | awk '/^tps/ { printf "%.0f\n", $3 }'
        ;;
    esac
}

# ingest BACKEND URL → "acked/s p50_ms p99_ms non2xx"
ingest() {
    local backend=$1 url=$2 port
    port=$(sb_free_port)
    cat >"$tmp/plugins.json" <<JSON
{"server": {"host": "127.0.0.1", "port": $port}, "storage": {"url": "$url"}, "log": {"level": "warning"},
 "plugins": {"webhookkit": {"enabled": true, "config": {"secret": "$secret"}}}}
JSON
    "$bin" serve --config "$tmp/plugins.json" 2>"$tmp/server-$backend.log" &
    sb_pid=$!
    for _ in $(seq 1 200); do
        curl -s -o /dev/null "http://127.0.0.1:$port/readyz" && break
        sleep 0.05
    done
    SB_BODY_FILE="$tmp/body.json" SB_SIGNATURE="$signature" \
        wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$root/Benchmarks/lib/signed-webhook.lua" "http://127.0.0.1:$port" >"$tmp/wrk-$backend.txt"
    kill -TERM "$sb_pid"; wait "$sb_pid" 2>/dev/null || true; sb_pid=""
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx/ { bad = $NF }
        END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, bad }' "$tmp/wrk-$backend.txt"
}

results=()
for backend in $BACKENDS; do
    case "$backend" in
    sqlite) url="sqlite:$tmp/ingest.db" ;;
    postgres) start_pg; url="postgres://switchboard@127.0.0.1:$pg_port/bench" ;;
    *) sb_die "unknown backend $backend" ;;
    esac
    sb_log "$backend: raw one-row-per-transaction insert rate ($RAW_ROWS rows)"
    raw=$(raw_rate "$backend")
    sb_log "$backend: signed webhooks through switchboard (wrk -c$CONNECTIONS -d$DURATION)"
    read -r acked p50 p99 bad <<<"$(ingest "$backend" "$url")"
    results+=("$backend $raw $acked $p50 $p99 $bad")
done

mkdir -p "$root/Benchmarks/out"
{
    echo "signed ${body_size}-byte webhooks, wrk -t1 -c$CONNECTIONS -d$DURATION; $(nproc) CPUs; raw = same rows, one transaction each"
    printf "%-9s %12s %14s %8s %9s %9s %7s\n" backend raw_rows/s acked_webhooks/s ratio p50_ms p99_ms non2xx
    for line in "${results[@]}"; do
        read -r b raw acked p50 p99 bad <<<"$line"
        awk -v b="$b" -v raw="$raw" -v a="$acked" -v p50="$p50" -v p99="$p99" -v bad="$bad" \
            'BEGIN { printf "%-9s %12d %14d %8.2f %9.2f %9.2f %7d\n", b, raw, a, (raw > 0 ? a / raw : 0), p50, p99, bad }'
    done
} | tee "$root/Benchmarks/out/webhook-ingest-$(date +%Y%m%d-%H%M%S).txt"
