#!/bin/sh
# Prints the version the local stand-in "runs" (nothing before the first deploy).
dir="${RINGMASTER_LOCAL_DIR:-var}"
[ -f "$dir/running-version" ] && cat "$dir/running-version" || true
