# Shared by scripts/test and scripts/bench: installs missing Debian packages and starts the
# servers the tests and benchmarks talk to, on 127.0.0.1, in a temp dir removed on exit.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_packages() {
  local need=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  [ -x /usr/lib/nagios/plugins/check_dummy ] || need+=(monitoring-plugins-basic)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  command -v prometheus-node-exporter >/dev/null 2>&1 || need+=(prometheus-node-exporter)
  command -v prometheus-blackbox-exporter >/dev/null 2>&1 || need+=(prometheus-blackbox-exporter)
  command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  command -v systemd-analyze >/dev/null 2>&1 && command -v systemd-socket-activate >/dev/null 2>&1 || need+=(systemd)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  [ ${#need[@]} -gt 0 ] || return 0
  echo "installing test dependencies: ${need[*]}"
  as_root apt-get update -qq
  # policy-rc.d keeps the packages' own services from starting: we start our own.
  as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  as_root rm -f /usr/sbin/policy-rc.d
}

work=$(mktemp -d /tmp/healthd-servers.XXXXXX)
stop_servers() {
  if [ -n "${trusted_ca:-}" ]; then
    as_root rm -f "$trusted_ca"
    as_root update-ca-certificates --fresh >/dev/null 2>&1 || true
  fi
  for pidfile in "$work"/*.pid "$work"/pg/postmaster.pid; do
    [ -f "$pidfile" ] && kill "$(head -1 "$pidfile")" 2>/dev/null || true
  done
  sleep 0.2
  rm -rf "$work"
}
trap stop_servers EXIT

# Below the kernel's ephemeral range (32768+), so no outgoing connection holds it.
free_port() {
  while :; do
    local p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# A throwaway CA, trusted by this machine for the run (libcurl, under Foundation's URLSession, reads
# only the system store), and a certificate for 127.0.0.1/localhost signed by it.
make_test_tls() {
  local d="$work/tls"
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=healthd test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1
  printf "subjectAltName=IP:127.0.0.1,DNS:localhost\n" > "$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/san.ext" -out "$d/server.crt" >/dev/null 2>&1
  trusted_ca=/usr/local/share/ca-certificates/healthd-test-$$.crt
  as_root cp "$d/ca.crt" "$trusted_ca"
  as_root update-ca-certificates >/dev/null 2>&1
  # And one self-signed certificate nobody trusts.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$d/untrusted.key" -out "$d/untrusted.crt" >/dev/null 2>&1
}

# Starts nginx on free loopback ports, plain and TLS; sets nginx_port, nginx_tls_port and nginx_untrusted_port.
start_nginx() {
  local nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  make_test_tls
  nginx_tls_port=$(free_port)
  nginx_untrusted_port=$(free_port)
  nginx_port=$(free_port)
  mkdir -p "$work/nginx/html"
  echo "ok" > "$work/nginx/html/index.html"
  cat > "$work/nginx.conf" <<CONF
daemon on;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
worker_processes 1;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    root $work/nginx/html;
    location = /health { default_type application/json; return 200 '{"status":"operational"}'; }
    location = /unavailable { return 503; }
    location = /queue { default_type application/json; return 200 '{"queue":{"depth":42,"workers":[{"name":"w1","busy":true}]}}'; }
    location = /moved { return 302 /health; }
  }
  server {
    listen 127.0.0.1:$nginx_tls_port ssl;
    ssl_certificate $work/tls/server.crt;
    ssl_certificate_key $work/tls/server.key;
    location = /health { default_type application/json; return 200 '{"status":"operational"}'; }
    location = /moved { return 302 /health; }
  }
  server {
    listen 127.0.0.1:$nginx_untrusted_port ssl;
    ssl_certificate $work/tls/untrusted.crt;
    ssl_certificate_key $work/tls/untrusted.key;
    location / { return 200 'ok'; }
  }
}
CONF
  "$nginx" -c "$work/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log"
}

# PostgreSQL refuses to run as root: when we are root, it runs as nobody.
as_db_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi; }

# Starts PostgreSQL on a free loopback port with one role per authentication method and a seeded
# enhancement_history table; sets pg_port.
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_port=$(free_port)
  mkdir -p "$work/pg" "$work/pgsock"  # pgsock also holds the server log: nobody may write there
  [ "$(id -u)" = 0 ] && chown nobody:nogroup "$work/pg" "$work/pgsock" && chmod 755 "$work"
  as_db_user "$bin/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
  cat > "$work/pg/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all trust_user 127.0.0.1/32 trust
host all clear_user 127.0.0.1/32 password
host all md5_user 127.0.0.1/32 md5
host all all 127.0.0.1/32 scram-sha-256
HBA
  as_db_user "$bin/pg_ctl" -D "$work/pg" -l "$work/pgsock/server.log" -w -o "-p $pg_port -k $work/pgsock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  as_db_user "$bin/psql" -h "$work/pgsock" -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE trust_user LOGIN;
CREATE ROLE clear_user LOGIN PASSWORD 'clear-secret';
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'md5-secret';
SET password_encryption = 'scram-sha-256';
CREATE ROLE scram_user LOGIN PASSWORD 'scram-secret';
CREATE ROLE healthd LOGIN PASSWORD 'healthd-secret';
CREATE DATABASE app;
\\c app
CREATE TABLE enhancement_history (
  id serial PRIMARY KEY, tenant_id int NOT NULL, ticket_id text NOT NULL, status text NOT NULL,
  processing_time_ms int, created_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz,
  error_message text);
INSERT INTO enhancement_history (tenant_id, ticket_id, status, processing_time_ms, created_at, error_message)
  SELECT i % 7, 'T-' || i, CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'completed' END, 100 + (i * 37) % 900,
         now() - (i || ' minutes')::interval,
         CASE WHEN i % 10 = 0 THEN 'upstream video API returned 502 after ' || i || ' ms; ' || repeat('x', 150) END
  FROM generate_series(1, 500) AS i;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC;
SQL
}

# Starts Redis with a password for the default user and a read-only ACL user; sets redis_port.
start_redis() {
  redis_port=$(free_port)
  cat > "$work/redis.conf" <<CONF
bind 127.0.0.1
port $redis_port
daemonize yes
pidfile $work/redis.pid
dir $work
save ""
appendonly no
requirepass redis-secret
user reader on >reader-secret ~* &* +@read +@connection -@write -@admin -@dangerous
user healthd on >healthd-secret ~* &* +@read +@connection -@write -@admin -@dangerous
CONF
  redis-server "$work/redis.conf"
  for _ in $(seq 50); do redis-cli -p "$redis_port" -a redis-secret --no-auth-warning ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis did not start" >&2; return 1
}

# Starts node_exporter (textfile collector only, reading $work/textfile) and Prometheus scraping it
# every second; sets prom_port and textfile_dir.
start_prometheus() {
  local ne_port
  ne_port=$(free_port)
  prom_port=$(free_port)
  textfile_dir="$work/textfile"
  mkdir -p "$textfile_dir" "$work/prom"
  prometheus-node-exporter --web.listen-address="127.0.0.1:$ne_port" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$textfile_dir" >"$work/node_exporter.log" 2>&1 &
  echo $! > "$work/node_exporter.pid"
  cat > "$work/prometheus.yml" <<CONF
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: textfile
    static_configs: [ { targets: ["127.0.0.1:$ne_port"] } ]
CONF
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom" \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
  echo $! > "$work/prometheus.pid"
  wait_for_port "$prom_port" prometheus
}

# Waits up to 10 s for something to listen on 127.0.0.1:$1 ($2 names it in the error).
wait_for_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    sleep 0.1
  done
  echo "$2 did not start" >&2; return 1
}

# Alertmanager with one do-nothing receiver: the tests read back what healthd posted through its API.
start_alertmanager() {
  am_port=$(free_port)
  mkdir -p "$work/am"
  cat > "$work/alertmanager.yml" <<CONF
route: { receiver: nobody, group_wait: 1s, group_interval: 1s, repeat_interval: 1h }
receivers: [ { name: nobody } ]
CONF
  prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= >"$work/alertmanager.log" 2>&1 &
  echo $! > "$work/alertmanager.pid"
  wait_for_port "$am_port" alertmanager
}
