# shellcheck shell=bash
# Sourced by scripts/run, scripts/test and Benchmarks/*.sh: installs the Debian packages
# Switchboard needs and makes sure `swift` is on PATH. Needs only bash, coreutils, dpkg and apt.
#
#   . scripts/lib/deps.sh
#   ensure_swift
#   ensure_packages "${SWITCHBOARD_BASE_PACKAGES[@]}" postgresql

# System libraries the package links through its module maps (see Package.swift),
# plus pkg-config, which SwiftPM uses to find libpq, OpenSSL and libcurl.
# shellcheck disable=SC2034 # used by the scripts that source this file
SWITCHBOARD_BASE_PACKAGES=(pkg-config libssl-dev libpq-dev libcurl4-openssl-dev libsqlite3-dev)

_sb_apt_updated=0

sb_log() { printf '==> %s\n' "$*" >&2; }
sb_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
sb_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -- "$@"
    else
        sb_die "installing packages needs root: run as root or install sudo (wanted: $*)"
    fi
}

# True when the Debian package is installed (not merely known or half-removed).
sb_package_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [ "$status" = "install ok installed" ]
}

# ensure_packages PKG…: installs the packages that are missing; `apt-get update` at most once per run.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        sb_package_installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0

    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        sb_die "missing packages: ${missing[*]}; apt-get is not available, so install them (or their equivalents) by hand — these scripts expect Debian 12"
    fi
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        sb_die "missing packages: ${missing[*]}; installing them needs root: run as root, or install sudo, or install them yourself"
    fi
    sb_log "installing ${missing[*]}"
    local apt_opts=(-o DPkg::Lock::Timeout=300 -q)
    if [ "$_sb_apt_updated" -eq 0 ]; then
        sb_as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update \
            || sb_die "apt-get update failed"
        _sb_apt_updated=1
    fi
    sb_as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" </dev/null \
        || sb_die "apt-get install failed for: ${missing[*]}"
}

# ensure_swift: `swift` on PATH, else the toolchain in /opt/swift, else a clear error.
ensure_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        if [ -x /opt/swift/usr/bin/swift ]; then
            export PATH="/opt/swift/usr/bin:$PATH"
        else
            sb_die "swift not found: Switchboard needs Swift 6.3 (https://www.swift.org/install/linux/); put its usr/bin on PATH"
        fi
    fi
    local version
    version=$(swift --version 2>/dev/null | grep -o 'Swift version [0-9][0-9.]*' | head -n1 || true)
    case "$version" in
        "Swift version 6."*) ;;
        "") sb_log "warning: could not read the Swift version; Switchboard needs Swift 6.3" ;;
        *) sb_die "found ${version}; Switchboard needs Swift 6.3" ;;
    esac
}

# sb_free_port: prints a TCP port that is free on 127.0.0.1 (python3 binds port 0 when it is
# there; otherwise bash probes random ports through /dev/tcp).
sb_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local port _
    for _ in $(seq 1 200); do
        port=$(( 20000 + RANDOM % 40000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    sb_die "found no free port on 127.0.0.1"
}
