"""rtbundle: builds OCI bundles like the ones engined writes (Docker's
default config.json for `docker run`, plus our overlay annotations) over a
busybox-static rootfs, for the runtime and shim tests and the bench."""
import json
import os
import shutil

BUSYBOX = "/bin/busybox"

DEFAULT_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]

MASKED = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
          "/sys/firmware", "/sys/devices/virtual/powercap"]
READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


def make_lower(path, marker="image-marker"):
    """A busybox image layer: /bin/busybox, its applet links, /etc files."""
    os.makedirs(os.path.join(path, "bin"), exist_ok=True)
    os.makedirs(os.path.join(path, "etc"), exist_ok=True)
    shutil.copy(BUSYBOX, os.path.join(path, "bin", "busybox"))
    import subprocess
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split()
    for a in applets:
        link = os.path.join(path, "bin", a)
        if not os.path.lexists(link):
            os.symlink("busybox", link)
    with open(os.path.join(path, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                "user:x:1000:1000::/home/user:/bin/sh\n")
    with open(os.path.join(path, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\nuser:x:1000:\nextra:x:2000:user\n")
    with open(os.path.join(path, "marker"), "w") as f:
        f.write(marker + "\n")
    with open(os.path.join(path, "etc", "notexec"), "w") as f:
        f.write("#!/bin/sh\necho no\n")
    os.chmod(os.path.join(path, "etc", "notexec"), 0o644)


def default_config(args, hostname="c1", cgroups_path=None, env=None):
    """Docker 25's config.json for `docker run busybox ARGS`, trimmed to what we read."""
    return {
        "ociVersion": "1.0.2-dev",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": args,
            "env": env if env is not None else
            ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOSTNAME=" + hostname],
            "cwd": "/",
            "capabilities": {k: DEFAULT_CAPS for k in ("bounding", "effective", "permitted")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1048576, "soft": 1048576}],
            "noNewPrivileges": False,
        },
        "root": {"path": "rootfs", "readonly": False},
        "hostname": hostname,
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["ro", "nosuid", "noexec", "nodev"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"]},
        ],
        "annotations": {"org.engine.seccomp": "default"},
        "linux": {
            "resources": {
                "devices": [{"allow": False, "access": "rwm"}] + [
                    {"allow": True, "type": "c", "major": ma, "minor": mi, "access": "rwm"}
                    for ma, mi in ((1, 5), (1, 3), (1, 9), (1, 8), (5, 0), (5, 1), (1, 7))] + [
                    {"allow": True, "type": "c", "major": 136, "minor": -1, "access": "rwm"},
                    {"allow": True, "type": "c", "major": 5, "minor": 2, "access": "rwm"}],
                "memory": {"limit": 67108864, "swap": 134217728},
                "pids": {"limit": 100},
                "cpu": {"shares": 512, "quota": 50000, "period": 100000},
            },
            "cgroupsPath": cgroups_path,
            "namespaces": [{"type": t} for t in ("mount", "network", "uts", "pid", "ipc", "cgroup")],
            "maskedPaths": MASKED,
            "readonlyPaths": READONLY,
        },
    }


def write_bundle(bundle, config, lowers=None, upper=None, work=None):
    """Writes config.json (with the overlay annotations when lowers are given)."""
    os.makedirs(os.path.join(bundle, "rootfs"), exist_ok=True)
    if lowers:
        for d in (upper, work):
            os.makedirs(d, exist_ok=True)
        ann = config.setdefault("annotations", {})
        ann["org.engine.rootfs.lowerdirs"] = ":".join(lowers)
        ann["org.engine.rootfs.upperdir"] = upper
        ann["org.engine.rootfs.workdir"] = work
    if config["linux"].get("cgroupsPath") is None:
        config["linux"].pop("cgroupsPath")
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
