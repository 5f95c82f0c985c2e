/* engined.c: the daemon's entry point. Parses dockerd-style flags, merges
 * daemon.json, opens the state and the sockets, serves the API, and turns
 * signals into actions: SIGTERM/SIGINT stop, SIGHUP reloads the config. It
 * tells systemd where it is (sdproto.c) and logs to the journal when
 * systemd started it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "engine.h"
#include "fsutil.h"
#include "http.h"
#include "listen.h"
#include "log.h"
#include "sdproto.h"
#include "version.h"
#include "xalloc.h"

static void usage(FILE *out)
{
	fputs("Usage:\tengined [OPTIONS]\n\n"
	      "A self-sufficient runtime for containers, speaking the Docker Engine API.\n\n"
	      "Options:\n"
	      "      --config-file string     Daemon configuration file (default \"" ENGINE_DEFAULT_CONFIG "\")\n"
	      "      --data-root string       Root directory of persistent state (default \"" ENGINE_DEFAULT_DATA_ROOT "\")\n"
	      "  -D, --debug                  Enable debug mode\n"
	      "      --exec-root string       Root directory for execution state files (default \"" ENGINE_DEFAULT_EXEC_ROOT "\")\n"
	      "  -G, --group string           Group for the unix socket (default \"engine\")\n"
	      "  -H, --host list              Daemon socket(s) to connect to (unix:///path or fd://)\n"
	      "  -l, --log-level string       Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\") (default \"info\")\n"
	      "  -p, --pidfile string         Path to use for daemon PID file\n"
	      "  -v, --version                Print version information and quit\n"
	      "  -h, --help                   Print usage\n",
	      out);
}

static void strv_push(char ***v, const char *s)
{
	size_t n = 0;
	while (*v && (*v)[n])
		n++;
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Returns 1 to go on, 0 to exit successfully, -1 on a usage error. */
static int parse_flags(int argc, char **argv, engine_config *c)
{
	enum { OPT_DATA_ROOT = 256, OPT_EXEC_ROOT, OPT_CONFIG };
	static const struct option opts[] = {
		{"host", required_argument, NULL, 'H'},
		{"data-root", required_argument, NULL, OPT_DATA_ROOT},
		{"exec-root", required_argument, NULL, OPT_EXEC_ROOT},
		{"config-file", required_argument, NULL, OPT_CONFIG},
		{"pidfile", required_argument, NULL, 'p'},
		{"group", required_argument, NULL, 'G'},
		{"log-level", required_argument, NULL, 'l'},
		{"debug", no_argument, NULL, 'D'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool hosts_from_flag = false;
	int o;
	while ((o = getopt_long(argc, argv, "H:p:G:l:Dvh", opts, NULL)) != -1) {
		switch (o) {
		case 'H':
			if (!hosts_from_flag) {
				strv_free(c->hosts);
				c->hosts = xcalloc(1, sizeof(char *));
				hosts_from_flag = true;
			}
			strv_push(&c->hosts, optarg);
			c->flag_set |= CFG_FLAG_HOSTS;
			break;
		case OPT_DATA_ROOT: set_str(&c->data_root, optarg); c->flag_set |= CFG_FLAG_DATA_ROOT; break;
		case OPT_EXEC_ROOT: set_str(&c->exec_root, optarg); c->flag_set |= CFG_FLAG_EXEC_ROOT; break;
		case OPT_CONFIG: set_str(&c->config_file, optarg); break;
		case 'p': set_str(&c->pidfile, optarg); c->flag_set |= CFG_FLAG_PIDFILE; break;
		case 'G': set_str(&c->group, optarg); c->flag_set |= CFG_FLAG_GROUP; break;
		case 'l':
			if (log_level_parse(optarg, &c->level) < 0) {
				fprintf(stderr, "engined: unable to parse logging level: %s\n", optarg);
				return -1;
			}
			c->flag_set |= CFG_FLAG_LEVEL;
			break;
		case 'D': c->debug = true; c->flag_set |= CFG_FLAG_DEBUG; break;
		case 'v': printf("engined version %s, API %s\n", ENGINE_VERSION, API_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "engined: unexpected argument \"%s\"\nSee 'engined --help'.\n", argv[optind]);
		return -1;
	}
	return 1;
}

/* Structured journal entries when systemd gave us the journal as stderr. */
static void journal_sink(log_level lvl, const char *file, int line, const char *msg)
{
	static const int prio[] = {3, 4, 6, 7};
	if (sdp_journal(prio[lvl], file, line, "engined", msg) < 0)
		fprintf(stderr, "%s\n", msg);
}

static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	struct stat st;
	unsigned long dev = 0, ino = 0;
	if (!js || sscanf(js, "%lu:%lu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

/* A killed engined that its parent has not reaped yet is no daemon. */
static bool process_is_zombie(pid_t pid)
{
	_cleanup_free_ char *path = xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *stat = NULL;
	_cleanup_err_ err_t *err = NULL;
	if (fs_read_file(path, 4096, &stat, NULL, &err) < 0)
		return true;
	const char *rp = strrchr(stat, ')');
	return rp && rp[1] == ' ' && rp[2] == 'Z';
}

static int write_pidfile(const char *path, err_t **err)
{
	_cleanup_free_ char *old = NULL;
	_cleanup_err_ err_t *rerr = NULL;
	if (fs_read_file(path, 64, &old, NULL, &rerr) == 0) {
		long pid = strtol(old, NULL, 10);
		if (pid > 0 && pid != getpid() && kill((pid_t)pid, 0) == 0) {
			_cleanup_free_ char *exe = xasprintf("/proc/%ld/comm", pid);
			_cleanup_free_ char *comm = NULL;
			_cleanup_err_ err_t *cerr = NULL;
			if (fs_read_file(exe, 64, &comm, NULL, &cerr) == 0 && !strncmp(comm, "engined", 7) &&
			    !process_is_zombie((pid_t)pid))
				return err_set(err, ERR_CONFLICT, 0,
					       "pid file found, ensure engined is not running or delete %s", path);
		}
	}
	_cleanup_free_ char *line = xasprintf("%d", getpid());
	return fs_write_atomic(path, line, strlen(line), 0644, err);
}

/* Waits for signals on the main thread; returns when asked to stop. */
static void signal_loop(engine *e, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		if (sig < 0)
			continue;
		if (sig == SIGHUP) {
			sdp_notify("RELOADING=1");
			_cleanup_err_ err_t *err = NULL;
			if (engine_reload(e, &err) < 0)
				log_error("reload failed, keeping the running configuration: %s", err->msg);
			else
				log_info("configuration reloaded from %s", e->cfg->config_file);
			sdp_notify("READY=1");
			continue;
		}
		log_info("processing signal '%s'", strsignal(sig));
		return;
	}
}

static int run(engine_config *cfg)
{
	_cleanup_err_ err_t *err = NULL;
	/* Block the signals we wait for before any thread exists: every thread
	 * inherits the mask, so only sigwaitinfo() below ever takes them. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (config_load_file(cfg, cfg->config_file, cfg->config_file && strcmp(cfg->config_file, ENGINE_DEFAULT_CONFIG) != 0, &err) < 0) {
		log_error("%s", err->msg);
		config_free(cfg);
		return 1;
	}
	log_set_level(cfg->debug ? LOG_LVL_DEBUG : cfg->level);
	engine *e = engine_open(cfg, &err);
	if (!e) {
		log_error("failed to start daemon: %s", err->msg);
		return 1;
	}
	listeners l;
	if (listeners_open(&l, e->cfg->hosts, e->cfg->group, &err) < 0) {
		log_error("failed to load listeners: %s", err->msg);
		engine_close(e);
		return 1;
	}
	if (e->cfg->pidfile && write_pidfile(e->cfg->pidfile, &err) < 0) {
		log_error("failed to start daemon: %s", err->msg);
		listeners_close(&l);
		engine_close(e);
		return 1;
	}
	http_server *srv = http_server_start(e, l.fds, l.n, &err);
	if (!srv) {
		log_error("failed to start the API server: %s", err->msg);
		listeners_close(&l);
		engine_close(e);
		return 1;
	}
	for (size_t i = 0; i < l.n; i++)
		log_info("API listen on %s", l.paths[i] ? l.paths[i] : "systemd socket");
	log_info("engined %s started (API %s, data root %s)", ENGINE_VERSION, API_VERSION, e->data_root);
	sdp_notify("READY=1");
	signal_loop(e, &set);
	sdp_notify("STOPPING=1");
	http_server_stop(srv);
	listeners_close(&l);
	if (e->cfg->pidfile)
		unlink(e->cfg->pidfile);
	engine_close(e);
	log_info("daemon shutdown complete");
	return 0;
}

int main(int argc, char **argv)
{
	log_set_ident("engined");
	if (stderr_is_journal())
		log_set_sink(journal_sink);
	engine_config *cfg = config_new_defaults();
	int r = parse_flags(argc, argv, cfg);
	if (r <= 0) {
		config_free(cfg);
		return r == 0 ? 0 : 125;
	}
	if (geteuid() != 0)
		log_warn("engined is not running as root: containers will not start");
	return run(cfg);
}
