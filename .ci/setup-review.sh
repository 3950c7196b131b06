#!/usr/bin/env bash
# Review service tests (issue 11): a real PostgreSQL for the read model, Debian's chromium
# for the Playwright UI tests. Idempotent: safe to run again on a prepared machine.
#
# Tests find PostgreSQL at TRADESCREEN_TEST_PG_URL, default
#   postgresql+psycopg://tradescreen:tradescreen@127.0.0.1:5432/tradescreen_test
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Fonts so pages render text (chromium pulls in most of the rest it needs).
dpkg -s fonts-liberation >/dev/null 2>&1 || need+=(fonts-liberation)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Start the first cluster Debian created (or create one), on 127.0.0.1:5432.
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q .; then
    pg_createcluster "$version" main
fi
read -r cluster_version cluster_name _port status _rest < <(pg_lsclusters -h | head -1)
if [ "$status" != "online" ]; then
    pg_ctlcluster "$cluster_version" "$cluster_name" start
fi
for _ in $(seq 1 30); do
    if su postgres -c "psql -qAtc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
done

su postgres -c "psql -v ON_ERROR_STOP=1 -qAt" <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tradescreen') THEN
    CREATE ROLE tradescreen LOGIN PASSWORD 'tradescreen';
  END IF;
END $$;
SQL
# tradescreen_test for the tests (emptied by each), tradescreen_bench for bench/review.py.
for db in tradescreen_test tradescreen_bench; do
    if ! su postgres -c "psql -qAtc \"select 1 from pg_database where datname='$db'\"" | grep -q 1; then
        su postgres -c "createdb -O tradescreen $db"
    fi
done
echo "setup-review: PostgreSQL $cluster_version/$cluster_name ready (tradescreen_test), chromium $(chromium --version 2>/dev/null || echo missing)"
