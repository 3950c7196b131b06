#!/usr/bin/env bash
# Programs the deploy-file checks (tests/deploy) need: promtool (Debian's `prometheus`
# package) and kubectl, whose `kubectl kustomize` renders deploy/k8s. Debian has no kustomize
# package; the machine image ships kubectl, else Debian's `kubernetes-client` provides it.
# Idempotent: installs only what is missing, with one `apt-get update`.
set -euo pipefail

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup-deploy: promtool and kubectl present"
    exit 0
fi

# Installing `prometheus` must not start a Prometheus server here: deny service starts for
# the duration of the install unless a policy is already in place.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    own_policy=true
fi
trap 'if [ "$own_policy" = true ]; then rm -f "$policy"; fi' EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
command -v promtool >/dev/null && command -v kubectl >/dev/null
echo "setup-deploy: installed ${missing[*]}"
