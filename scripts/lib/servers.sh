# Shared by scripts/test and scripts/bench: installs missing Debian packages and starts the
# servers the tests and benchmarks talk to, on 127.0.0.1, in a temp dir removed on exit.

. "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

ensure_packages() {
  local need=()
  # shellcheck disable=SC2207 # one word per package
  need=($(build_packages_needed))
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
  [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  install_packages "${need[@]}"
}

work=$(mktemp -d /tmp/healthd-servers.XXXXXX)
# The lag benchmark's instrument, nginx's arrivals log, goes to memory when it can: on the disk that healthd writes
# its checkpoints to (hundreds of MB a minute at 10,000 probes), nginx's log writes would wait behind them, and the
# times it logs would carry the disk's delays into healthd's lag.
shm=$( { [ -d /dev/shm ] && [ -w /dev/shm ] && mktemp -d /dev/shm/healthd-servers.XXXXXX; } || echo "$work")
stop_servers() {
  # Every server leaves its pid in one of these; PostgreSQL gets SIGINT (fast shutdown: it does
  # not wait for its clients to leave), the others SIGTERM. Then (after the test CA is untrusted
  # again, which takes a few seconds) up to 5 s for all to be gone.
  local pidfile pid pids=()
  for pidfile in "$work"/*.pid "$work"/pg/postmaster.pid "$work"/pg2/postmaster.pid "$work"/pgbouncer/pgbouncer.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(head -1 "$pidfile" 2>/dev/null) || continue
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    case "$pidfile" in */postmaster.pid) kill -INT "$pid" 2>/dev/null || true ;; *) kill "$pid" 2>/dev/null || true ;; esac
    pids+=("$pid")
  done
  if [ -n "${trusted_ca:-}" ]; then
    as_root rm -f "$trusted_ca"
    as_root update-ca-certificates --fresh >/dev/null 2>&1 || true
  fi
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do _running "$pid" && alive=1; done
    [ "$alive" = 1 ] || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do _running "$pid" && kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$work" "$shm"
}
trap stop_servers EXIT
# A signal ends the script through exit, so the servers stop then too (bash skips the EXIT trap otherwise).
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Whether process $1 still runs: exited daemons can linger as zombies (whoever adopted them may be
# slow to reap), and kill -0 still finds those.
_running() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  case "$state" in Z*|"") return 1 ;; *) return 0 ;; esac
}

# Below the kernel's ephemeral range (32768+), so no outgoing connection holds it.
free_port() {
  while :; do
    local p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# A throwaway CA, trusted by this machine for the run (so probes without a ca_file, which use the
# system store, can be tested against it), and certificates in $work/tls (RSA 2048, sha256), made once per run:
#   ca.crt/key          the test CA
#   server.crt/key      127.0.0.1 and localhost, valid for 2 days; notAfter in $server_cert_not_after (epoch s)
#   expired.crt/key     127.0.0.1 and localhost, signed by the CA, expired a day ago ($expired_cert_not_after)
#   otherhost.crt/key   signed by the CA, valid, but for other.example.com only (no 127.0.0.1 or localhost)
#   client.crt/key      a client certificate signed by the CA: CN=healthd-client, extendedKeyUsage=clientAuth
#   untrusted.crt/key   self-signed for 127.0.0.1, trusted nowhere
#   wrongca.crt/key     another CA (self-signed, trusted nowhere), to pass as a wrong CA file
make_test_tls() {
  local d="$work/tls"
  [ -f "$d/ca.crt" ] && return 0
  mkdir -p "$d/issued"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=healthd test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1
  _tls_leaf server "/CN=localhost" "subjectAltName=IP:127.0.0.1,DNS:localhost"
  _tls_leaf otherhost "/CN=other.example.com" "subjectAltName=DNS:other.example.com"
  _tls_leaf client "/CN=healthd-client" \
    "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth"
  # openssl 3.0's x509 -req has no -not_before/-not_after (3.4 has): `openssl ca` takes explicit dates.
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/expired.key" -out "$d/expired.csr" >/dev/null 2>&1
  printf "subjectAltName=IP:127.0.0.1,DNS:localhost\n" > "$d/expired.ext"
  : > "$d/index.txt"
  echo 1000 > "$d/ca-db.srl"
  cat > "$d/ca.cnf" <<CONF
[ca]
default_ca = test_ca
[test_ca]
database = $d/index.txt
new_certs_dir = $d/issued
serial = $d/ca-db.srl
default_md = sha256
policy = any_subject
unique_subject = no
[any_subject]
commonName = supplied
CONF
  openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.crt" -keyfile "$d/ca.key" -in "$d/expired.csr" \
    -out "$d/expired.crt" -notext -extfile "$d/expired.ext" \
    -startdate "$(date -u -d '3 days ago' +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d '1 day ago' +%Y%m%d%H%M%SZ)" >/dev/null 2>&1
  server_cert_not_after=$(_tls_not_after "$d/server.crt")
  expired_cert_not_after=$(_tls_not_after "$d/expired.crt")
  trusted_ca=/usr/local/share/ca-certificates/healthd-test-$$.crt
  as_root cp "$d/ca.crt" "$trusted_ca"
  as_root update-ca-certificates >/dev/null 2>&1
  # And one self-signed certificate nobody trusts.
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$d/untrusted.key" -out "$d/untrusted.crt" >/dev/null 2>&1
  # And another CA, trusted nowhere.
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj "/CN=healthd wrong CA" \
    -keyout "$d/wrongca.key" -out "$d/wrongca.crt" >/dev/null 2>&1
  chmod 644 "$d"/*.crt
}

# $work/tls/$1.crt/key for subject $2, signed by the test CA for 2 days, with extensions $3...
_tls_leaf() {
  local d="$work/tls" name=$1 subj=$2
  shift 2
  openssl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$d/$name.key" -out "$d/$name.csr" >/dev/null 2>&1
  printf "%s\n" "$@" > "$d/$name.ext"
  openssl x509 -req -sha256 -in "$d/$name.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/$name.ext" -out "$d/$name.crt" >/dev/null 2>&1
}

# The certificate $1's notAfter, in seconds since the epoch.
_tls_not_after() {
  local end
  end=$(openssl x509 -in "$1" -noout -enddate)
  date -u -d "${end#notAfter=}" +%s
}

# Starts nginx on free loopback ports, plain and TLS; sets nginx_port, nginx_tls_port and
# nginx_untrusted_port, and for TLS failure cases nginx_expired_port (expired certificate),
# nginx_otherhost_port (certificate for other.example.com only), nginx_clientcert_port (answers
# /health only to clients with a certificate from the test CA; others get HTTP 400) and
# nginx_hook_port, a webhook receiver over TLS: every request to /hook... is answered 200 and
# /fail... 500, and logged in $nginx_hook_log, one line each, tab-separated:
#   method, URI, status, Content-Type, body (as sent: not escaped).
# Requests to /arrive/... on nginx_port are logged in $nginx_arrivals_log as "seconds.milliseconds path".
start_nginx() {
  local nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  make_test_tls
  nginx_tls_port=$(free_port)
  nginx_untrusted_port=$(free_port)
  nginx_port=$(free_port)
  nginx_expired_port=$(free_port)
  nginx_otherhost_port=$(free_port)
  nginx_clientcert_port=$(free_port)
  nginx_hook_port=$(free_port)
  nginx_hook_log=$work/nginx/hook.log
  nginx_arrivals_log=$shm/arrivals.log
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
  log_format arrival '\$msec \$uri';
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
    # Where the webhook receiver below passes requests on: so that nginx reads (and logs) their bodies.
    location ^~ /sink/ok { return 200 'ok'; }
    location ^~ /sink/fail { return 500; }
    # When each request arrived (ms), by path: the daemon benchmark's measure of scheduling lag.
    location ^~ /arrive/ { access_log $nginx_arrivals_log arrival; return 200 'ok'; }
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
  server {
    listen 127.0.0.1:$nginx_expired_port ssl;
    ssl_certificate $work/tls/expired.crt;
    ssl_certificate_key $work/tls/expired.key;
    location = /health { default_type application/json; return 200 '{"status":"operational"}'; }
  }
  server {
    listen 127.0.0.1:$nginx_otherhost_port ssl;
    ssl_certificate $work/tls/otherhost.crt;
    ssl_certificate_key $work/tls/otherhost.key;
    location = /health { default_type application/json; return 200 '{"status":"operational"}'; }
  }
  server {
    listen 127.0.0.1:$nginx_clientcert_port ssl;
    ssl_certificate $work/tls/server.crt;
    ssl_certificate_key $work/tls/server.key;
    ssl_client_certificate $work/tls/ca.crt;
    ssl_verify_client on;
    location = /health { default_type application/json; return 200 '{"status":"operational"}'; }
  }
  log_format hook escape=none '\$request_method\t\$request_uri\t\$status\t\$content_type\t\$request_body';
  server {
    listen 127.0.0.1:$nginx_hook_port ssl;
    ssl_certificate $work/tls/server.crt;
    ssl_certificate_key $work/tls/server.key;
    client_max_body_size 1m;
    client_body_buffer_size 1m;  # \$request_body is empty for a body that went to a temp file
    access_log $nginx_hook_log hook;
    location /hook { proxy_pass http://127.0.0.1:$nginx_port/sink/ok; }
    location /fail { proxy_pass http://127.0.0.1:$nginx_port/sink/fail; }
  }
}
CONF
  "$nginx" -c "$work/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log"
}

# PostgreSQL refuses to run as root: when we are root, it runs as nobody.
as_db_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi; }

# Starts PostgreSQL on a free loopback port with one role per authentication method and a seeded
# enhancement_history table in database app; TLS on (server.crt), as Debian ships it: "host" lines
# take TLS and plain connections alike, tls_user only TLS. Sets pg_port.
# Beside it, from a copy of the same fresh cluster, a plain-only PostgreSQL (ssl = off) with roles
# healthd and scram_user and an empty database app; sets pg_nossl_port.
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  make_test_tls
  pg_port=$(free_port)
  pg_nossl_port=$(free_port)
  mkdir -p "$work/pg" "$work/pgsock"  # pgsock also holds the servers' logs: nobody may write there
  [ "$(id -u)" = 0 ] && chown nobody:nogroup "$work/pg" "$work/pgsock" && chmod 755 "$work"
  as_db_user "$bin/initdb" -D "$work/pg" -U postgres --auth=trust >/dev/null
  cp -a "$work/pg" "$work/pg2"  # faster than a second initdb; cp -a keeps owner and mode 0700
  # The key must belong to the server's user and be 0600, or PostgreSQL refuses to start.
  cp "$work/tls/server.crt" "$work/tls/server.key" "$work/pg/"
  chmod 600 "$work/pg/server.key"
  [ "$(id -u)" = 0 ] && chown nobody:nogroup "$work/pg/server.crt" "$work/pg/server.key"
  cat >> "$work/pg/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
CONF
  cat > "$work/pg/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all trust_user 127.0.0.1/32 trust
host all clear_user 127.0.0.1/32 password
host all md5_user 127.0.0.1/32 md5
hostssl all tls_user 127.0.0.1/32 scram-sha-256
hostnossl all tls_user 127.0.0.1/32 reject
host all all 127.0.0.1/32 scram-sha-256
HBA
  cat >> "$work/pg2/postgresql.conf" <<CONF
ssl = off
shared_buffers = 16MB
max_connections = 20
CONF
  cat > "$work/pg2/pg_hba.conf" <<HBA
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
HBA
  as_db_user "$bin/pg_ctl" -D "$work/pg" -l "$work/pgsock/server.log" -w -o "-p $pg_port -k $work/pgsock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null &
  local main=$!
  as_db_user "$bin/pg_ctl" -D "$work/pg2" -l "$work/pgsock/server2.log" -w -o "-p $pg_nossl_port -k $work/pgsock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  wait "$main"
  as_db_user "$bin/psql" -h "$work/pgsock" -p "$pg_nossl_port" -U postgres -q -v ON_ERROR_STOP=1 <<SQL
SET password_encryption = 'scram-sha-256';
CREATE ROLE healthd LOGIN PASSWORD 'healthd-secret';
CREATE ROLE scram_user LOGIN PASSWORD 'scram-secret';
CREATE DATABASE app;
SQL
  as_db_user "$bin/psql" -h "$work/pgsock" -p "$pg_port" -U postgres -q -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE trust_user LOGIN;
CREATE ROLE clear_user LOGIN PASSWORD 'clear-secret';
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'md5-secret';
SET password_encryption = 'scram-sha-256';
CREATE ROLE scram_user LOGIN PASSWORD 'scram-secret';
CREATE ROLE healthd LOGIN PASSWORD 'healthd-secret';
CREATE ROLE tls_user LOGIN PASSWORD 'tls-secret';
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

# Starts PgBouncer (Debian's) in front of the TLS PostgreSQL of start_postgres, with its defaults but
# for what a production install sets: transaction pooling, SCRAM, an auth file (healthd and
# scram_user, with the same passwords as in PostgreSQL). Database app only. Sets pgbouncer_port.
start_pgbouncer() {
  local d="$work/pgbouncer"
  pgbouncer_port=$(free_port)
  mkdir -p "$d"
  cat > "$d/userlist.txt" <<USERS
"healthd" "healthd-secret"
"scram_user" "scram-secret"
USERS
  cat > "$d/pgbouncer.ini" <<CONF
[databases]
app = host=127.0.0.1 port=$pg_port dbname=app

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pgbouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $d/userlist.txt
pool_mode = transaction
logfile = $d/pgbouncer.log
pidfile = $d/pgbouncer.pid
CONF
  # Like PostgreSQL, PgBouncer refuses to run as root.
  [ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$d"
  chmod 600 "$d/userlist.txt"
  as_db_user /usr/sbin/pgbouncer -d -q "$d/pgbouncer.ini"
  wait_for_port "$pgbouncer_port" pgbouncer
}

# Starts Redis with a password for the default user and a read-only ACL user; sets redis_port, and
# redis_tls_port where the same server speaks TLS (server.crt; client certificates not asked for).
# $work/redis.conf (HEALTHD_TEST_REDIS_CONF, which tests start Redises of their own with) stays
# plain: the TLS settings are in $work/redis-tls.conf, which includes it.
start_redis() {
  make_test_tls
  redis_port=$(free_port)
  redis_tls_port=$(free_port)
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
  cat > "$work/redis-tls.conf" <<CONF
include $work/redis.conf
tls-port $redis_tls_port
tls-cert-file $work/tls/server.crt
tls-key-file $work/tls/server.key
tls-ca-cert-file $work/tls/ca.crt
tls-auth-clients no
CONF
  redis-server "$work/redis-tls.conf"
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" -a redis-secret --no-auth-warning ping >/dev/null 2>&1 &&
      redis-cli --tls --cacert "$work/tls/ca.crt" -p "$redis_tls_port" -a redis-secret --no-auth-warning ping >/dev/null 2>&1 &&
      return
    sleep 0.1
  done
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
