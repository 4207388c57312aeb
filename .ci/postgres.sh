# Source this file (". .ci/postgres.sh"): it starts a throwaway PostgreSQL
# cluster on a loopback port for the requests tests and exports its DSN in
# GONGKAI_TEST_POSTGRES, with GONGKAI_REQUIRE_POSTGRES=1 so the PostgreSQL
# half of the suite fails instead of skipping. It installs Debian's
# postgresql package when no server binaries are found, and stops the
# cluster when the calling shell exits.

gk_pg_bin=""
for d in /usr/lib/postgresql/*/bin; do
	if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then gk_pg_bin="$d"; fi
done
if [ -z "$gk_pg_bin" ]; then
	gk_sudo=""
	if [ "$(id -u)" != 0 ]; then gk_sudo="sudo"; fi
	$gk_sudo apt-get update
	$gk_sudo apt-get install -y postgresql
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then gk_pg_bin="$d"; fi
	done
fi
if [ -z "$gk_pg_bin" ]; then
	echo ".ci/postgres.sh: no PostgreSQL server binaries after installing postgresql" >&2
	return 1 2>/dev/null || exit 1
fi

# initdb refuses to run as root: run the cluster as the postgres user then.
gk_pg_as=()
if [ "$(id -u)" = 0 ]; then gk_pg_as=(runuser -u postgres --); fi
gk_pg_dir="$(mktemp -d /tmp/gongkai-pg.XXXXXX)"
chmod 755 "$gk_pg_dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$gk_pg_dir"; fi
# A port below Linux's ephemeral range (32768-60999), so no outgoing
# connection holds it; the next one is tried when it is taken anyway.
gk_pg_port="${GONGKAI_PG_PORT:-25432}"

"${gk_pg_as[@]}" "$gk_pg_bin/initdb" -D "$gk_pg_dir/data" -U gongkai --auth=trust -E UTF8 --locale=C.UTF-8 >"$gk_pg_dir/initdb.log" 2>&1 ||
	{ cat "$gk_pg_dir/initdb.log" >&2; rm -rf "$gk_pg_dir"; return 1 2>/dev/null || exit 1; }
gk_pg_started=""
for gk_try in 1 2 3 4 5 6 7 8 9 10; do
	if "${gk_pg_as[@]}" "$gk_pg_bin/pg_ctl" -D "$gk_pg_dir/data" -l "$gk_pg_dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $gk_pg_port -k $gk_pg_dir -c max_connections=200" start >/dev/null; then
		gk_pg_started=1
		break
	fi
	gk_pg_port=$((gk_pg_port + 1))
done
if [ -z "$gk_pg_started" ]; then
	cat "$gk_pg_dir/server.log" >&2
	rm -rf "$gk_pg_dir"
	return 1 2>/dev/null || exit 1
fi
"${gk_pg_as[@]}" "$gk_pg_bin/createdb" -h 127.0.0.1 -p "$gk_pg_port" -U gongkai gongkai_test

export GONGKAI_TEST_POSTGRES="postgres://gongkai@127.0.0.1:$gk_pg_port/gongkai_test?sslmode=disable"
export GONGKAI_REQUIRE_POSTGRES=1
gk_pg_stop() {
	"${gk_pg_as[@]}" "$gk_pg_bin/pg_ctl" -D "$gk_pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$gk_pg_dir"
}
trap gk_pg_stop EXIT
echo "PostgreSQL $("$gk_pg_bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$gk_pg_port (GONGKAI_TEST_POSTGRES)"
