/* Unit tests for libcommon/reference: the cases of distribution/reference's
 * reference_test.go and normalize_test.go, plus Docker's error messages. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "reference.h"
#include "strbuf.h"
#include "xalloc.h"

#define FF64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

typedef struct parse_case {
	const char *input;
	const char *err;    /* expected message, NULL for success */
	const char *name;   /* expected Name() */
	const char *domain; /* expected domain */
	const char *tag;
	const char *digest;
} parse_case;

static const parse_case parse_cases[] = {
	{"test_com", NULL, "test_com", "", NULL, NULL},
	{"test.com:tag", NULL, "test.com", "", "tag", NULL},
	{"test.com:5000", NULL, "test.com", "", "5000", NULL},
	{"test.com/repo:tag", NULL, "test.com/repo", "test.com", "tag", NULL},
	{"test:5000/repo", NULL, "test:5000/repo", "test:5000", NULL, NULL},
	{"test:5000/repo:tag", NULL, "test:5000/repo", "test:5000", "tag", NULL},
	{"test:5000/repo@sha256:" FF64, NULL, "test:5000/repo", "test:5000", NULL, "sha256:" FF64},
	{"test:5000/repo:tag@sha256:" FF64, NULL, "test:5000/repo", "test:5000", "tag", "sha256:" FF64},
	{"", "repository name must have at least one component"},
	{":justtag", "invalid reference format"},
	{"@sha256:" FF64, "invalid reference format"},
	{"repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length"},
	{"validname@invaliddigest:" FF64, "unsupported digest algorithm"},
	{"Uppercase:tag", "repository name must be lowercase"},
	{"test:5000/Uppercase/lowercase:tag", "repository name must be lowercase"},
	{"lowercase:Uppercase", NULL, "lowercase", "", "Uppercase", NULL},
	{"aa/asdf$$^/aa", "invalid reference format"},
	{"sub-dom1.foo.com/bar/baz/quux", NULL, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com"},
	{"sub-dom1.foo.com/bar/baz/quux:some-long-tag", NULL, "sub-dom1.foo.com/bar/baz/quux",
	 "sub-dom1.foo.com", "some-long-tag"},
	{"b.gcr.io/test.example.com/my-app:test.example.com", NULL, "b.gcr.io/test.example.com/my-app",
	 "b.gcr.io", "test.example.com"},
	{"xn--n3h.com/myimage:xn--n3h.com", NULL, "xn--n3h.com/myimage", "xn--n3h.com", "xn--n3h.com"},
	{"foo_bar.com:8080", NULL, "foo_bar.com", "", "8080"},
	{"foo/foo_bar.com:8080", NULL, "foo/foo_bar.com", "foo", "8080"},
	{"192.168.1.1", NULL, "192.168.1.1", ""},
	{"192.168.1.1:tag", NULL, "192.168.1.1", "", "tag"},
	{"192.168.1.1:5000", NULL, "192.168.1.1", "", "5000"},
	{"192.168.1.1/repo", NULL, "192.168.1.1/repo", "192.168.1.1"},
	{"192.168.1.1:5000/repo", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000"},
	{"192.168.1.1:5000/repo:5050", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", "5050"},
	{"[2001:db8::1]", "invalid reference format"},
	{"[2001:db8::1]:5000", "invalid reference format"},
	{"[2001:db8::1]:tag", "invalid reference format"},
	{"[2001:db8::1]/repo", NULL, "[2001:db8::1]/repo", "[2001:db8::1]"},
	{"[2001:db8:1:2:3:4:5:6]/repo:tag", NULL, "[2001:db8:1:2:3:4:5:6]/repo", "[2001:db8:1:2:3:4:5:6]", "tag"},
	{"[2001:db8::1]:5000/repo", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000"},
	{"[2001:db8::1]:5000/repo@sha256:" FF64, NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000",
	 NULL, "sha256:" FF64},
	{"[2001:db8::]:5000/repo", NULL, "[2001:db8::]:5000/repo", "[2001:db8::]:5000"},
	{"[::1]:5000/repo", NULL, "[::1]:5000/repo", "[::1]:5000"},
	{"[fe80::1%eth0]:5000/repo", "invalid reference format"},
	{"[fe80::1%@invalidzone]:5000/repo", "invalid reference format"},
	{"repo@sha256:" FF64 "ff", "invalid checksum digest length"},
	{"repo@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
	 "invalid checksum digest format"},
	{"repo:-tag", "invalid reference format"},
	{"repo:", "invalid reference format"},
};

START_TEST(test_parse_table)
{
	const parse_case *c = &parse_cases[_i];
	_cleanup_err_ err_t *e = NULL;
	_cleanup_ref_ reference *r = ref_parse(c->input, &e);
	if (c->err) {
		ck_assert_msg(r == NULL, "%s: expected error %s", c->input, c->err);
		ck_assert_str_eq(e->msg, c->err);
		ck_assert_int_eq(e->kind, ERR_INVALID);
		return;
	}
	ck_assert_msg(r != NULL, "%s: %s", c->input, e ? e->msg : "");
	_cleanup_free_ char *name = ref_name(r);
	_cleanup_free_ char *full = ref_string(r);
	ck_assert_str_eq(full, c->input);
	ck_assert_str_eq(name, c->name);
	ck_assert_str_eq(r->domain, c->domain ? c->domain : "");
	if (c->tag)
		ck_assert_str_eq(r->tag, c->tag);
	else
		ck_assert_ptr_null(r->tag);
	if (c->digest)
		ck_assert_str_eq(r->digest, c->digest);
	else
		ck_assert_ptr_null(r->digest);
}
END_TEST

START_TEST(test_name_too_long)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_sb_ strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 128; i++)
		sb_puts(&sb, "a/");
	sb_puts(&sb, "a:tag");
	ck_assert_ptr_null(ref_parse(sb.buf, &e));
	ck_assert_str_eq(e->msg, "repository name must not be more than 255 characters");
	err_free(&e);
	/* 255 characters with the domain counted (v0.5.0): fine, and "a" is the domain. */
	sb_reset(&sb);
	for (int i = 0; i < 127; i++)
		sb_puts(&sb, "a/");
	sb_puts(&sb, "a:tag-puts-this-over-max");
	_cleanup_ref_ reference *r = ref_parse(sb.buf, &e);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->domain, "a");
	ck_assert_str_eq(r->tag, "tag-puts-this-over-max");
}
END_TEST

static const char *valid_normalized[] = {
	"docker/docker", "library/debian", "debian", "docker.io/docker/docker",
	"docker.io/library/debian", "docker.io/debian", "index.docker.io/docker/docker",
	"index.docker.io/library/debian", "index.docker.io/debian", "127.0.0.1:5000/docker/docker",
	"127.0.0.1:5000/library/debian", "127.0.0.1:5000/debian", "192.168.0.1", "192.168.0.1:80",
	"192.168.0.1:8/debian", "192.168.0.2:25000/debian",
	"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "[fc00::1]:5000/docker",
	"[fc00::1]:5000/docker/docker", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
	"docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "Docker/docker",
	"DOCKER/docker", "docker-rules/docker", "docker---rules/docker", "doc/docker", "d/docker",
	"jess/t", "dock__er/docker",
};

static const char *invalid_normalized[] = {
	"https://github.com/docker/docker", "docker/Docker", "-docker", "-docker/docker",
	"-docker.io/docker/docker", "docker///docker", "docker.io/docker/Docker",
	"docker.io/docker///docker", "[fc00::1]", "[fc00::1]:5000", "fc00::1:5000/debian",
	"[fe80::1%eth0]:5000/debian", "[2001:db8:3:4::192.0.2.33]:5000/debian",
	"1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker-/docker",
	"-docker-/docker", "____/____", "_docker/_docker", "dock..er/docker", "dock_.er/docker",
	"dock-.er/docker", "docker/",
	"this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_"
	"namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_"
	"lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_"
	"255/docker",
};

START_TEST(test_normalized_valid)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_ref_ reference *r = ref_parse_normalized(valid_normalized[_i], &e);
	ck_assert_msg(r != NULL, "%s: %s", valid_normalized[_i], e ? e->msg : "");
}
END_TEST

START_TEST(test_normalized_invalid)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_ref_ reference *r = ref_parse_normalized(invalid_normalized[_i], &e);
	ck_assert_msg(r == NULL, "%s should be invalid", invalid_normalized[_i]);
	ck_assert_int_eq(e->kind, ERR_INVALID);
}
END_TEST

typedef struct repo_case {
	const char *remote, *familiar, *full, *ambiguous, *domain;
} repo_case;

static const repo_case repo_cases[] = {
	{"fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io"},
	{"library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io"},
	{"nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", NULL, "docker.io"},
	{"other/library", "other/library", "docker.io/other/library", NULL, "docker.io"},
	{"private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", NULL,
	 "127.0.0.1:8000"},
	{"privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", NULL, "127.0.0.1:8000"},
	{"private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", NULL,
	 "example.com"},
	{"privatebase", "example.com/privatebase", "example.com/privatebase", NULL, "example.com"},
	{"private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase",
	 NULL, "example.com:8000"},
	{"privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", NULL,
	 "example.com:8000"},
	{"library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base",
	 "index.docker.io/library/ubuntu-12.04-base", "docker.io"},
	{"library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io"},
	{"library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", NULL, "docker.io"},
	{"store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", NULL, "docker.io"},
	{"bar", "Foo/bar", "Foo/bar", NULL, "Foo"},
	{"bar", "FOO/bar", "FOO/bar", NULL, "FOO"},
};

START_TEST(test_repository_info)
{
	const repo_case *c = &repo_cases[_i];
	const char *inputs[] = {c->familiar, c->full, c->ambiguous};
	for (size_t k = 0; k < 3; k++) {
		if (!inputs[k])
			continue;
		_cleanup_err_ err_t *e = NULL;
		_cleanup_ref_ reference *r = ref_parse_normalized(inputs[k], &e);
		ck_assert_msg(r != NULL, "%s: %s", inputs[k], e ? e->msg : "");
		_cleanup_free_ char *fam = ref_familiar_name(r);
		_cleanup_free_ char *full = ref_string(r);
		ck_assert_str_eq(fam, c->familiar);
		ck_assert_str_eq(full, c->full);
		ck_assert_str_eq(r->domain, c->domain);
		ck_assert_str_eq(r->path, c->remote);
	}
}
END_TEST

START_TEST(test_docker_messages)
{
	_cleanup_err_ err_t *e = NULL;
	ck_assert_ptr_null(ref_parse_normalized("Busybox", &e));
	ck_assert_str_eq(e->msg, "invalid reference format: repository name (library/Busybox) must be lowercase");
	err_free(&e);
	ck_assert_ptr_null(ref_parse_normalized("busybox:", &e));
	ck_assert_str_eq(e->msg, "invalid reference format");
	err_free(&e);
	const char *hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
	ck_assert_ptr_null(ref_parse_normalized(hex, &e));
	ck_assert_str_eq(e->msg, "invalid repository name (1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a), "
				 "cannot specify 64-byte hexadecimal strings");
	err_free(&e);
	ck_assert_ptr_null(ref_parse_named("docker.io/foo", &e));
	ck_assert_str_eq(e->msg, "repository name must be canonical");
}
END_TEST

START_TEST(test_normalize_forms)
{
	_cleanup_err_ err_t *e = NULL;
	_cleanup_ref_ reference *r = ref_parse_normalized("busybox", &e);
	ck_assert_ptr_null(r->tag);
	ref_default_tag(r);
	_cleanup_free_ char *full = ref_string(r);
	_cleanup_free_ char *fam = ref_familiar_string(r);
	ck_assert_str_eq(full, "docker.io/library/busybox:latest");
	ck_assert_str_eq(fam, "busybox:latest");
	ck_assert_str_eq(r->path, "library/busybox");
	ck_assert_str_eq(r->domain, "docker.io");

	/* A digest suppresses the default tag. */
	_cleanup_ref_ reference *d = ref_parse_normalized("busybox@sha256:" FF64, &e);
	ref_default_tag(d);
	ck_assert_ptr_null(d->tag);
	_cleanup_free_ char *dfam = ref_familiar_string(d);
	ck_assert_str_eq(dfam, "busybox@sha256:" FF64);

	/* Tag and digest both kept by normalisation; ParseDockerRef keeps the digest only. */
	const char *both = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
	_cleanup_ref_ reference *b = ref_parse_normalized(both, &e);
	_cleanup_free_ char *bfull = ref_string(b);
	_cleanup_free_ char *bfam = ref_familiar_string(b);
	ck_assert_str_eq(bfam, both);
	ck_assert(!strncmp(bfull, "docker.io/library/", 18));
	_cleanup_ref_ reference *pd = ref_parse_docker(both, &e);
	ck_assert_ptr_null(pd->tag);
	ck_assert_ptr_nonnull(pd->digest);

	_cleanup_ref_ reference *l = ref_parse_normalized("localhost/app:1", &e);
	ck_assert_str_eq(l->domain, "localhost");
	ck_assert_str_eq(l->path, "app");
	_cleanup_ref_ reference *g = ref_parse_normalized("gcr.io/google-samples/hello-app:1.0", &e);
	_cleanup_free_ char *gfam = ref_familiar_string(g);
	ck_assert_str_eq(gfam, "gcr.io/google-samples/hello-app:1.0");
	ck_assert_str_eq(g->path, "google-samples/hello-app");
	_cleanup_ref_ reference *ix = ref_parse_normalized("index.docker.io/library/busybox:1", &e);
	_cleanup_free_ char *ixs = ref_string(ix);
	ck_assert_str_eq(ixs, "docker.io/library/busybox:1");
	_cleanup_ref_ reference *dup = ref_dup(ix);
	_cleanup_free_ char *dups = ref_string(dup);
	ck_assert_str_eq(dups, ixs);
	ck_assert_ptr_null(e);
}
END_TEST

START_TEST(test_tag_and_digest_grammar)
{
	char tag[200];
	memset(tag, 'a', 128);
	tag[128] = '\0';
	ck_assert(ref_tag_valid(tag));
	tag[128] = 'a';
	tag[129] = '\0';
	ck_assert(!ref_tag_valid(tag));
	ck_assert(ref_tag_valid("_x.y-z"));
	ck_assert(!ref_tag_valid(".x"));
	ck_assert(!ref_tag_valid("-x"));
	ck_assert(!ref_tag_valid(""));
	ck_assert(!ref_tag_valid("a/b"));
	_cleanup_err_ err_t *e = NULL;
	ck_assert_int_eq(ref_digest_check("sha256:" FF64, &e), 0);
	ck_assert_int_eq(ref_digest_check("sha512:" FF64 FF64, &e), 0);
	ck_assert_int_eq(ref_digest_check("sha256:abc", &e), -1);
	ck_assert_str_eq(e->msg, "invalid checksum digest length");
	err_free(&e);
	ck_assert_int_eq(ref_digest_check("foo", &e), -1);
	ck_assert_str_eq(e->msg, "invalid checksum digest format");
	ck_assert(ref_is_identifier(FF64));
	ck_assert(!ref_is_identifier("sha256:" FF64));
}
END_TEST

START_TEST(test_familiar_match)
{
	struct {
		const char *ref, *pattern;
		bool want;
	} cases[] = {
		{"foo", "foo/**/ba[rz]", false},
		{"foo/any/bat", "foo/**/ba[rz]", false},
		{"foo/a/bar", "foo/**/ba[rz]", true},
		{"foo/b/baz", "foo/**/ba[rz]", true},
		{"foo/c/baz:tag", "foo/**/ba[rz]", true},
		{"foo/c/baz:tag", "foo/*/baz:tag", true},
		{"foo/c/baz:tag", "foo/c/baz:tag", true},
		{"example.com/foo/c/baz:tag", "*/foo/c/baz", true},
		{"example.com/foo/c/baz:tag", "example.com/foo/c/baz", true},
		{"busybox:latest", "busy*", true},
		{"busybox:latest", "busybox:l*", true},
		{"busybox:latest", "alpine", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_err_ err_t *e = NULL;
		_cleanup_ref_ reference *r = ref_parse_normalized(cases[i].ref, &e);
		ck_assert_ptr_nonnull(r);
		ck_assert_msg(ref_familiar_match(cases[i].pattern, r) == cases[i].want, "%s vs %s",
			      cases[i].ref, cases[i].pattern);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reference");
	TCase *tc = tcase_create("grammar");
	tcase_add_loop_test(tc, test_parse_table, 0, ARRAY_SIZE(parse_cases));
	tcase_add_test(tc, test_name_too_long);
	tcase_add_loop_test(tc, test_normalized_valid, 0, ARRAY_SIZE(valid_normalized));
	tcase_add_loop_test(tc, test_normalized_invalid, 0, ARRAY_SIZE(invalid_normalized));
	tcase_add_loop_test(tc, test_repository_info, 0, ARRAY_SIZE(repo_cases));
	tcase_add_test(tc, test_docker_messages);
	tcase_add_test(tc, test_normalize_forms);
	tcase_add_test(tc, test_tag_and_digest_grammar);
	tcase_add_test(tc, test_familiar_match);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
