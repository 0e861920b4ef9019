#!/usr/bin/env bash
# Installs everything twofold needs to build, run and test, from Debian's packages only.
# Idempotent: packages already present are skipped, so a second run costs a few seconds.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
  # libraries (see README "Dependencies")
  libboost-dev libssl-dev nlohmann-json3-dev libsoci-dev libsqlite3-dev sqlite3
  libsodium-dev libcairo2-dev libpng-dev libspdlog-dev libfmt-dev libcli11-dev
  libtomlplusplus-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcjose-dev libjansson-dev liboath-dev libqrencode-dev libpcre2-dev libldap-dev
  # test and benchmark tools
  python3 curl openssl wrk procps nodejs python3-aiosmtpd python3-authlib python3-requests
  slapd ldap-utils  # the LDAP integration tests run real OpenLDAP servers on loopback
  chromium  # the login integration tests drive it headless through playwright-core (tests/browser)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deps: all present"
