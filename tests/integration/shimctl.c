/* shimctl: a command-line face of shim_client.h (and runtime_exec_in), for
 * the integration tests and the bench; engined uses the same calls.
 *
 *   shimctl spawn --shim P --id ID --bundle B --state S --log L [--stdin] [--max-size N]
 *                 [--max-file N] [--cgroup-root D] [--cgroup-parent P] [--shim-cgroup P] [--init P]
 *                 [--cache D] [--hold]
 *                 (--hold: stay alive after the spawn, as engined would, until killed)
 *   shimctl run   (the same options: spawn, then wait; exits with the container's code)
 *   shimctl status|wait|exit|pids|pause|resume STATE, shimctl resize STATE H W
 *   shimctl kill STATE SIGNAL [all]
 *   shimctl attach STATE        (stdin -> container, frames decoded to stdout/stderr)
 *   shimctl events STATE        (one JSON line per event until the exit)
 *   shimctl exec BUNDLE ID PID CMD...  (runtime_exec_in with the bundle's process settings)
 *   shimctl seccomp-json        (our default profile in OCI form, for a runc/crun bundle) */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "cleanup.h"
#include "seccomp_profile.h"
#include "runtime.h"
#include "shim_client.h"
#include "strbuf.h"
#include "xalloc.h"

static int fail(err_t *e, int code)
{
	fprintf(stderr, "shimctl: %s\n", err_msg(e));
	err_free(&e);
	return code;
}

static void print_exit(const shim_exit *x)
{
	_cleanup_free_ char *j = shim_exit_json(x);
	fputs(j, stdout);
}

static bool hold;

static int parse_spawn(int argc, char **argv, shim_spawn_opts *o)
{
	static const struct option opts[] = {
		{"shim", 1, 0, 'S'}, {"id", 1, 0, 'i'},        {"bundle", 1, 0, 'b'},     {"state", 1, 0, 's'},
		{"log", 1, 0, 'l'},  {"stdin", 0, 0, 'I'},     {"max-size", 1, 0, 'm'},   {"max-file", 1, 0, 'n'},
		{"cgroup-parent", 1, 0, 'p'}, {"shim-cgroup", 1, 0, 'c'}, {"init", 1, 0, 'e'}, {"cache", 1, 0, 'C'},
		{"hold", 0, 0, 'H'}, {"cgroup-root", 1, 0, 'r'}, {0, 0, 0, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'S': o->shim_path = optarg; break;
		case 'i': o->id = optarg; break;
		case 'b': o->bundle = optarg; break;
		case 's': o->state_dir = optarg; break;
		case 'l': o->log_path = optarg; break;
		case 'I': o->open_stdin = true; break;
		case 'm': o->log_max_size = atoll(optarg); break;
		case 'n': o->log_max_files = atoi(optarg); break;
		case 'p': o->cgroup_parent = optarg; break;
		case 'c': o->shim_cgroup = optarg; break;
		case 'e': o->init_path = optarg; break;
		case 'C': o->seccomp_cache = optarg; break;
		case 'H': hold = true; break;
		case 'r': o->cgroup_root = optarg; break;
		default: return -1;
		}
	}
	return 0;
}

static int cmd_spawn(int argc, char **argv, bool wait)
{
	shim_spawn_opts o = {0};
	shim_started st;
	err_t *e = NULL;
	if (parse_spawn(argc, argv, &o) < 0)
		return 2;
	if (shim_spawn(&o, &st, &e) < 0) {
		fprintf(stderr, "shimctl: %s\n", err_msg(e));
		err_free(&e);
		return st.exit_code;
	}
	printf("{\"pid\":%d,\"shim_pid\":%d,\"warnings\":%d}\n", (int)st.pid, (int)st.shim_pid,
	       st.warnings && st.warnings[0] ? 1 : 0);
	fflush(stdout);
	shim_started_done(&st);
	while (hold)
		pause();
	if (!wait)
		return 0;
	shim_exit x;
	if (shim_wait(o.state_dir, &x, &e) < 0)
		return fail(e, 1);
	print_exit(&x);
	int code = x.exit_code;
	shim_exit_done(&x);
	return code;
}

static int cmd_simple(const char *cmd, const char *state, char **rest)
{
	err_t *e = NULL;
	shim_exit x;
	if (strcmp(cmd, "wait") == 0 || strcmp(cmd, "exit") == 0) {
		int r = strcmp(cmd, "wait") == 0 ? shim_wait(state, &x, &e) : shim_read_exit(state, &x, &e);
		if (r < 0)
			return fail(e, 1);
		print_exit(&x);
		shim_exit_done(&x);
		return 0;
	}
	if (strcmp(cmd, "kill") == 0) {
		int sig = rest[0] ? shim_signal_parse(rest[0]) : -1;
		if (sig < 0)
			return 2;
		bool all = rest[1] && strcmp(rest[1], "all") == 0;
		return shim_kill(state, sig, all, &e) < 0 ? fail(e, e && e->kind == ERR_CONFLICT ? 3 : 1) : 0;
	}
	_cleanup_json_ json_object *reply = NULL;
	_cleanup_sb_ strbuf req = STRBUF_INIT;
	sb_puts(&req, cmd);
	for (char **a = rest; *a; a++)
		sb_printf(&req, " %s", *a);
	if (shim_call(state, req.buf, &reply, &e) < 0)
		return fail(e, 1);
	printf("%s\n", jdump(reply));
	return 0;
}

/* Frames from the shim to our stdout/stderr; our stdin to the shim. */
static int cmd_attach(const char *state)
{
	err_t *e = NULL;
	int fd = shim_attach(state, true, true, true, true, &e);
	if (fd < 0)
		return fail(e, 1);
	unsigned char hdr[8];
	char buf[65536];
	bool in_open = true;
	for (;;) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents) {
			ssize_t n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				shutdown(fd, SHUT_WR);
				in_open = false;
			} else if (write(fd, buf, (size_t)n) != n) {
				return 1;
			}
		}
		if (!p[0].revents)
			continue;
		if (recv(fd, hdr, 8, MSG_WAITALL) != 8)
			return 0;
		uint32_t len;
		memcpy(&len, hdr + 4, 4);
		len = ntohl(len);
		while (len) {
			ssize_t n = recv(fd, buf, len < sizeof(buf) ? len : sizeof(buf), 0);
			if (n <= 0)
				return 0;
			(void)!write(hdr[0] == 2 ? 2 : 1, buf, (size_t)n);
			len -= (uint32_t)n;
		}
	}
}

static int cmd_events(const char *state)
{
	err_t *e = NULL;
	int fd = shim_events(state, &e);
	if (fd < 0)
		return fail(e, 1);
	json_object *ev;
	while (shim_event_read(fd, &ev, &e) == 0) {
		printf("%s\n", jdump(ev));
		fflush(stdout);
		json_object_put(ev);
	}
	err_free(&e);
	close(fd);
	return 0;
}

static int cmd_exec(char **argv)
{
	err_t *e = NULL;
	_cleanup_spec_ rt_spec *s = spec_load(argv[0], &e);
	if (!s)
		return fail(e, 1);
	rt_config cfg = {.id = argv[1], .cgroup_parent = getenv("ENGINE_CGROUP_PARENT")};
	rt_process p = s->process;
	p.args = argv + 3;
	p.user.name = NULL;
	rt_stdio io = {-1, 1, 2};
	pid_t pid;
	if (runtime_exec_in(s, &cfg, &p, (pid_t)atoi(argv[2]), &io, &pid, NULL, &e) < 0) {
		int code = runtime_start_exit_code(e);
		fail(e, 0);
		return code;
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_seccomp_json(void)
{
	sc_profile *p = sc_profile_default();
	json_object *o = sc_profile_to_oci_json(p, CAPS_DOCKER_DEFAULT);
	printf("%s\n", jdump(o));
	json_object_put(o);
	sc_profile_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *cmd = argv[1];
	if (strcmp(cmd, "seccomp-json") == 0)
		return cmd_seccomp_json();
	if (strcmp(cmd, "spawn") == 0 || strcmp(cmd, "run") == 0)
		return cmd_spawn(argc - 1, argv + 1, cmd[0] == 'r');
	if (argc < 3)
		return 2;
	if (strcmp(cmd, "attach") == 0)
		return cmd_attach(argv[2]);
	if (strcmp(cmd, "events") == 0)
		return cmd_events(argv[2]);
	if (strcmp(cmd, "exec") == 0)
		return argc < 6 ? 2 : cmd_exec(argv + 2);
	return cmd_simple(cmd, argv[2], argv + 3);
}
