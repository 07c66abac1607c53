/*
 * srtp_protect() of 1100-byte RTP packets, timed one call at a time, for the
 * two SRTP profiles WebRTC peers negotiate with the worker:
 *
 *   AEAD_AES_256_GCM          what Chromium picks with our server
 *   AES_CM_128_HMAC_SHA1_80   the mandatory-to-implement profile
 *
 * The same file is linked once against the libsrtp the worker links (static,
 * OpenSSL) and once against Debian's libsrtp2.so.1 (NSS); run.sh runs the two
 * alternately and sums up. Usage: srtp_bench <label> <packets>, or
 * srtp_bench --version (libsrtp's version string).
 *
 * For each profile: one sending session (one SSRC), `packets / 10` warm-up
 * packets, then `packets` timed ones. Each packet is copied from a template
 * (sequence number and timestamp advanced) outside the timed region, as the
 * worker hands libsrtp a fresh packet each time. One output line per profile,
 * after one for the clock itself (named clock_gettime: two back-to-back reads,
 * which every timed packet includes once):
 *
 *   <label> <profile> <packets> <median_us> <p99_us> <max_us> <mean_us>
 */
#define _POSIX_C_SOURCE 199309L
#include <srtp2/srtp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PACKET_LEN 1100
#define RTP_HEADER_LEN 12

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64: key and payload bytes, the same on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint8_t next_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;

	return (uint8_t)rng_state;
}

static int compare_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a;
	uint64_t y = *(const uint64_t*)b;

	return (x > y) - (x < y);
}

static void die(const char* what, srtp_err_status_t err)
{
	fprintf(stderr, "srtp_bench: %s failed (libsrtp error %d)\n", what, (int)err);
	exit(1);
}

static void print_times(const char* label, const char* name, uint64_t* times, size_t packets)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < packets; i++)
		sum += times[i];
	qsort(times, packets, sizeof(*times), compare_u64);
	printf(
	  "%s %s %zu %.3f %.3f %.3f %.3f\n",
	  label,
	  name,
	  packets,
	  times[packets / 2] / 1000.0,
	  times[(packets * 99) / 100] / 1000.0,
	  times[packets - 1] / 1000.0,
	  (double)sum / (double)packets / 1000.0);
	fflush(stdout);
}

/* What the timing itself adds to each packet: two back-to-back clock reads. */
static void run_timer(const char* label, size_t packets)
{
	uint64_t* times = malloc(packets * sizeof(*times));
	size_t i;

	if (times == NULL)
	{
		fprintf(stderr, "srtp_bench: out of memory\n");
		exit(1);
	}
	for (i = 0; i < packets; i++)
	{
		uint64_t start = now_ns();

		times[i] = now_ns() - start;
	}
	print_times(label, "clock_gettime", times, packets);
	free(times);
}

static void run_profile(const char* label, const char* name, srtp_profile_t profile, size_t packets)
{
	srtp_policy_t policy;
	srtp_t session;
	srtp_err_status_t err;
	uint8_t key[SRTP_MAX_KEY_LEN];
	uint8_t packet[PACKET_LEN];
	/* srtp_protect() writes the trailer (auth tag) after the packet. */
	uint8_t buffer[PACKET_LEN + SRTP_MAX_TRAILER_LEN];
	uint64_t* times;
	size_t warmup = packets / 10;
	size_t i;

	memset(&policy, 0, sizeof(policy));
	if ((err = srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, profile)) != srtp_err_status_ok)
		die("srtp_crypto_policy_set_from_profile_for_rtp", err);
	if ((err = srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp, profile)) != srtp_err_status_ok)
		die("srtp_crypto_policy_set_from_profile_for_rtcp", err);
	for (i = 0; i < sizeof(key); i++)
		key[i] = next_byte();
	policy.key = key;
	policy.ssrc.type = ssrc_specific;
	policy.ssrc.value = 0x11223344;
	policy.window_size = 1024;
	if ((err = srtp_create(&session, &policy)) != srtp_err_status_ok)
		die("srtp_create", err);

	/* RTP header: V=2, PT=96, SSRC; then a payload of pseudo-random bytes. */
	packet[0] = 0x80;
	packet[1] = 96;
	packet[8] = 0x11;
	packet[9] = 0x22;
	packet[10] = 0x33;
	packet[11] = 0x44;
	for (i = RTP_HEADER_LEN; i < PACKET_LEN; i++)
		packet[i] = next_byte();

	times = malloc(packets * sizeof(*times));
	if (times == NULL)
	{
		fprintf(stderr, "srtp_bench: out of memory\n");
		exit(1);
	}

	for (i = 0; i < warmup + packets; i++)
	{
		uint16_t seq = (uint16_t)i;
		uint32_t ts = (uint32_t)i * 3000u;
		int len = PACKET_LEN;
		uint64_t start;
		uint64_t elapsed;

		packet[2] = (uint8_t)(seq >> 8);
		packet[3] = (uint8_t)seq;
		packet[4] = (uint8_t)(ts >> 24);
		packet[5] = (uint8_t)(ts >> 16);
		packet[6] = (uint8_t)(ts >> 8);
		packet[7] = (uint8_t)ts;
		memcpy(buffer, packet, PACKET_LEN);

		start = now_ns();
		err = srtp_protect(session, buffer, &len);
		elapsed = now_ns() - start;

		if (err != srtp_err_status_ok)
			die("srtp_protect", err);
		if (i >= warmup)
			times[i - warmup] = elapsed;
	}

	print_times(label, name, times, packets);

	free(times);
	srtp_dealloc(session);
}

int main(int argc, char** argv)
{
	srtp_err_status_t err;
	size_t packets;

	if (argc == 2 && strcmp(argv[1], "--version") == 0)
	{
		printf("%s\n", srtp_get_version_string());
		return 0;
	}
	if (argc != 3 || (packets = strtoul(argv[2], NULL, 10)) < 100)
	{
		fprintf(stderr, "usage: srtp_bench <label> <packets (>= 100)> | srtp_bench --version\n");
		return 2;
	}
	if ((err = srtp_init()) != srtp_err_status_ok)
		die("srtp_init", err);

	run_timer(argv[1], packets);
	run_profile(argv[1], "AEAD_AES_256_GCM", srtp_profile_aead_aes_256_gcm, packets);
	run_profile(argv[1], "AES_CM_128_HMAC_SHA1_80", srtp_profile_aes128_cm_sha1_80, packets);

	srtp_shutdown();

	return 0;
}
