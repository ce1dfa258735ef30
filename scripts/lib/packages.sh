# Shared by scripts/test, scripts/bench (through servers.sh) and scripts/demo: installs missing
# Debian packages. Sourcing it only defines functions.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages named as arguments, without starting their services.
install_packages() {
  [ $# -gt 0 ] || return 0
  echo "installing dependencies: $*" >&2
  as_root apt-get update -qq
  # policy-rc.d keeps the packages' own services from starting: we start our own. One that was
  # already there (Docker images ship one) is left as it was.
  local own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    own_policy=1
  fi
  local rc=0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  [ "$own_policy" = 0 ] || as_root rm -f /usr/sbin/policy-rc.d
  return "$rc"
}

# What building healthd needs beyond the Swift toolchain: OpenSSL's headers, library and .pc file.
build_packages_needed() {
  command -v pkg-config >/dev/null 2>&1 || echo pkg-config
  [ -f /usr/include/openssl/ssl.h ] || pkg-config --exists openssl 2>/dev/null || echo libssl-dev
}

ensure_build_packages() {
  # shellcheck disable=SC2046 # one word per package
  install_packages $(build_packages_needed)
}
