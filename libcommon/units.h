/* units.h: sizes the way Docker prints and reads them (docker/go-units).
 *
 * Printing: units_human_size() is decimal with four significant digits
 * ("4.26MB", "1.2kB", "0B"), units_bytes_size() binary ("1.5GiB"). Reading:
 * units_from_human_size() takes decimal suffixes ("44kB" = 44000),
 * units_ram_in_bytes() binary ones ("512m" = 512 MiB, "1.5GB" = 1.5 GiB); the
 * suffix is case-insensitive, may follow a space and may end in "b" or "ib".
 * Unlike go-units, a value past INT64_MAX is an error, not a wrapped number. */
#ifndef ENGINE_UNITS_H
#define ENGINE_UNITS_H

#include <stdint.h>

#include "err.h"

/* go-units HumanSizeWithPrecision(size, precision): %.{precision}g + unit. */
char *units_human_size_prec(double size, int precision);
/* go-units HumanSize: units_human_size_prec(size, 4). */
char *units_human_size(double size);
/* go-units BytesSize: %.4g with KiB, MiB, ... */
char *units_bytes_size(double size);
/* Return 0 and set *out, or -1 with ERR_INVALID ("invalid size: 'x'",
 * "invalid suffix: 'x'"). */
int units_from_human_size(const char *s, int64_t *out, err_t **err);
int units_ram_in_bytes(const char *s, int64_t *out, err_t **err);

#endif
