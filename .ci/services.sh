# Throwaway PostgreSQL 15 and Redis on 127.0.0.1 for the test suite (source this file).
# Run as root, the servers run as the postgres user (initdb and pg_ctl refuse root); otherwise as
# the current user. Ports avoid the packaged defaults; PG_PORT/REDIS_PORT choose others.
PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"

_as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  _as_pg "$PGBIN/pg_ctl" -D "$SVC_DIR/pg/data" -l "$SVC_DIR/pg/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SVC_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
}

# -m fast: open transactions are rolled back and clients disconnected, as in a real restart.
pg_stop() {
  _as_pg "$PGBIN/pg_ctl" -D "$SVC_DIR/pg/data" -m fast -w stop >/dev/null
}

redis_start() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$SVC_DIR/redis" --pidfile "$SVC_DIR/redis/redis.pid" --logfile "$SVC_DIR/redis/redis.log"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  return 1
}

redis_stop() {
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 50); do
    [ -f "$SVC_DIR/redis/redis.pid" ] && kill -0 "$(cat "$SVC_DIR/redis/redis.pid")" 2>/dev/null || return 0
    sleep 0.1
  done
}

services_start() {
  SVC_DIR="$(mktemp -d /tmp/dearly-services.XXXXXX)"
  export SVC_DIR PG_PORT REDIS_PORT
  chmod 755 "$SVC_DIR"   # mktemp gives 0700 and postgres must enter it
  mkdir -p "$SVC_DIR/pg" "$SVC_DIR/redis"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$SVC_DIR/pg"
  _as_pg "$PGBIN/initdb" -D "$SVC_DIR/pg/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$SVC_DIR/pg/initdb.log"
  pg_start
  redis_start
  export POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

services_stop() {
  [ -n "${SVC_DIR:-}" ] || return 0
  pg_stop 2>/dev/null || true
  redis_stop
  rm -rf "$SVC_DIR"
}
