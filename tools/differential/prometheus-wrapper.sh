#!/bin/sh
# Runs /usr/bin/prometheus with evaluation_interval 1m (libpromql's default subquery step) in the config oracle.py writes.
for a in "$@"; do
    case "$a" in
        --config.file=*) printf 'global:\n  evaluation_interval: 1m\n' > "${a#--config.file=}" ;;
    esac
done
exec "${PROMETHEUS_BIN:-/usr/bin/prometheus}" "$@"
