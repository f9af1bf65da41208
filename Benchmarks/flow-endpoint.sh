#!/usr/bin/env bash
# The WhatsApp Flow data endpoint's throughput: encrypted requests answered per second (wrk,
# CONNECTIONS connections) next to the machine's ceiling for the work each request needs, one
# RSA-2048 private-key operation, measured in the same run with `openssl speed -multi N rsa2048`
# (N = the number of cores), and next to a second reference: the same RSA-OAEP-SHA256
# decryption the endpoint performs, alone, on N threads of one process
# (`Benchmarks/lib/rsa-oaep-threads.c`). Two request mixes: `ping` (crypto only) and `INIT`
# (crypto plus the response record's write on SQLite, synchronous=FULL).
#
# Environment: DURATION (10s), CONNECTIONS (32), REQUESTS (2000 distinct encrypted requests).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/deps.sh
. "$root/scripts/lib/deps.sh"
cd "$root"

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
REQUESTS=${REQUESTS:-2000}
cores=$(nproc)

ensure_swift
ensure_packages "${SWITCHBOARD_BASE_PACKAGES[@]}" wrk openssl python3 python3-cryptography curl gcc
sb_log "building switchboard (release)"
swift build -c release --product switchboard
bin="$root/.build/release/switchboard"

tmp=$(mktemp -d /tmp/switchboard-flowbench.XXXXXX)
sb_pid=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$sb_pid" ] && kill -TERM "$sb_pid" 2>/dev/null && wait "$sb_pid" 2>/dev/null || true
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

secret="bench-app-secret-0123456789"
openssl genrsa -out "$tmp/private.pem" 2048 2>/dev/null
openssl rsa -in "$tmp/private.pem" -pubout -out "$tmp/public.pem" 2>/dev/null

# Distinct encrypted requests for each mix: "<signature>\t<body>" per line.
python3 - "$tmp" "$secret" "$REQUESTS" <<'PY'
import base64, hashlib, hmac, json, os, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
tmp, secret, n = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
public = serialization.load_pem_public_key(open(os.path.join(tmp, "public.pem"), "rb").read())
oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
def line(request):
    key, iv = os.urandom(16), os.urandom(16)
    body = json.dumps({"encrypted_flow_data": base64.b64encode(AESGCM(key).encrypt(iv, json.dumps(request).encode(), None)).decode(),
                       "encrypted_aes_key": base64.b64encode(public.encrypt(key, oaep)).decode(),
                       "initial_vector": base64.b64encode(iv).decode()})
    return "sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest() + "\t" + body + "\n"
with open(os.path.join(tmp, "ping.txt"), "w") as f:
    for _ in range(n): f.write(line({"version": "3.0", "action": "ping"}))
with open(os.path.join(tmp, "init.txt"), "w") as f:
    for i in range(n): f.write(line({"version": "3.0", "action": "INIT", "flow_token": "bench-%d" % (i % 200), "screen": "", "data": {}}))
PY

port=$(sb_free_port)
cat >"$tmp/plugins.json" <<JSON
{"server": {"host": "127.0.0.1", "port": $port},
 "storage": {"url": "sqlite:$tmp/bench.db"},
 "log": {"level": "warning"},
 "plugins": {"metaflow": {"enabled": true, "config": {
   "app_secret": "$secret", "private_key_path": "$tmp/private.pem",
   "flows": {"survey": {"first_screen": "Q1", "screens": {"Q1": {"next": "SUCCESS", "data": {"title": "How was it?"}}}}}}}}}
JSON
"$bin" serve --config "$tmp/plugins.json" 2>"$tmp/server.log" &
sb_pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done

sb_log "ceiling: openssl speed -multi $cores rsa2048 (private-key operations/s)"
ceiling=$(openssl speed -multi "$cores" -seconds 5 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF-1)}' | tail -n1)
# OpenSSL 3 prints "rsa 2048 bits <sign s> <verify s> <sign/s> <verify/s>": sign/s is the private-key op.

# A second reference: the endpoint's own RSA work (OAEP-SHA256 decryption, one context each),
# on $cores threads of one process, as the server's event loops run it.
sb_log "reference: rsa-oaep-threads ($cores threads, the endpoint's decryption alone)"
gcc -O2 -o "$tmp/rsa-oaep-threads" "$root/Benchmarks/lib/rsa-oaep-threads.c" -lcrypto -lpthread
decrypt_only=$("$tmp/rsa-oaep-threads" "$tmp/private.pem" "$cores" 4000)

results=""
for mix in ping init; do
    sb_log "$mix: wrk -t2 -c$CONNECTIONS -d$DURATION"
    out=$(SB_REQUESTS_FILE="$tmp/$mix.txt" SB_PATH="/metaflow/endpoint" \
        wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$root/Benchmarks/lib/flow-requests.lua" "http://127.0.0.1:$port" 2>&1)
    rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    results+="$(printf '%-6s %12s %10s %10s %8s' "$mix" "$rps" "$p50" "$p99" "${non2xx:-0}")"$'\n'
done

echo
echo "Flow endpoint, wrk -t2 -c$CONNECTIONS -d$DURATION, $cores CPUs; ceiling = openssl speed -multi $cores rsa2048 sign/s"
printf '%-6s %12s %10s %10s %8s\n' mix req/s p50 p99 non2xx
printf '%s' "$results"
echo "ceiling (RSA-2048 private ops/s): $ceiling"
echo "decryption alone (RSA-OAEP-SHA256 decryptions/s, $cores threads of one process): $decrypt_only ($(python3 -c "print('%.2f' % (float('$decrypt_only') / float('$ceiling')))")x the ceiling)"
for mix in ping init; do
    rps=$(printf '%s' "$results" | awk -v m="$mix" '$1 == m {print $2}')
    python3 -c "print('$mix: %.2fx the ceiling, %.2fx the decryption alone' % (float('$rps') / float('$ceiling'), float('$rps') / float('$decrypt_only')))"
done
