/* gonum.h: floating-point numbers printed as Go prints them.
 *
 * Docker's output passes numbers through Go's strconv, fmt and encoding/json;
 * C's printf agrees with them for a fixed precision but not for Go's
 * "shortest text that reads back as the same double" (fmt's %v, %g without a
 * precision, JSON), nor for NaN and the infinities ("NaN", "+Inf"). */
#ifndef ENGINE_GONUM_H
#define ENGINE_GONUM_H

#include "strbuf.h"

/* strconv.FormatFloat(f, fmt, prec, 64): fmt is one of e E f g G; a negative
 * prec asks for the shortest exact form. %v in fmt is ('g', -1). */
void gonum_float(strbuf *sb, double f, char fmt, int prec);
/* encoding/json's form: shortest, exponent only below 1e-6 or from 1e21 on
 * ("1e-7", "1e+21"). NaN and infinities, which JSON lacks, print as null. */
void gonum_float_json(strbuf *sb, double f);

#endif
