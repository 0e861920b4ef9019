#!/usr/bin/env bash
# `make run`: a working server in ./var on the embedded defaults, then where to go.
set -euo pipefail
bin=$1/apps
dir=var
config=$dir/twofold.toml
if [ ! -f "$config" ]; then
  "$bin/twofold/twofold" setup --quick --dir "$dir"
fi
if "$bin/twofold/twofold" --config "$config" status >/dev/null 2>&1; then
  "$bin/twofold/twofold" --config "$config" stop >/dev/null
fi
"$bin/twofold/twofold" --config "$config" start
url=$(sed -nE 's/^host_names = \["([^"]+)".*/\1/p' "$config")
port=$(sed -nE 's/^https_port = ([0-9]+)/\1/p' "$config")
cat <<MSG

twofold is running: https://$url:$port/   (CA certificate: $dir/tls/ca.crt)

1. Enrol the first ID (it becomes admin) with the command-line authenticator:
     $bin/twofold-auth/twofold-auth enrol --server https://$url:$port/ --ca $dir/tls/ca.crt --id admin
2. Ask for an approval as a website would:
     curl --cacert $dir/tls/ca.crt https://$url:$port/ -d request=ReqRequestAuthSession \\
          -d secsignid=admin -d servicename=Demo -d serviceaddress=https://demo.example
3. Approve it on the "device":   $bin/twofold-auth/twofold-auth approve
   (on a terminal it asks which symbol the website shows; else pass --symbol N or --match FILE)
4. Poll its state:  curl ... -d request=ReqGetAuthSessionState -d secsignid=admin \\
          -d authsessionid=<id> -d requestid=<requestid>

Stop the server with: make stop   (status: $bin/twofold/twofold --config $config status)
MSG
