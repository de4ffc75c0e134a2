# shellcheck shell=bash
# Sourced by .ci/run: installs PostgreSQL and Redis from Debian packages, starts them on
# loopback on free ports under a temporary directory, exports their URLs for the tests
# (SMIDO_TEST_POSTGRES_URL, SMIDO_TEST_REDIS_URL) and stops them on exit.
# Usable by hand too:  source .ci/services.sh && services_start   (services_stop to end)

services_install() {
    if command -v redis-server >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        return 0
    fi
    echo "== installing postgresql and redis-server (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null
}

_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

services_start() {
    services_install
    SMIDO_SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smido-services.XXXXXX")
    chmod 755 "$SMIDO_SERVICES_DIR"
    local pgbin pguser pgport redisport
    pgbin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
    pgport=$(_free_port)
    redisport=$(_free_port)
    # initdb refuses to run as root: run PostgreSQL as the unprivileged "postgres" user
    pguser=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        pguser=postgres
        id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    fi
    _as_pg() {
        if [ "$(id -u)" = 0 ]; then runuser -u "$pguser" -- "$@"; else "$@"; fi
    }
    mkdir -p "$SMIDO_SERVICES_DIR/pg"
    chown "$pguser" "$SMIDO_SERVICES_DIR/pg"
    _as_pg "$pgbin/initdb" -D "$SMIDO_SERVICES_DIR/pg/data" -U smido --auth=trust -E UTF8 >/dev/null
    _as_pg "$pgbin/pg_ctl" -D "$SMIDO_SERVICES_DIR/pg/data" -l "$SMIDO_SERVICES_DIR/pg/log" -w \
        -o "-h 127.0.0.1 -p $pgport -k $SMIDO_SERVICES_DIR/pg -c fsync=off -c max_connections=200" start >/dev/null
    _as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U smido smido
    SMIDO_PG_CTL="$pgbin/pg_ctl"
    SMIDO_PG_USER=$pguser
    redis-server --bind 127.0.0.1 --port "$redisport" --dir "$SMIDO_SERVICES_DIR" \
        --save '' --appendonly no --daemonize yes --pidfile "$SMIDO_SERVICES_DIR/redis.pid" \
        --logfile "$SMIDO_SERVICES_DIR/redis.log"
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$redisport" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    export SMIDO_TEST_POSTGRES_URL="postgresql://smido@127.0.0.1:$pgport/smido"
    export SMIDO_TEST_REDIS_URL="redis://127.0.0.1:$redisport/0"
    export SMIDO_SERVICES_DIR SMIDO_PG_CTL SMIDO_PG_USER
    echo "== services: PostgreSQL $SMIDO_TEST_POSTGRES_URL, Redis $SMIDO_TEST_REDIS_URL"
}

services_stop() {
    [ -n "${SMIDO_SERVICES_DIR:-}" ] || return 0
    if [ -f "$SMIDO_SERVICES_DIR/redis.pid" ]; then
        kill "$(cat "$SMIDO_SERVICES_DIR/redis.pid")" 2>/dev/null || true
    fi
    if [ -d "$SMIDO_SERVICES_DIR/pg/data" ]; then
        if [ "$(id -u)" = 0 ]; then
            runuser -u "$SMIDO_PG_USER" -- "$SMIDO_PG_CTL" -D "$SMIDO_SERVICES_DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
        else
            "$SMIDO_PG_CTL" -D "$SMIDO_SERVICES_DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
        fi
    fi
    rm -rf "$SMIDO_SERVICES_DIR"
    SMIDO_SERVICES_DIR=
}
