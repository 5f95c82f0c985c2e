/* sha256bench.c: our SHA-256 (libcommon/sha256.c, SHA-NI and portable)
 * beside OpenSSL's on one buffer, as a layer is hashed: 128 KiB updates.
 * Prints "impl MB/s seconds digest" per implementation; best of 3.
 *   cc -O2 -I libcommon -o sha256bench bench/sha256bench.c libcommon/sha256.c -lcrypto
 *   ./sha256bench 200    (MiB) */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

#define CHUNK (128 * 1024)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static double ours(const unsigned char *buf, size_t n, char *out)
{
	double t0 = now();
	sha256_ctx c;
	sha256_init(&c);
	for (size_t off = 0; off < n; off += CHUNK)
		sha256_update(&c, buf + off, n - off < CHUNK ? n - off : CHUNK);
	unsigned char d[32];
	sha256_final(&c, d);
	double t = now() - t0;
	hex(d, out);
	return t;
}

static double openssl(const unsigned char *buf, size_t n, char *out)
{
	double t0 = now();
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	for (size_t off = 0; off < n; off += CHUNK)
		EVP_DigestUpdate(c, buf + off, n - off < CHUNK ? n - off : CHUNK);
	unsigned char d[32];
	unsigned len;
	EVP_DigestFinal_ex(c, d, &len);
	EVP_MD_CTX_free(c);
	double t = now() - t0;
	hex(d, out);
	return t;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 200, n = mib << 20;
	unsigned char *buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	const char *names[] = {"ours-shani", "ours-portable", "openssl"};
	for (int k = 0; k < 3; k++) {
		if (k == 0 && strcmp(sha256_impl(), "shani")) {
			printf("ours-shani n/a (no SHA extensions on this CPU)\n");
			continue;
		}
		sha256_force_portable(k == 1);
		double best = 1e9;
		char d[65];
		for (int r = 0; r < 3; r++) {
			double t = k == 2 ? openssl(buf, n, d) : ours(buf, n, d);
			if (t < best)
				best = t;
		}
		printf("%-13s %7.0f MB/s %6.3f s %.16s...\n", names[k], mib / best, best, d);
	}
	free(buf);
	return 0;
}
