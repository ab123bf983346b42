# Throwaway PostgreSQL 15 and Redis on 127.0.0.1 for the test suite (source this file, as root).
# initdb and pg_ctl refuse to run as root, hence runuser; ports avoid the packaged defaults.
PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
PGBIN=/usr/lib/postgresql/15/bin

services_start() {
  SVC_DIR="$(mktemp -d /tmp/dearly-services.XXXXXX)"
  export SVC_DIR
  chmod 755 "$SVC_DIR"   # mktemp gives 0700 and postgres must enter it
  mkdir -p "$SVC_DIR/pg" "$SVC_DIR/redis"
  chown postgres:postgres "$SVC_DIR/pg"
  runuser -u postgres -- "$PGBIN/initdb" -D "$SVC_DIR/pg/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$SVC_DIR/pg/initdb.log"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$SVC_DIR/pg/data" -l "$SVC_DIR/pg/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SVC_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$SVC_DIR/redis" --pidfile "$SVC_DIR/redis/redis.pid" --logfile "$SVC_DIR/redis/redis.log"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
  export POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

services_stop() {
  [ -n "${SVC_DIR:-}" ] || return 0
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$SVC_DIR/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -f "$SVC_DIR/redis/redis.pid" ] && kill "$(cat "$SVC_DIR/redis/redis.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$SVC_DIR"
}
