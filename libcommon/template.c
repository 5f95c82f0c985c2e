/* template.c: the public face of the template engine (see template.h):
 * parsing into a tree, freeing it, and docker's --format conventions. The
 * work is done in template_lex.c, template_parse.c, template_exec.c,
 * template_funcs.c, template_val.c and template_print.c. */
#include "template.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strbuf.h"
#include "template_int.h"
#include "xalloc.h"

static void free_node(node *n)
{
	for (size_t i = 0; i < n->nnames; i++)
		free(n->names[i]);
	free(n->names);
	free(n->kids.v);
	free(n->str);
	free(n);
}

void tmpl_free(tmpl_t *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nnodes; i++)
		free_node(t->nodes[i]);
	free(t->nodes);
	free(t->src);
	free(t);
}

int tmpl_parse(const char *src, tmpl_t **out, err_t **err)
{
	tmpl_t *t = xcalloc(1, sizeof(*t));
	t->len = strlen(src);
	t->src = xstrndup(src, t->len);
	if (tmpl_parse_tree(t, err) < 0) {
		tmpl_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

bool tmpl_is_table(const char *format)
{
	return format && !strncmp(format, "table", 5);
}

char *tmpl_docker_source(const char *format)
{
	const char *f = format ? format : "";
	if (tmpl_is_table(f))
		f += 5;
	else if (!strcmp(f, "json"))
		f = "{{json .}}";
	size_t n = strlen(f);
	while (*f == ' ')
		f++, n--;
	while (n && f[n - 1] == ' ')
		n--;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (f[i] == '\\' && i + 1 < n && (f[i + 1] == 't' || f[i + 1] == 'n')) {
			sb_putc(&sb, f[i + 1] == 't' ? '\t' : '\n');
			i++;
		} else {
			sb_putc(&sb, f[i]);
		}
	}
	return sb_steal(&sb);
}
