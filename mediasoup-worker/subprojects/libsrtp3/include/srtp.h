/*
 * libsrtp 3 API on top of libsrtp 2 (built by build.sh from Debian's libsrtp2
 * sources against OpenSSL; its headers come first on the include path).
 *
 * mediasoup's worker is written against versatica's libsrtp 3 fork, which
 * neither Debian nor npm ships. It touches only a small part of the v3 API
 * (see worker/src/RTC/SrtpSession.cpp and worker/src/DepLibSRTP.cpp):
 *
 * - policies are opaque handles built by create / set_ssrc / set_profile /
 *   add_key / set_allow_repeat_tx / set_window_size / destroy, where v2 has a
 *   plain struct;
 * - protect / unprotect write into a separate output buffer with size_t
 *   lengths (and take an MKI index), where v2 works in place with int lengths;
 * - srtp_stream_remove() is v2's srtp_remove_stream();
 * - two more error codes.
 *
 * MKI and cryptex are not used by the worker and are not supported here.
 * Every v3 name is provided as a static inline function under an ms_srtp3_
 * prefix and mapped onto the v3 name with a macro, after the v2 header has
 * been read, so the v2 declarations stay intact.
 */
#ifndef MS_COMPAT_SRTP3_H
#define MS_COMPAT_SRTP3_H

#include <srtp2/srtp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* v2's policy struct, under a name that survives the macro below. */
typedef srtp_policy_t ms_srtp2_policy_t;

/* Error codes v3 added after v2's last one (srtp_err_status_pkt_idx_adv = 27). */
#define srtp_err_status_buffer_small ((srtp_err_status_t)28)
#define srtp_err_status_cryptex_err ((srtp_err_status_t)29)

/* v3's opaque policy: v2's struct plus storage for the key it points to. */
struct ms_srtp3_policy
{
	ms_srtp2_policy_t v2;
	unsigned char key[SRTP_MAX_KEY_LEN];
};
typedef struct ms_srtp3_policy* ms_srtp3_policy_t;

static inline srtp_err_status_t ms_srtp3_policy_create(ms_srtp3_policy_t* policy)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	*policy = (ms_srtp3_policy_t)calloc(1, sizeof(struct ms_srtp3_policy));

	if (*policy == NULL)
		return srtp_err_status_alloc_fail;

	(*policy)->v2.key = (*policy)->key;

	return srtp_err_status_ok;
}

static inline void ms_srtp3_policy_destroy(ms_srtp3_policy_t policy)
{
	if (policy != NULL)
	{
		/* Keys are secrets: wipe them before the memory goes back. */
		memset(policy->key, 0, sizeof(policy->key));
		free(policy);
	}
}

static inline srtp_err_status_t ms_srtp3_policy_set_ssrc(ms_srtp3_policy_t policy, srtp_ssrc_t ssrc)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	policy->v2.ssrc = ssrc;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t ms_srtp3_policy_set_profile(
  ms_srtp3_policy_t policy, srtp_profile_t profile)
{
	srtp_err_status_t err;

	if (policy == NULL)
		return srtp_err_status_bad_param;

	err = srtp_crypto_policy_set_from_profile_for_rtp(&policy->v2.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->v2.rtcp, profile);
}

/* v2 takes the master key and salt as one buffer: key || salt. */
static inline srtp_err_status_t ms_srtp3_policy_add_key(
  ms_srtp3_policy_t policy,
  const uint8_t* key,
  size_t key_len,
  const uint8_t* salt,
  size_t salt_len,
  const uint8_t* mki,
  size_t mki_len)
{
	if (policy == NULL || key == NULL || salt == NULL)
		return srtp_err_status_bad_param;

	if (mki != NULL || mki_len != 0)
		return srtp_err_status_bad_param; /* MKI is not supported here. */

	if (key_len + salt_len > sizeof(policy->key))
		return srtp_err_status_bad_param;

	memcpy(policy->key, key, key_len);
	memcpy(policy->key + key_len, salt, salt_len);

	return srtp_err_status_ok;
}

static inline srtp_err_status_t ms_srtp3_policy_set_allow_repeat_tx(
  ms_srtp3_policy_t policy, bool allow)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	policy->v2.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t ms_srtp3_policy_set_window_size(
  ms_srtp3_policy_t policy, size_t window_size)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	policy->v2.window_size = (unsigned long)window_size;

	return srtp_err_status_ok;
}

static inline srtp_err_status_t ms_srtp3_create(srtp_t* session, const ms_srtp3_policy_t policy)
{
	if (policy == NULL)
		return srtp_err_status_bad_param;

	return srtp_create(session, &policy->v2);
}

static inline srtp_err_status_t ms_srtp3_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

/*
 * v3 protects from `in` into `out` (with room `*out_len`); v2 protects in
 * place and needs room for the trailer after the packet.
 */
typedef srtp_err_status_t (*ms_srtp2_in_place_fn)(srtp_t, void*, int*);

static inline srtp_err_status_t ms_srtp3_transform(
  ms_srtp2_in_place_fn fn,
  size_t room_needed,
  srtp_t ctx,
  const uint8_t* in,
  size_t in_len,
  uint8_t* out,
  size_t* out_len)
{
	int len;
	srtp_err_status_t err;

	if (in == NULL || out == NULL || out_len == NULL || in_len > (size_t)0x7fffffff)
		return srtp_err_status_bad_param;

	if (*out_len < room_needed)
		return srtp_err_status_buffer_small;

	if (out != in)
		memmove(out, in, in_len);

	len = (int)in_len;
	err = fn(ctx, out, &len);

	if (err == srtp_err_status_ok)
		*out_len = (size_t)len;

	return err;
}

static inline srtp_err_status_t ms_srtp3_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtp_len, uint8_t* srtp, size_t* srtp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;

	return ms_srtp3_transform(
	  srtp_protect, rtp_len + SRTP_MAX_TRAILER_LEN, ctx, rtp, rtp_len, srtp, srtp_len);
}

static inline srtp_err_status_t ms_srtp3_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtp_len, uint8_t* rtp, size_t* rtp_len)
{
	return ms_srtp3_transform(srtp_unprotect, srtp_len, ctx, srtp, srtp_len, rtp, rtp_len);
}

static inline srtp_err_status_t ms_srtp3_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcp_len, uint8_t* srtcp, size_t* srtcp_len, size_t mki_index)
{
	if (mki_index != 0)
		return srtp_err_status_bad_mki;

	/* SRTCP adds the E-flag/index word (4 bytes) on top of the trailer. */
	return ms_srtp3_transform(
	  srtp_protect_rtcp, rtcp_len + SRTP_MAX_TRAILER_LEN + 4, ctx, rtcp, rtcp_len, srtcp, srtcp_len);
}

static inline srtp_err_status_t ms_srtp3_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcp_len, uint8_t* rtcp, size_t* rtcp_len)
{
	return ms_srtp3_transform(
	  srtp_unprotect_rtcp, srtcp_len, ctx, srtcp, srtcp_len, rtcp, rtcp_len);
}

#ifdef __cplusplus
}
#endif

/* From here on, the v3 names mean the functions above. */
#define srtp_policy_t ms_srtp3_policy_t
#define srtp_policy_create ms_srtp3_policy_create
#define srtp_policy_destroy ms_srtp3_policy_destroy
#define srtp_policy_set_ssrc ms_srtp3_policy_set_ssrc
#define srtp_policy_set_profile ms_srtp3_policy_set_profile
#define srtp_policy_add_key ms_srtp3_policy_add_key
#define srtp_policy_set_allow_repeat_tx ms_srtp3_policy_set_allow_repeat_tx
#define srtp_policy_set_window_size ms_srtp3_policy_set_window_size
#define srtp_create ms_srtp3_create
#define srtp_stream_remove ms_srtp3_stream_remove
#define srtp_protect ms_srtp3_protect
#define srtp_unprotect ms_srtp3_unprotect
#define srtp_protect_rtcp ms_srtp3_protect_rtcp
#define srtp_unprotect_rtcp ms_srtp3_unprotect_rtcp

#endif
