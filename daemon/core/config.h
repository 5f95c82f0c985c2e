/* config.h: engined's configuration: command-line flags merged over the
 * daemon.json file (dockerd's keys where they apply). A reload (SIGHUP)
 * parses the file into a fresh config and swaps it in only when it is valid. */
#ifndef ENGINE_CONFIG_H
#define ENGINE_CONFIG_H

#include <stdbool.h>

#include "err.h"
#include "log.h"

#define ENGINE_DEFAULT_SOCKET "unix:///var/run/engine.sock"
#define ENGINE_DEFAULT_DATA_ROOT "/var/lib/engine"
#define ENGINE_DEFAULT_EXEC_ROOT "/run/engine"
#define ENGINE_DEFAULT_CONFIG "/etc/engine/daemon.json"

typedef struct engine_config {
	char **hosts;          /* -H values: unix:///path or fd:// */
	char *data_root;
	char *exec_root;
	char *pidfile;         /* NULL: none */
	char *config_file;
	char *group;           /* socket group; "engine" by default */
	log_level level;
	bool debug;
	char **labels;
	char **insecure_registries;
	char **registry_mirrors;
	char *log_driver;      /* "json-file" */
	char *log_max_size;    /* log-opts max-size, NULL: unlimited */
	char *log_max_file;    /* log-opts max-file */
	char *detach_keys;     /* default detach keys for attach */
	char *bip;             /* default bridge address, e.g. 172.17.0.1/16 */
	char *cgroup_parent;   /* "engine" */
	bool live_restore;
	int shutdown_timeout;  /* seconds */
	struct json_object *file; /* the whole parsed daemon.json (NULL: none), for keys read later */
	/* Which of the above came from flags: flags win over the file. */
	unsigned flag_set;
} engine_config;

enum {
	CFG_FLAG_HOSTS = 1u << 0,
	CFG_FLAG_DATA_ROOT = 1u << 1,
	CFG_FLAG_EXEC_ROOT = 1u << 2,
	CFG_FLAG_PIDFILE = 1u << 3,
	CFG_FLAG_GROUP = 1u << 4,
	CFG_FLAG_LEVEL = 1u << 5,
	CFG_FLAG_DEBUG = 1u << 6,
};

engine_config *config_new_defaults(void);
void config_free(engine_config *c);
/* Reads the JSON file into c (keys absent from the file keep their values;
 * fields set by flags are not overwritten). A missing file is not an error
 * unless `required`. Unknown keys are an error, as dockerd makes them. */
int config_load_file(engine_config *c, const char *path, bool required, err_t **err);
/* Deep copy, for a reload that may fail. */
engine_config *config_dup(const engine_config *c);

#endif
