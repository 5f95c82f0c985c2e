/* bundle_security.c: what a container may do. Docker's default capability
 * set, --cap-add/--cap-drop (with ALL), --privileged (every capability, all
 * devices, no seccomp, nothing masked), --security-opt seccomp=... and
 * no-new-privileges, and the device cgroup rules. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "bundle_internal.h"
#include "cleanup.h"
#include "jsonutil.h"
#include "xalloc.h"

/* In capability-number order. */
static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
	"SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN",
	"NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE",
	"SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME",
	"SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
	"PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
#define NCAPS ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

const char *const bundle_default_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
	"SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE", NULL,
};

/* The capabilities engined itself may hand out: its bounding set (a root
 * without CAP_SYS_RESOURCE, as on some hosts, cannot give it away). */
static uint64_t own_bounding_set(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	uint64_t bnd = ~0ULL;
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapBnd: %" SCNx64, &bnd) == 1)
			break;
	if (f)
		fclose(f);
	return bnd;
}

static int host_last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = NCAPS - 1;
	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = NCAPS - 1;
		fclose(f);
	}
	return last < NCAPS ? last : NCAPS - 1;
}

/* "cap_net_admin", "NET_ADMIN", "CAP_NET_ADMIN" -> index; "ALL" -> -2; unknown -> -1. */
static int cap_index(const char *name)
{
	char up[64];
	size_t n = 0;
	for (; name[n] && n < sizeof(up) - 1; n++)
		up[n] = (char)toupper((unsigned char)name[n]);
	up[n] = '\0';
	const char *p = strncmp(up, "CAP_", 4) ? up : up + 4;
	if (!strcmp(p, "ALL"))
		return -2;
	for (int i = 0; i < NCAPS; i++)
		if (!strcmp(p, cap_names[i]))
			return i;
	return -1;
}

static int check_cap_list(json_object *list, const char *flag, err_t **err)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *c = json_object_get_string(json_object_array_get_idx(list, i));
		if (cap_index(c) == -1)
			return err_invalid(err, "invalid %s: unknown capability: \"%s\"", flag, c);
	}
	return 0;
}

static const char *seccomp_value(const char *opt)
{
	if (!strncmp(opt, "seccomp=", 8))
		return opt + 8;
	if (!strncmp(opt, "seccomp:", 8))
		return opt + 8;
	return NULL;
}

int bundle_check_security(json_object *hc, err_t **err)
{
	if (check_cap_list(jget_arr(hc, "CapAdd"), "CapAdd", err) < 0 ||
	    check_cap_list(jget_arr(hc, "CapDrop"), "CapDrop", err) < 0)
		return -1;
	json_object *so = jget_arr(hc, "SecurityOpt");
	for (size_t i = 0; so && i < json_object_array_length(so); i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(so, i));
		const char *sc = seccomp_value(o);
		if (sc) {
			if (!strcmp(sc, "unconfined") || !strcmp(sc, "builtin"))
				continue;
			_cleanup_err_ err_t *perr = NULL;
			_cleanup_json_ json_object *p = json_parse_strict(sc, strlen(sc), &perr);
			if (!p || !json_object_is_type(p, json_type_object))
				return err_invalid(err, "invalid seccomp profile: %s", perr ? perr->msg : "not a JSON object");
			continue;
		}
		if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges:true") ||
		    !strcmp(o, "no-new-privileges=true") || !strcmp(o, "no-new-privileges:false") ||
		    !strcmp(o, "no-new-privileges=false") || !strncmp(o, "label", 5) ||
		    !strncmp(o, "apparmor", 8))
			continue;
		return err_invalid(err, "invalid --security-opt: \"%s\"", o);
	}
	return 0;
}

static bool list_has_all(json_object *list)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		if (cap_index(json_object_get_string(json_object_array_get_idx(list, i))) == -2)
			return true;
	return false;
}

static void apply_list(json_object *list, bool *set, bool value)
{
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		int k = cap_index(json_object_get_string(json_object_array_get_idx(list, i)));
		if (k >= 0)
			set[k] = value;
	}
}

/* moby's TweakCapabilities: ALL in add starts from everything, ALL in drop
 * from nothing; otherwise the default set plus adds minus drops. */
json_object *bundle_capabilities(json_object *hc, err_t **err)
{
	(void)err;
	bool set[NCAPS] = {false};
	int last = host_last_cap();
	json_object *add = jget_arr(hc, "CapAdd"), *drop = jget_arr(hc, "CapDrop");
	bool all = jget_bool(hc, "Privileged", false) || list_has_all(add);
	if (all) {
		uint64_t bnd = own_bounding_set();
		for (int i = 0; i <= last; i++)
			set[i] = (bnd >> i) & 1;
	} else if (!list_has_all(drop)) {
		for (const char *const *d = bundle_default_caps; *d; d++)
			set[cap_index(*d)] = true;
	}
	if (!jget_bool(hc, "Privileged", false)) {
		apply_list(drop, set, false);
		apply_list(add, set, true);
	}
	json_object *names = json_object_new_array();
	for (int i = 0; i <= last; i++) {
		if (!set[i])
			continue;
		char n[64];
		snprintf(n, sizeof(n), "CAP_%s", cap_names[i]);
		json_object_array_add(names, jstr(n));
	}
	json_object *caps = json_object_new_object();
	jset(caps, "bounding", json_object_get(names));
	jset(caps, "effective", json_object_get(names));
	jset(caps, "permitted", names);
	return caps;
}

int bundle_security(json_object *hc, json_object *process, json_object *linux_,
		    json_object *annotations, err_t **err)
{
	bool privileged = jget_bool(hc, "Privileged", false);
	const char *seccomp = privileged ? "unconfined" : "default";
	json_object *so = jget_arr(hc, "SecurityOpt");
	bool nnp = false;
	for (size_t i = 0; so && i < json_object_array_length(so); i++) {
		const char *o = json_object_get_string(json_object_array_get_idx(so, i));
		const char *sc = seccomp_value(o);
		if (sc && !strcmp(sc, "unconfined")) {
			seccomp = "unconfined";
		} else if (sc && strcmp(sc, "builtin") != 0) {
			json_object *p = json_parse_strict(sc, strlen(sc), err);
			if (!p)
				return -1;
			jset(linux_, "seccomp", p);
			seccomp = NULL;
		} else if (!strncmp(o, "no-new-privileges", 17)) {
			nnp = !strstr(o, "false");
		}
	}
	if (seccomp)
		jset_str(annotations, "org.engine.seccomp", seccomp);
	jset_bool(process, "noNewPrivileges", nnp);
	return 0;
}

static json_object *dev_rule(bool allow, const char *type, int major, int minor)
{
	json_object *r = json_object_new_object();
	jset_bool(r, "allow", allow);
	if (type)
		jset_str(r, "type", type);
	if (major != -2)
		jset_int(r, "major", major);
	if (minor != -2)
		jset_int(r, "minor", minor);
	jset_str(r, "access", "rwm");
	return r;
}

/* Docker's default device rules: deny all, then the standard character
 * devices (null zero full random urandom tty console ptmx, and the pts). */
json_object *bundle_devices(bool privileged)
{
	json_object *a = json_object_new_array();
	if (privileged) {
		json_object_array_add(a, dev_rule(true, NULL, -2, -2));
		return a;
	}
	json_object_array_add(a, dev_rule(false, NULL, -2, -2));
	static const int std[][2] = {{1, 5}, {1, 3}, {1, 9}, {1, 8}, {5, 0}, {5, 1}, {1, 7}, {5, 2}};
	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++)
		json_object_array_add(a, dev_rule(true, "c", std[i][0], std[i][1]));
	json_object_array_add(a, dev_rule(true, "c", 136, -1));
	return a;
}
