/* sha256.c: see sha256.h. The portable block function is the textbook
 * FIPS 180-4 one; the x86 one drives the SHA-NI instructions (sha256rnds2
 * does two rounds, sha256msg1/msg2 extend the message schedule), the
 * structure Intel published with the extension. The choice is made once,
 * from CPUID (leaf 7 EBX bit 29 for SHA, leaf 1 for SSSE3 and SSE4.1). */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SHANI_CODE 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* ---- portable ---- */

static inline uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void blocks_portable(uint32_t h[8], const uint8_t *p, size_t n)
{
	uint32_t w[64];
	while (n--) {
		for (int i = 0; i < 16; i++)
			w[i] = be32(p + 4 * i);
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
		for (int i = 0; i < 64; i++) {
			uint32_t t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
			uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
		p += SHA256_BLOCK_SIZE;
	}
}

/* ---- SHA-NI ---- */

#ifdef HAVE_SHANI_CODE
/* Four rounds with message words m (already byte-swapped); K from the table. */
#define SHANI_ROUNDS(m, k)                                                                 \
	do {                                                                               \
		__m128i msg_ = _mm_add_epi32((m), _mm_loadu_si128((const __m128i *)&K[k]));  \
		s1 = _mm_sha256rnds2_epu32(s1, s0, msg_);                                  \
		msg_ = _mm_shuffle_epi32(msg_, 0x0E);                                      \
		s0 = _mm_sha256rnds2_epu32(s0, s1, msg_);                                  \
	} while (0)
/* w4 = the next four schedule words from the previous sixteen (w0..w3). */
#define SHANI_NEXT(w0, w1, w2, w3)                                                         \
	_mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((w0), (w1)),                \
					   _mm_alignr_epi8((w3), (w2), 4)), (w3))

__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_shani(uint32_t h[8], const uint8_t *p, size_t n)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i s1 = _mm_loadu_si128((const __m128i *)&h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);          /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);            /* EFGH */
	__m128i s0 = _mm_alignr_epi8(tmp, s1, 8);    /* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);         /* CDGH */
	while (n--) {
		__m128i abef = s0, cdgh = s1;
		__m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), swap);
		__m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), swap);
		__m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), swap);
		__m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), swap);
		SHANI_ROUNDS(w0, 0);
		SHANI_ROUNDS(w1, 4);
		SHANI_ROUNDS(w2, 8);
		SHANI_ROUNDS(w3, 12);
		w0 = SHANI_NEXT(w0, w1, w2, w3);
		SHANI_ROUNDS(w0, 16);
		w1 = SHANI_NEXT(w1, w2, w3, w0);
		SHANI_ROUNDS(w1, 20);
		w2 = SHANI_NEXT(w2, w3, w0, w1);
		SHANI_ROUNDS(w2, 24);
		w3 = SHANI_NEXT(w3, w0, w1, w2);
		SHANI_ROUNDS(w3, 28);
		w0 = SHANI_NEXT(w0, w1, w2, w3);
		SHANI_ROUNDS(w0, 32);
		w1 = SHANI_NEXT(w1, w2, w3, w0);
		SHANI_ROUNDS(w1, 36);
		w2 = SHANI_NEXT(w2, w3, w0, w1);
		SHANI_ROUNDS(w2, 40);
		w3 = SHANI_NEXT(w3, w0, w1, w2);
		SHANI_ROUNDS(w3, 44);
		w0 = SHANI_NEXT(w0, w1, w2, w3);
		SHANI_ROUNDS(w0, 48);
		w1 = SHANI_NEXT(w1, w2, w3, w0);
		SHANI_ROUNDS(w1, 52);
		w2 = SHANI_NEXT(w2, w3, w0, w1);
		SHANI_ROUNDS(w2, 56);
		w3 = SHANI_NEXT(w3, w0, w1, w2);
		SHANI_ROUNDS(w3, 60);
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
		p += SHA256_BLOCK_SIZE;
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);           /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);            /* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);         /* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);            /* ABEF */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

static int cpu_has_shani(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b >> 29) & 1;
}
#endif

typedef void (*blocks_fn)(uint32_t h[8], const uint8_t *p, size_t n);

static blocks_fn chosen;
static int forced_portable;

static blocks_fn pick(void)
{
	if (forced_portable)
		return blocks_portable;
	if (!chosen) {
#ifdef HAVE_SHANI_CODE
		chosen = cpu_has_shani() ? blocks_shani : blocks_portable;
#else
		chosen = blocks_portable;
#endif
	}
	return chosen;
}

const char *sha256_impl(void)
{
	return pick() == blocks_portable ? "portable" : "shani";
}

void sha256_force_portable(int on)
{
	forced_portable = on;
}

/* ---- the streaming interface ---- */

void sha256_init(sha256_ctx *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
	c->nbuf = 0;
}

void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	blocks_fn blocks = pick();
	c->len += n;
	if (c->nbuf) {
		size_t k = SHA256_BLOCK_SIZE - c->nbuf < n ? SHA256_BLOCK_SIZE - c->nbuf : n;
		memcpy(c->buf + c->nbuf, p, k);
		c->nbuf += k;
		p += k;
		n -= k;
		if (c->nbuf < SHA256_BLOCK_SIZE)
			return;
		blocks(c->h, c->buf, 1);
		c->nbuf = 0;
	}
	if (n >= SHA256_BLOCK_SIZE) {
		size_t nb = n / SHA256_BLOCK_SIZE;
		blocks(c->h, p, nb);
		p += nb * SHA256_BLOCK_SIZE;
		n -= nb * SHA256_BLOCK_SIZE;
	}
	if (n) {
		memcpy(c->buf, p, n);
		c->nbuf = n;
	}
}

void sha256_final(sha256_ctx *c, uint8_t out[SHA256_DIGEST_SIZE])
{
	uint64_t bits = c->len * 8;
	uint8_t pad[SHA256_BLOCK_SIZE * 2] = {0x80};
	size_t padlen = (c->nbuf < 56 ? 56 : 120) - c->nbuf;
	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(c, pad, padlen + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void sha256(const void *data, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
	sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, data, n);
	sha256_final(&c, out);
}
