/* output.c: printing for the CLI (see output.h), on libcommon's outfmt
 * (docker's formatter flow), template and gojson. */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "gojson.h"
#include "jsonutil.h"
#include "outfmt.h"
#include "template.h"
#include "utf8.h"
#include "xalloc.h"

int out_print_rows(const char *format, const char *default_format, json_object *rows,
		   json_object *header)
{
	const char *f = format && *format && strcmp(format, "table") ? format : default_format;
	_cleanup_outfmt_ outfmt *of = NULL;
	_cleanup_err_ err_t *err = NULL;
	if (outfmt_new(f, &of, &err) < 0) {
		fprintf(stderr, "%s\n", err->msg);
		return -1;
	}
	for (size_t i = 0; rows && i < json_object_array_length(rows); i++) {
		if (outfmt_row(of, json_object_array_get_idx(rows, i), &err) < 0) {
			fprintf(stderr, "%s\n", err->msg);
			return -1;
		}
	}
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	outfmt_finish(of, header, &out);
	fwrite(sb_str(&out), 1, out.len, stdout);
	return 0;
}

/* Re-indents compact JSON text the way Go's MarshalIndent does. */
static void indent_text(strbuf *out, const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			sb_putc(out, c);
			if (c == '\\' && i + 1 < n)
				sb_putc(out, s[++i]);
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			sb_putc(out, c);
			break;
		case '{':
		case '[':
			/* Empty containers stay "{}" / "[]". */
			if (i + 1 < n && (s[i + 1] == '}' || s[i + 1] == ']')) {
				sb_putc(out, c);
				sb_putc(out, s[++i]);
				break;
			}
			sb_putc(out, c);
			depth++;
			sb_putc(out, '\n');
			for (int k = 0; k < depth; k++)
				sb_puts(out, "    ");
			break;
		case '}':
		case ']':
			depth--;
			sb_putc(out, '\n');
			for (int k = 0; k < depth; k++)
				sb_puts(out, "    ");
			sb_putc(out, c);
			break;
		case ',':
			sb_putc(out, ',');
			sb_putc(out, '\n');
			for (int k = 0; k < depth; k++)
				sb_puts(out, "    ");
			break;
		case ':':
			sb_puts(out, ": ");
			break;
		default:
			sb_putc(out, c);
		}
	}
	sb_putc(out, '\n');
}

void out_json_indent(strbuf *sb, json_object *v)
{
	_cleanup_sb_ strbuf compact = STRBUF_INIT;
	_cleanup_err_ err_t *err = NULL;
	if (gojson_value(&compact, v, 0, &err) < 0) {
		sb_puts(sb, jdump(v));
		sb_putc(sb, '\n');
		return;
	}
	indent_text(sb, compact.buf, compact.len);
}

int out_print_inspect(json_object *items, const char *format)
{
	_cleanup_sb_ strbuf out = STRBUF_INIT;
	if (!format || !*format) {
		out_json_indent(&out, items);
		fwrite(sb_str(&out), 1, out.len, stdout);
		return 0;
	}
	_cleanup_free_ char *src = tmpl_docker_source(format);
	_cleanup_tmpl_ tmpl_t *t = NULL;
	_cleanup_err_ err_t *err = NULL;
	if (tmpl_parse(src, &t, &err) < 0) {
		fprintf(stderr, "template parsing error: %s\n", err->msg);
		return -1;
	}
	for (size_t i = 0; i < json_object_array_length(items); i++) {
		if (tmpl_exec(t, json_object_array_get_idx(items, i), &out, &err) < 0) {
			fwrite(sb_str(&out), 1, out.len, stdout);
			fprintf(stderr, "template: %s\n", err->msg);
			return -1;
		}
		sb_putc(&out, '\n');
	}
	fwrite(sb_str(&out), 1, out.len, stdout);
	return 0;
}

char *out_ellipsis(const char *s, int max)
{
	if ((int)utf8_width(s, strlen(s)) <= max)
		return xstrdup(s);
	size_t cut = utf8_prefix(s, strlen(s), max - 1);
	return xasprintf("%.*s…", (int)cut, s);
}

char *out_short_id(const char *id)
{
	if (!strncmp(id, "sha256:", 7))
		id += 7;
	return xstrndup(id, strlen(id) < 12 ? strlen(id) : 12);
}
