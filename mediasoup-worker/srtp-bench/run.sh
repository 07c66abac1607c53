#!/usr/bin/env bash
# SRTP micro-benchmark: srtp_protect() of 1100-byte RTP packets, both profiles
# (AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80), through
#   openssl  the libsrtp the worker links (static, OpenSSL; cached beside the
#            worker by ../build.sh)
#   nss      Debian's libsrtp2.so.1 (NSS), which the worker linked before
# alternated in one run: each round runs both, the first of the pair changing
# every round. See ../README.md (SRTP micro-benchmark).
#
#   mediasoup-worker/srtp-bench/run.sh [rounds (default 6)] [packets per profile and round (default 20000)]
#
# Progress on stderr; the per-round lines and the summary on stdout. For
# numbers worth comparing, run it on an otherwise idle machine.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf '[srtp-bench] %s\n' "$*" >&2; }
die() { printf '[srtp-bench] error: %s\n' "$*" >&2; exit 1; }

rounds=${1:-6}
packets=${2:-20000}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "rounds must be a positive number"
[[ "$packets" =~ ^[0-9]+$ ]] && [ "$packets" -ge 100 ] || die "packets must be a number >= 100"

worker_bin=$(bash "$here/../build.sh" --path)
srtp="$(dirname "$worker_bin")/libsrtp"
[ -f "$srtp/lib/libsrtp2.a" ] && [ -x "$worker_bin" ] ||
	die "no worker build with its libsrtp in $(dirname "$worker_bin"); build it first (bash scripts/setup.sh, or bash mediasoup-worker/build.sh)"
nss_lib=$(gcc -print-file-name=libsrtp2.so.1)
[ -f "$nss_lib" ] || die "Debian's libsrtp2.so.1 is missing (apt-get install libsrtp2-1)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/srtp-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The same source and the same libsrtp 2.5 headers for both; only the library
# differs.
cflags=(-O2 -std=c11 -Wall -Wextra -I "$srtp/include")
gcc "${cflags[@]}" "$here/srtp_bench.c" "$srtp/lib/libsrtp2.a" -lcrypto -o "$tmp/openssl" ||
	die "compiling against $srtp failed"
gcc "${cflags[@]}" "$here/srtp_bench.c" -l:libsrtp2.so.1 -o "$tmp/nss" || die "compiling against $nss_lib failed"
ldd "$tmp/nss" | grep -q 'libnss3\.so' || die "$nss_lib does not link NSS"
ldd "$tmp/openssl" | grep -Eq 'libsrtp2\.so|libnss3\.so' && die "the openssl build links a shared libsrtp or NSS"

log "openssl: $("$tmp/openssl" --version), $srtp/lib/libsrtp2.a ($(sed -n 's/^OpenSSL (libcrypto) /libcrypto /p' "$srtp/BUILD-INFO"))"
log "nss:     $("$tmp/nss" --version), $(readlink -f "$nss_lib") ($(dpkg-query -W -f='libsrtp2-1 ${Version}' libsrtp2-1 2>/dev/null || echo 'Debian'))"
log "$rounds rounds of $packets packets per profile and library, 1100 bytes each; alternated"

results="$tmp/results"
for ((round = 1; round <= rounds; round++)); do
	if ((round % 2)); then order=(openssl nss); else order=(nss openssl); fi
	for lib in "${order[@]}"; do
		"$tmp/$lib" "$lib" "$packets" | sed "s/^/$round /" >>"$results"
	done
	log "round $round/$rounds done (${order[0]} first)"
done

# Per round, then per library and profile: the median of the round medians with
# their range, the worst p99 and max of any round, the mean of the round means.
# The clock_gettime rows are the timing's own cost, included once in each
# packet's time.
awk -v rounds="$rounds" -v packets="$packets" '
	function median(list,    n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	BEGIN { printf "srtp_protect of 1100-byte RTP packets, microseconds per packet (%d rounds x %d packets)\n\n", rounds, packets
		printf "%-5s %-8s %-24s %8s %8s %9s %8s\n", "round", "library", "profile", "median", "p99", "max", "mean" }
	{
		printf "%-5s %-8s %-24s %8.3f %8.3f %9.3f %8.3f\n", $1, $2, $3, $5, $6, $7, $8
		key = $2 " " $3
		if (!(key in medians)) { order[++keys] = key; lo[key] = hi[key] = $5 + 0; p99[key] = max[key] = 0 }
		medians[key] = medians[key] " " $5
		if ($5 + 0 < lo[key]) lo[key] = $5 + 0
		if ($5 + 0 > hi[key]) hi[key] = $5 + 0
		if ($6 + 0 > p99[key]) p99[key] = $6 + 0
		if ($7 + 0 > max[key]) max[key] = $7 + 0
		mean[key] += $8 / rounds
	}
	END {
		printf "\n%-8s %-24s %8s %17s %10s %10s %8s\n", "library", "profile", "median", "(round medians)", "worst p99", "worst max", "mean"
		for (k = 1; k <= keys; k++) {
			key = order[k]; split(key, f, " ")
			m[key] = median(medians[key])
			printf "%-8s %-24s %8.3f %17s %10.3f %10.3f %8.3f\n", f[1], f[2], m[key], sprintf("(%.3f-%.3f)", lo[key], hi[key]), p99[key], max[key], mean[key]
		}
		print ""
		for (k = 1; k <= keys; k++) {
			key = order[k]; split(key, f, " ")
			if (f[1] != "openssl" || f[2] == "clock_gettime") continue
			nss = "nss " f[2]
			printf "%-24s openssl %.3f us, nss/openssl %.2fx, target <= 1.5 us: %s\n", f[2], m[key],
				(nss in m) ? m[nss] / m[key] : 0, m[key] <= 1.5 ? "met" : "NOT met"
		}
	}' "$results"
