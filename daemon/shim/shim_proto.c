/* shim_proto.c: see shim_proto.h. */
#include "shim_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "jsonutil.h"
#include "strbuf.h"
#include "xalloc.h"

void shim_fmt_time(const struct timespec *ts, char out[SHIM_TIME_LEN])
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	size_t n = strftime(out, SHIM_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ts->tv_nsec) {
		char frac[16];
		snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
		size_t fl = strlen(frac);
		while (frac[fl - 1] == '0')
			frac[--fl] = '\0';
		memcpy(out + n, frac, fl);
		n += fl;
	}
	out[n++] = 'Z';
	out[n] = '\0';
}

int shim_sockaddr(const char *path, struct sockaddr_un *sa, socklen_t *len, int *dirfd, err_t **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	*dirfd = -1;
	if (strlen(path) < sizeof(sa->sun_path)) {
		strcpy(sa->sun_path, path);
	} else {
		const char *slash = strrchr(path, '/');
		if (!slash || strlen(slash + 1) > 64)
			return err_invalid(err, "socket path %s is too long", path);
		_cleanup_free_ char *dir = xstrndup(path, (size_t)(slash - path));
		*dirfd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*dirfd < 0)
			return err_sys(err, "open %s", dir);
		snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd, slash + 1);
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(sa->sun_path) + 1);
	return 0;
}

char *shim_exit_json(const shim_exit *e)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_int(o, "exit_code", e->exit_code);
	jset_int(o, "signal", e->signal);
	jset_bool(o, "oom_killed", e->oom_killed);
	jset_str(o, "finished_at", e->finished_at);
	jset_int(o, "pid", e->pid);
	if (e->error)
		jset_str(o, "error", e->error);
	return xasprintf("%s\n", jdump(o));
}

int shim_write_file(const char *dir, const char *name, const char *data, err_t **err)
{
	_cleanup_free_ char *path = fs_path_join(dir, name);
	_cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(data);
	if (fd < 0)
		return err_sys(err, "create %s", tmp);
	if (write(fd, data, len) != (ssize_t)len) {
		unlink(tmp);
		return err_sys(err, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return err_sys(err, "rename %s", path);
	}
	return 0;
}

int shim_exit_write(const char *state_dir, const shim_exit *e, err_t **err)
{
	_cleanup_free_ char *text = shim_exit_json(e);
	return shim_write_file(state_dir, SHIM_EXIT_FILE, text, err);
}

int shim_exit_parse(const char *text, size_t len, shim_exit *out, err_t **err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ json_object *o = json_parse_strict(text, len, err);
	if (!o)
		return err_wrap(err, "exit file");
	out->exit_code = (int)jget_int(o, "exit_code", 255);
	out->signal = (int)jget_int(o, "signal", 0);
	out->oom_killed = jget_bool(o, "oom_killed", false);
	out->pid = (int)jget_int(o, "pid", 0);
	const char *t = jget_str(o, "finished_at");
	snprintf(out->finished_at, sizeof(out->finished_at), "%s", t ? t : "");
	const char *e = jget_str(o, "error");
	out->error = e ? xstrdup(e) : NULL;
	return 0;
}

void shim_exit_done(shim_exit *e)
{
	free(e->error);
	e->error = NULL;
}

static const struct {
	const char *name;
	int sig;
} sig_names[] = {
	{"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
	{"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL},
	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
	{"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU},
	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
	{"POLL", SIGPOLL}, {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

int shim_signal_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (s[0] >= '0' && s[0] <= '9') {
		char *end;
		long v = strtol(s, &end, 10);
		return *end || v < 1 || v > SIGRTMAX ? -1 : (int)v;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(sig_names); i++)
		if (strcasecmp(sig_names[i].name, s) == 0)
			return sig_names[i].sig;
	if (strncasecmp(s, "RTMIN+", 6) == 0) {
		int v = SIGRTMIN + atoi(s + 6);
		return v <= SIGRTMAX ? v : -1;
	}
	return -1;
}

void shim_hex_encode(strbuf *sb, const void *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		sb_putc(sb, hex[p[i] >> 4]);
		sb_putc(sb, hex[p[i] & 15]);
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int shim_hex_decode(strbuf *sb, const char *hex, size_t len)
{
	if (len % 2)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		sb_putc(sb, (char)(hi << 4 | lo));
	}
	return 0;
}

bool shim_exec_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (!n || n > SHIM_ID_MAX || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}

char *shim_exec_path(const char *state_dir, const char *id)
{
	return xasprintf("%s/exec-%s.json", state_dir, id);
}
