/* outfmt.c: see outfmt.h. */
#include "outfmt.h"

#include <stdlib.h>

#include "cleanup.h"
#include "tabwriter.h"
#include "template.h"
#include "xalloc.h"

struct outfmt {
	tmpl_t *t;
	bool table;
	strbuf rows;
};

int outfmt_new(const char *format, outfmt **out, err_t **err)
{
	_cleanup_free_ char *src = tmpl_docker_source(format);
	outfmt *f = xcalloc(1, sizeof(*f));
	f->table = tmpl_is_table(format);
	if (tmpl_parse(src, &f->t, err) < 0) {
		free(f);
		return err_wrap(err, "template parsing error");
	}
	*out = f;
	return 0;
}

bool outfmt_is_table(const outfmt *f)
{
	return f->table;
}

int outfmt_row(outfmt *f, json_object *row, err_t **err)
{
	if (tmpl_exec(f->t, row, &f->rows, err) < 0)
		return err_wrap(err, "template parsing error");
	sb_putc(&f->rows, '\n');
	return 0;
}

void outfmt_finish(outfmt *f, json_object *header, strbuf *out)
{
	if (!f->table) {
		sb_append(out, sb_str(&f->rows), f->rows.len);
		sb_reset(&f->rows);
		return;
	}
	_cleanup_sb_ strbuf head = STRBUF_INIT;
	_cleanup_err_ err_t *ignored = NULL;
	tmpl_exec_flags(f->t, header, TMPL_HEADER, &head, &ignored);
	_cleanup_tw_ tabwriter *tw = tw_new_docker();
	tw_write(tw, sb_str(&head), head.len);
	tw_puts(tw, "\n");
	tw_write(tw, sb_str(&f->rows), f->rows.len);
	tw_flush(tw, out);
	sb_reset(&f->rows);
}

void outfmt_free(outfmt *f)
{
	if (!f)
		return;
	tmpl_free(f->t);
	sb_free(&f->rows);
	free(f);
}
