# Shared by scripts/test and scripts/bench: installs missing Debian packages and starts the
# servers the tests and benchmarks talk to, on 127.0.0.1, in a temp dir removed on exit.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_packages() {
  local need=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  [ -x /usr/lib/nagios/plugins/check_dummy ] || need+=(monitoring-plugins-basic)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
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
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
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

# Starts nginx on a free loopback port; sets nginx_port.
start_nginx() {
  local nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
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
  }
}
CONF
  "$nginx" -c "$work/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log"
}
