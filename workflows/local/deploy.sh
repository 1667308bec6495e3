#!/bin/sh
# Local stand-in for a real deploy, used by the `local-deploy` command connection in application.yaml.
# Ringmaster runs it as: sh workflows/local/deploy.sh <version>   (also exported as RINGMASTER_VERSION)
# It records the version as "running" and appends to a log, so you can watch deploys and rollbacks happen.
set -eu
version="$1"
dir="${RINGMASTER_LOCAL_DIR:-var}"
mkdir -p "$dir"
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${RINGMASTER_ROLLOUT_ID:-manual} deploy $version" >> "$dir/deploy.log"
# Two commands, not `a && b`: under `set -e` a failure on the left of && would not stop the script, and it would
# report "serving" without having switched.
printf '%s\n' "$version" > "$dir/running-version.tmp"
mv "$dir/running-version.tmp" "$dir/running-version"
echo "version $version is serving"
