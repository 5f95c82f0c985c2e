/* api/version.h: the API versions we serve and how a /v1.NN/ prefix is read. */
#ifndef ENGINE_API_VERSION_H
#define ENGINE_API_VERSION_H

#define API_VERSION "1.44"
#define API_MIN_VERSION "1.24"
#define ENGINE_SERVER_VERSION "25.0.0-engine." ENGINE_VERSION

/* Compares "1.41" style versions: <0, 0, >0. Non-numbers compare as 0.0. */
int api_version_cmp(const char *a, const char *b);

/* Splits "/v1.41/containers/json" into version "1.41" (written to ver, up to
 * vlen bytes) and returns the rest of the path; "" version when unprefixed.
 * Returns NULL when the prefix is malformed. */
const char *api_split_version(const char *path, char *ver, unsigned vlen);

#endif
