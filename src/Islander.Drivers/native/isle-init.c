/*
 * isle-init: the only C in islander (see docs/architecture.md, "isle-init", for its roles and protocol).
 *
 * .NET is multi-threaded before Main, so nothing managed may run between clone() and execve().
 * runc solves the same problem for Go with nsexec.c; this is islander's equivalent. One binary,
 * several roles, each stage named with PR_SET_NAME so `ps` shows where a launch is:
 *
 *   islander:launch  started by the daemon with posix_spawn. fd 3 = control pipe (config, then
 *                    SYNC_GO and SYNC_EXEC), fd 4 = report pipe, fd 5 = the rootfs as a detached mount, fds 6.. =
 *                    the named volumes as detached mounts (init's only). Reads the config, forks
 *                    the shim, exits 0 so the daemon has no long-lived children.
 *   islander:shim    setsid + child subreaper; clone()s init into the namespaces, reports
 *                    "PID <init> <shim>", relays STARTED or ERROR, copies the isle's stdout and stderr
 *                    (two pipes) into its log (TAG_LOG_*: Docker's json-file, rotated, or journald),
 *                    waits for init and writes the exit status file. Survives the daemon, so isles
 *                    survive a daemon restart and keep logging while it is down. With TAG_STDIN / TAG_TTY it
 *                    also holds PID 1's stdin pipe or PTY master and serves them on the attach socket
 *                    (TAG_ATTACH_SOCKET, see "shim: attach").
 *   islander:join    on v1 (TAG_CGROUP_TASKS): forked by the shim, moves itself into the isle's groups, clones init
 *                    there as the shim's child (CLONE_PARENT), passes its pid to the shim and exits (start_init).
 *   islander:init    waits for SYNC_GO (the daemon sets id maps and cgroups meanwhile); then
 *   islander:go      namespaces it unshares late (cgroup), root in a user namespace;
 *   islander:mount   mounts, symlinks, hostname, pivot_root, working directory (the daemon attaches the isle's
 *                    networks meanwhile), then waits for SYNC_EXEC;
 *   islander:cred    capabilities, user, no_new_privs, seccomp, execve.
 *                    The isle's command then is PID 1, as with `docker run` without --init.
 *   islander:exec    exec mode (TAG_EXEC_PID, `islanderctl exec`): the launcher joins the isle's namespaces
 *                    with setns(pidfd), forks the process (so it is in the isle's PID namespace), reports
 *                    "PID <process> <launcher>", relays STARTED or ERROR, then stays its parent: EOF on the
 *                    control pipe (the daemon cancelled or died) SIGKILLs it, and its end is reported as
 *                    "EXIT <code> <signal>". The process starts in the isle's cgroups as init does (the v1
 *                    tasks files, CLONE_INTO_CGROUP), waits for SYNC_GO, then takes the isle's credentials
 *                    exactly as init does, and execs.
 *
 * The fds each stage holds (CVE-2024-21626: runc leaked an fd on the host's cgroupfs into the container's process,
 * and `-w /proc/self/fd/N` or a working directory replaced by a link to it then led to the host's root). Besides
 * 0, 1, 2 (the isle's stdio, or the exec's pipes and /dev/null):
 *   launch  3 control, 4 report, 5 the rootfs mount (start only; else closed at once), 6 .. 5+N the N named volumes'
 *           detached mounts (start only, one per MOUNTOP_SOURCE_FD mount; none in exec mode), host_proc (O_PATH on
 *           the host's /proc, CLOEXEC; the lowest free fd): all others closed once the config is read (which opens
 *           nothing).
 *   shim    3 (closed once init is cloned), 4, host_proc (for still_isle_init; closed once STARTED or ERROR is
 *           relayed), the error pipe's read end (closed then too); 5 and 6 .. 5+N are closed once init is cloned. When
 *           it logs: the read ends of the two output pipes (init gets their write ends as its 1 and 2 and closes the
 *           originals), and, opened after init is cloned so that init never has them, the log file or the journal's
 *           socket and a signalfd. With a tty: its end of the console socket until init has sent the master, then
 *           the master; with stdin: the stdin pipe's writing end; then the attach socket and its connections (all
 *           opened, or received, after init is cloned).
 *   join    the shim's, until it exits; opens and closes the isle's v1 tasks files and the cgroup2 directory (CLOEXEC,
 *           closed after the clone; init closes its copy at once, below).
 *   init    keeps 3 (for SYNC_GO and SYNC_EXEC), 5 (the rootfs mount, closed once attached), 6 .. 5+N (each closed
 *           once attached on its volume's target) and the error pipe's write end only, closing everything else
 *           (host_proc above all) the moment it is cloned; closes 3 after SYNC_EXEC, before its confinement. 3 is the
 *           read end of a pipe from the daemon: no path, and no code of the isle runs while init holds it. The mounts
 *           are detached copies, so none of them leads to a host directory outside what it shows.
 *   exec    the launcher: 3, 4, host_proc (5, or 6 with a terminal), the pidfd of the isle's init, the isle's v1 tasks
 *           files and its cgroup2 directory (all CLOEXEC, opened before setns, closed after the fork; the child writes
 *           the tasks files, is cloned into the directory, joins the cgroup namespace with the pidfd and closes all three
 *           before anything else), with a terminal (TAG_EXEC_TTY) FD_CONSOLE (5) and the pty's master and slave (CLOEXEC; the master and 5
 *           closed once the master is sent, the slave after the fork), the error pipe's read end and, after the fork,
 *           a pidfd on its child; it closes 0-2 after the fork, host_proc and the error pipe once the child has
 *           started. The child: as init (3 and the error pipe's write end; 3 closed after SYNC_GO), with a terminal
 *           the slave as 0-2 (the original closed) before everything else is closed.
 *   At execve, for init and for exec: 0, 1, 2 and the CLOEXEC error pipe's write end, which the kernel closes as
 *   the isle's command starts (its EOF is the "STARTED"). The working directory is opened with openat2
 *   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS from the isle's "/" and checked afterwards with getcwd, as runc does.
 *
 * Config wire format (InitConfigEncoder.cs writes it): records of u16 tag, u32 length, payload,
 * little endian, ending with TAG_END. Strings are NUL-terminated. Every failed syscall is
 * reported as "ERROR <op>\t<path>\t<errno>\n", the way crun reports `open `%s``.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

/* Config tags: keep in sync with InitConfigTag.cs (a unit test compares both). */
#define TAG_END 0
#define TAG_VERSION 1          /* u32 */
#define TAG_ARGV 2             /* string, repeated */
#define TAG_ENV 3              /* string, repeated */
#define TAG_WORKDIR 4          /* string */
#define TAG_HOSTNAME 5         /* string */
#define TAG_ROOTFS 6           /* string */
#define TAG_NAMESPACES 7       /* u64 CLONE_NEW* */
#define TAG_MOUNT 8            /* u64 flags, u32 options, source\0 target\0 fstype\0 data\0; repeated */
#define TAG_SYMLINK 9          /* target\0 link\0; repeated */
#define TAG_UID 10             /* u32 */
#define TAG_GID 11             /* u32 */
#define TAG_ADDITIONAL_GID 12  /* u32, repeated */
#define TAG_CAPABILITIES 13    /* u64 bounding set to keep */
#define TAG_NO_NEW_PRIVS 14    /* u8 */
#define TAG_SECCOMP 15         /* struct sock_filter[] */
#define TAG_STATUS_PATH 16     /* string */
#define TAG_OOM_COUNTER_PATH 17 /* string */
#define TAG_EXEC_PID 18        /* u32: exec mode, join this process's namespaces (TAG_NAMESPACES) */
#define TAG_ROOTFS_MOUNT 19    /* u32: FD_ROOTFS holds the rootfs as a detached mount (open_tree) */
#define TAG_LOG_PATH 20        /* string: the shim writes the isle's stdout and stderr there, Docker's json-file */
#define TAG_LOG_MAX_SIZE 21    /* u64: rotate log.json before it would grow past this */
#define TAG_LOG_MAX_FILES 22   /* u32: log.json, log.json.1 .. log.json.(N-1) */
#define TAG_LOG_JOURNAL 23     /* string: the journal's socket; each line goes there as a datagram instead */
#define TAG_LOG_NAME 24        /* string: the isle's name, a field of each journal entry */
#define TAG_EXEC_TTY 25        /* u32: exec mode, a terminal from the isle's devpts; its master goes to FD_CONSOLE */
#define TAG_STDIN 26           /* u8: init's stdin is a pipe the shim holds open and attach clients write to */
#define TAG_TTY 27             /* u8: init's 0-2 are a PTY of the isle's own devpts; the shim holds the master */
#define TAG_ATTACH_SOCKET 28   /* string: the shim serves attach connections there (SOCK_SEQPACKET, 0600) */
#define TAG_CGROUP_TASKS 29    /* string, repeated: a v1 "tasks" file of the isle's group; init starts there (join_cgroups) */
#define TAG_CGROUP_DIR 30      /* string: the isle's cgroup2 directory; init is cloned into it (CLONE_INTO_CGROUP) */
#define TAG_STATUS_UNSYNCED 31 /* u8: the status file is not fsync'ed (no one reads it after a host crash) */

#define CONFIG_VERSION 1
#define CONFIG_MAX_BYTES (16u << 20)

/* The isle's output (shim): lines longer than this are split, as Docker's copier splits at 16 KiB. The longest
 * entry is such a line with every byte escaped as \u00XX, plus its fields: log.json's max size must hold one. */
#define LOG_LINE_MAX 16384
#define LOG_MAX_ENTRY (6 * LOG_LINE_MAX + 128)

/* MountOpOptions (MountOp.cs). */
#define MOUNTOP_CREATE_DIR 1u
#define MOUNTOP_CREATE_FILE 2u
#define MOUNTOP_OPTIONAL 4u
#define MOUNTOP_NOT_ON_PROC 8u
#define MOUNTOP_SOURCE_FD 16u /* source is "<fd>": a detached mount (FD_VOLUMES on), attached with move_mount */

/* Inherited fds (LinuxProcessLauncher.cs sets them with posix_spawn file actions). */
#define FD_CONTROL 3 /* daemon -> isle-init: config, then the sync bytes (SYNC_GO; for init, SYNC_EXEC) */
#define FD_REPORT 4  /* isle-init -> daemon: report lines */
#define FD_ROOTFS 5  /* the isle's rootfs, a detached mount (TAG_ROOTFS_MOUNT); init's only */
#define FD_VOLUMES 6 /* FD_VOLUMES + n: the n-th MOUNTOP_SOURCE_FD mount's source (named volumes); init's only */
#define FD_CONSOLE 5 /* exec mode with TAG_EXEC_TTY: a unix socket to the daemon, the terminal's master goes there */
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Sync messages on the control pipe. SYNC_GO: the daemon has placed init (cgroup, id maps); go on with the mounts.
 * SYNC_EXEC, init's only: the daemon has attached its networks meanwhile; confine and exec the command. EOF instead of
 * either means the daemon gave up: init exits quietly. */
#define SYNC_GO 'G'
#define SYNC_EXEC 'E'

/* Report lines on FD_REPORT (parsed by ShimReport.cs). */
#define REPORT_PID "PID"         /* PID <init host pid> <shim pid> */
#define REPORT_STARTED "STARTED" /* execve succeeded */
#define REPORT_ERROR "ERROR"     /* ERROR <op>\t<path>\t<errno> */
#define REPORT_EXIT "EXIT"       /* exec mode: EXIT <code> <signal> */

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct mount_op {
    uint64_t flags;
    uint32_t options;
    const char *source, *target, *fstype, *data; /* NULL when empty */
};

struct config {
    char **argv, **env;
    size_t argc, envc;
    const char *workdir, *hostname, *rootfs, *status_path, *oom_path;
    uint64_t namespaces, caps;
    struct mount_op *mounts;
    size_t nmounts;
    const char **symlinks; /* target, link pairs */
    size_t nsymlinks;
    uint32_t uid, gid, exec_pid;
    gid_t *gids;
    size_t ngids;
    int no_new_privs, rootfs_mount, exec_tty, status_unsynced;
    int nsource_fds; /* FD_VOLUMES .. FD_VOLUMES + nsource_fds - 1 hold the MOUNTOP_SOURCE_FD mounts' sources */
    const unsigned char *seccomp;
    size_t seccomp_len;
    const char *log_path, *log_journal, *log_name; /* neither path nor journal: 0-2 stay as the launcher got them */
    uint64_t log_max_size;
    uint32_t log_max_files;
    int open_stdin, tty;
    const char *attach_path; /* with stdin or tty: where attach clients connect */
    const char **cgroup_tasks; /* v1: the isle's groups, joined by writing "0" to these (join_cgroups) */
    size_t ncgroup_tasks;
    const char *cgroup_dir; /* v2 (or the hybrid layout's cgroup2): init is cloned into this group */
};

/* Where fail() sends its record: FD_REPORT in the launcher and shim, the CLOEXEC error pipe in init. */
static int err_fd = FD_REPORT;

/* While set, fail() reports this step and path instead of its caller's: the steps that make the working
 * directory are all "chdir <workdir>" for the daemon, which treats that as the spec's fault. */
static const char *fail_as_op, *fail_as_path;

/* Sends "ERROR op\tpath\terrno\n" with the current errno and exits 127 (like a failed exec). */
static void __attribute__((noreturn)) fail(const char *op, const char *path)
{
    int e = errno;
    if (fail_as_op)
        op = fail_as_op, path = fail_as_path;
    char buf[4608];
    int n = snprintf(buf, sizeof buf, REPORT_ERROR " %s\t%s\t%d\n", op, path ? path : "", e);
    if (n > (int)sizeof buf - 1)
        n = sizeof buf - 1, buf[n - 1] = '\n';
    for (int i = 0; i < n - 1; i++) /* one record, one line */
        if (buf[i] == '\n')
            buf[i] = ' ';
    if (write(err_fd, buf, n) < 0) {
        /* Nobody listens any more; the exit code still tells. */
    }
    _exit(127);
}

static void check(long rc, const char *op, const char *path)
{
    if (rc < 0)
        fail(op, path);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return; /* the daemon went away: the isle goes on */
        buf += n, len -= (size_t)n;
    }
}

/* ---- config ------------------------------------------------------------------------------ */

static void read_exact(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = EPIPE;
        if (n <= 0)
            fail("read", "config");
        p += n, len -= (size_t)n;
    }
}

static uint32_t le32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static void *grow(void *arr, size_t *n, size_t elem)
{
    void *p = realloc(arr, (*n + 2) * elem); /* one spare for a NULL terminator */
    if (!p)
        fail("realloc", "config");
    (*n)++;
    return p;
}

static void bad_config(const char *what)
{
    errno = EINVAL;
    fail("config", what);
}

/* Splits `len` bytes of NUL-terminated strings into `out`; returns how many. */
static size_t split_strings(const char *p, size_t len, const char **out, size_t max)
{
    size_t count = 0;
    while (len > 0 && count < max) {
        const char *end = memchr(p, 0, len);
        if (!end)
            bad_config("string without NUL");
        out[count++] = *p ? p : NULL;
        len -= (size_t)(end - p) + 1;
        p = end + 1;
    }
    return count;
}

static const char *string_payload(const char *p, uint32_t len, const char *what)
{
    if (len == 0 || p[len - 1] != 0)
        bad_config(what);
    return p;
}

static uint64_t int_payload(const unsigned char *p, uint32_t len, uint32_t want, const char *what)
{
    if (len != want)
        bad_config(what);
    return want == 8 ? le64(p) : want == 4 ? le32(p) : p[0];
}

static void read_config(int fd, struct config *c)
{
    size_t total = 0;
    int version_seen = 0;
    memset(c, 0, sizeof *c);
    c->workdir = "/";
    for (;;) {
        unsigned char hdr[6];
        read_exact(fd, hdr, sizeof hdr);
        uint16_t tag = hdr[0] | hdr[1] << 8;
        uint32_t len = le32(hdr + 2);
        total += sizeof hdr + len;
        if (total > CONFIG_MAX_BYTES)
            bad_config("too large");
        if (tag == TAG_END)
            break;
        unsigned char *p = malloc(len + 1);
        if (!p)
            fail("malloc", "config");
        read_exact(fd, p, len);
        p[len] = 0;
        const char *s = (const char *)p;
        if (!version_seen && tag != TAG_VERSION)
            bad_config("version must come first");
        switch (tag) {
        case TAG_VERSION:
            if (int_payload(p, len, 4, "version") != CONFIG_VERSION)
                bad_config("unsupported version");
            version_seen = 1;
            break;
        case TAG_ARGV:
            c->argv = grow(c->argv, &c->argc, sizeof *c->argv);
            c->argv[c->argc - 1] = (char *)string_payload(s, len, "argv");
            break;
        case TAG_ENV:
            c->env = grow(c->env, &c->envc, sizeof *c->env);
            c->env[c->envc - 1] = (char *)string_payload(s, len, "env");
            break;
        case TAG_WORKDIR: c->workdir = string_payload(s, len, "workdir"); break;
        case TAG_HOSTNAME: c->hostname = string_payload(s, len, "hostname"); break;
        case TAG_ROOTFS: c->rootfs = string_payload(s, len, "rootfs"); break;
        case TAG_STATUS_PATH: c->status_path = string_payload(s, len, "status path"); break;
        case TAG_OOM_COUNTER_PATH: c->oom_path = string_payload(s, len, "oom counter path"); break;
        case TAG_NAMESPACES: c->namespaces = int_payload(p, len, 8, "namespaces"); break;
        case TAG_CAPABILITIES: c->caps = int_payload(p, len, 8, "capabilities"); break;
        case TAG_UID: c->uid = (uint32_t)int_payload(p, len, 4, "uid"); break;
        case TAG_GID: c->gid = (uint32_t)int_payload(p, len, 4, "gid"); break;
        case TAG_EXEC_PID: c->exec_pid = (uint32_t)int_payload(p, len, 4, "exec pid"); break;
        case TAG_EXEC_TTY: c->exec_tty = int_payload(p, len, 4, "exec tty") != 0; break;
        case TAG_ROOTFS_MOUNT:
            if (int_payload(p, len, 4, "rootfs mount") != FD_ROOTFS)
                bad_config("rootfs mount fd");
            c->rootfs_mount = 1;
            break;
        case TAG_LOG_PATH: c->log_path = string_payload(s, len, "log path"); break;
        case TAG_LOG_JOURNAL: c->log_journal = string_payload(s, len, "log journal"); break;
        case TAG_LOG_NAME: c->log_name = string_payload(s, len, "log name"); break;
        case TAG_LOG_MAX_SIZE: c->log_max_size = int_payload(p, len, 8, "log max size"); break;
        case TAG_LOG_MAX_FILES: c->log_max_files = (uint32_t)int_payload(p, len, 4, "log max files"); break;
        case TAG_STDIN: c->open_stdin = int_payload(p, len, 1, "stdin") != 0; break;
        case TAG_TTY: c->tty = int_payload(p, len, 1, "tty") != 0; break;
        case TAG_ATTACH_SOCKET: c->attach_path = string_payload(s, len, "attach socket"); break;
        case TAG_CGROUP_TASKS:
            c->cgroup_tasks = grow(c->cgroup_tasks, &c->ncgroup_tasks, sizeof *c->cgroup_tasks);
            c->cgroup_tasks[c->ncgroup_tasks - 1] = string_payload(s, len, "cgroup tasks");
            break;
        case TAG_CGROUP_DIR: c->cgroup_dir = string_payload(s, len, "cgroup dir"); break;
        case TAG_STATUS_UNSYNCED: c->status_unsynced = int_payload(p, len, 1, "status unsynced") != 0; break;
        case TAG_NO_NEW_PRIVS: c->no_new_privs = int_payload(p, len, 1, "no_new_privs") != 0; break;
        case TAG_ADDITIONAL_GID:
            c->gids = grow(c->gids, &c->ngids, sizeof *c->gids);
            c->gids[c->ngids - 1] = (gid_t)int_payload(p, len, 4, "additional gid");
            break;
        case TAG_SECCOMP:
            if (len == 0 || len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
                bad_config("seccomp filter");
            c->seccomp = p, c->seccomp_len = len;
            break;
        case TAG_MOUNT: {
            const char *strs[4];
            if (len < 12 || split_strings(s + 12, len - 12, strs, 4) != 4)
                bad_config("mount");
            c->mounts = grow(c->mounts, &c->nmounts, sizeof *c->mounts);
            struct mount_op *m = &c->mounts[c->nmounts - 1];
            m->flags = le64(p);
            m->options = le32(p + 8);
            /* An empty target is the root itself. */
            m->source = strs[0], m->target = strs[1] ? strs[1] : "", m->fstype = strs[2], m->data = strs[3];
            if (m->options & MOUNTOP_SOURCE_FD) { /* the daemon numbers them in order, from FD_VOLUMES */
                char want[16];
                snprintf(want, sizeof want, "%d", FD_VOLUMES + c->nsource_fds);
                if (!m->source || strcmp(m->source, want) != 0 || c->nsource_fds >= 4096)
                    bad_config("mount source fd");
                c->nsource_fds++;
            }
            break;
        }
        case TAG_SYMLINK: {
            const char *strs[2];
            if (split_strings(s, len, strs, 2) != 2 || !strs[0] || !strs[1])
                bad_config("symlink");
            c->symlinks = grow(c->symlinks, &c->nsymlinks, 2 * sizeof *c->symlinks);
            c->symlinks[2 * (c->nsymlinks - 1)] = strs[0];
            c->symlinks[2 * (c->nsymlinks - 1) + 1] = strs[1];
            break;
        }
        default:
            bad_config("unknown tag");
        }
    }
    if (!version_seen || c->argc == 0)
        bad_config("missing argv");
    if (c->exec_pid && (c->rootfs || c->rootfs_mount || c->nmounts || c->nsymlinks || c->hostname))
        bad_config("exec joins an isle: no rootfs, mounts or hostname");
    if (c->exec_tty && !c->exec_pid)
        bad_config("a terminal is for exec only");
    if (!c->exec_pid && (!c->rootfs || !c->status_path))
        bad_config("missing rootfs or status path");
    if (!(c->namespaces & CLONE_NEWNS))
        bad_config("a mount namespace is required");
    if (c->hostname && !(c->namespaces & CLONE_NEWUTS))
        bad_config("a hostname needs a UTS namespace");
    if (c->log_path && (c->log_journal || c->log_max_size < LOG_MAX_ENTRY || c->log_max_files < 1 || c->log_max_files > 100))
        bad_config("log");
    if ((c->log_path || c->log_journal) && (c->exec_pid || (c->log_journal && (!c->log_name || strlen(c->log_journal) >= 108))))
        bad_config("log");
    /* stdin and a tty exist for attach: the shim serves them, and copies the output it takes from the isle to its log. */
    if ((c->open_stdin || c->tty) != (c->attach_path != NULL) || (c->attach_path && (c->exec_pid || !(c->log_path || c->log_journal)
        || strlen(c->attach_path) >= sizeof ((struct sockaddr_un *)0)->sun_path)))
        bad_config("attach");
    c->argv[c->argc] = NULL;
    if (!c->env)
        c->env = grow(NULL, &c->envc, sizeof *c->env), c->envc = 0;
    c->env[c->envc] = NULL;
}

/* ---- init: filesystem ---------------------------------------------------------------------- */

/* A path for messages: rootfs + "/" + rel. */
static const char *in_rootfs(const struct config *c, const char *rel)
{
    static char buf[8200]; /* rootfs and rel are at most PATH_MAX each */
    snprintf(buf, sizeof buf, "%s/%s", c->rootfs, rel);
    return buf;
}

/* The rootfs, opened by path once per mount on the root itself (rootfs_changed): the bind of the rootfs onto itself
 * makes a new mount there, which the next lookups must start from. Closed before pivot_root. */
static int root_fd = -1;

static void rootfs_changed(void)
{
    if (root_fd >= 0)
        close(root_fd);
    root_fd = -1;
}

/*
 * Opens `rel` inside the rootfs with openat2(RESOLVE_IN_ROOT), so a symlink or ".." planted in
 * the image cannot make a mount land on the host (the class of runc CVE-2021-30465; runc uses
 * securejoin and, lately, openat2 the same way).
 */
static int open_in_root(const struct config *c, const char *rel, int flags, mode_t mode)
{
    if (root_fd < 0) {
        root_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        check(root_fd, "open", c->rootfs);
    }
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    while (*rel == '/')
        rel++;
    return (int)syscall(SYS_openat2, root_fd, *rel ? rel : ".", &how, sizeof how);
}

/* mkdir -p inside the rootfs, one component at a time, each resolved in the root. */
static void mkdir_in_root(const struct config *c, const char *rel)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", rel) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        fail("mkdir", rel);
    }
    for (char *p = buf;; p++) {
        if (*p != '/' && *p != 0)
            continue;
        char saved = *p;
        *p = 0;
        char *slash = strrchr(buf, '/');
        if (*buf && (!slash || slash[1])) {
            int fd = open_in_root(c, buf, O_PATH | O_DIRECTORY, 0);
            if (fd < 0 && errno != ENOENT)
                fail("open", in_rootfs(c, buf));
            if (fd < 0) {
                const char *base = slash ? slash + 1 : buf;
                if (slash)
                    *slash = 0;
                int parent = open_in_root(c, slash ? buf : "", O_PATH | O_DIRECTORY, 0);
                if (slash)
                    *slash = '/';
                check(parent, "open", in_rootfs(c, buf));
                if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
                    fail("mkdir", in_rootfs(c, buf));
                close(parent);
            } else {
                close(fd);
            }
        }
        *p = saved;
        if (!saved)
            return;
    }
}

static void parent_of(const char *rel, char *dir, size_t size, const char **base)
{
    snprintf(dir, size, "%s", rel);
    char *slash = strrchr(dir, '/');
    *base = rel + (slash ? slash - dir + 1 : 0);
    if (slash)
        *slash = 0;
    else
        *dir = 0;
}

static void do_mount(const struct config *c, const struct mount_op *m)
{
    const char *shown = in_rootfs(c, m->target);
    if (m->options & MOUNTOP_CREATE_DIR)
        mkdir_in_root(c, m->target);
    if (m->options & MOUNTOP_CREATE_FILE) {
        char dir[4096];
        const char *base;
        parent_of(m->target, dir, sizeof dir, &base);
        mkdir_in_root(c, dir);
        /* Only looked at when something is there: the image's author chooses what, and opening a FIFO for writing
         * would wait for a reader forever (a file bind mounts over any non-directory). */
        int fd = open_in_root(c, m->target, O_PATH, 0);
        if (fd < 0 && errno == ENOENT)
            fd = open_in_root(c, m->target, O_CREAT | O_WRONLY | O_NONBLOCK | O_NOCTTY, 0644);
        if (fd < 0 && errno != EISDIR)
            fail("create", shown);
        if (fd >= 0)
            close(fd);
    }
    int fd = open_in_root(c, m->target, O_PATH, 0);
    if (fd < 0 && errno == ENOENT && (m->options & MOUNTOP_OPTIONAL))
        return;
    check(fd, "open", shown);
    /* A volume must not land on the isle's procfs through a link in the image or left by the isle (/data -> /proc):
     * the daemon refuses /proc as a mountPath, this refuses what the path resolved to, as runc checks the resolved
     * destination (CVE-2019-19921). The op is one the daemon classifies as the spec's. */
    if (m->options & MOUNTOP_NOT_ON_PROC) {
        struct statfs sfs;
        check(fstatfs(fd, &sfs), "fstatfs", shown);
        if (sfs.f_type == PROC_SUPER_MAGIC) {
            errno = EPERM;
            fail("mount on /proc", shown);
        }
    }
    char target[64];
    /* A detached mount (a named volume, cloned by the daemon): attached on the resolved target's fd itself. */
    if (m->options & MOUNTOP_SOURCE_FD) {
        int src = atoi(m->source);
        check(syscall(SYS_move_mount, src, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH), "move_mount", shown);
        /* A copy of a shared host mount (systemd makes "/" shared) is a peer of it: a mount the isle made inside its
         * volume would appear on the host. A slave, as a bind made after "/" became one: the host's mounts reach the
         * isle, not the other way. src now leads to the attached copy. */
        snprintf(target, sizeof target, "/proc/self/fd/%d", src);
        check(mount(NULL, target, NULL, MS_SLAVE | MS_REC, NULL), "mount", shown);
        close(src);
        close(fd);
        return;
    }
    /* Mount through the fd, as runc does, so the resolved target is what gets mounted on. */
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    if (mount(m->source, target, m->fstype, m->flags, m->data) < 0) {
        if (errno == ENOENT && (m->options & MOUNTOP_OPTIONAL))
            return (void)close(fd);
        fail("mount", shown);
    }
    close(fd);
    if (!*m->target && !(m->flags & MS_REMOUNT))
        rootfs_changed(); /* a new mount on the root: later lookups start from it */
}

static void do_symlink(const struct config *c, const char *target, const char *link)
{
    char dir[4096];
    const char *base;
    parent_of(link, dir, sizeof dir, &base);
    int parent = open_in_root(c, dir, O_PATH | O_DIRECTORY, 0);
    check(parent, "open", in_rootfs(c, dir));
    if (symlinkat(target, parent, base) < 0 && errno != EEXIST)
        fail("symlink", in_rootfs(c, link));
    close(parent);
}

/* runc's pivotRoot (crun's do_pivot is the same): pivot_root(".", ".") stacks the old root on
 * the new one; detach it from there, so no directory for the old root is needed. */
static void do_pivot(const char *rootfs)
{
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    check(oldroot, "open", "/");
    int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    check(newroot, "open", rootfs);
    check(fchdir(newroot), "fchdir", rootfs);
    check(syscall(SYS_pivot_root, ".", "."), "pivot_root", rootfs);
    check(fchdir(oldroot), "fchdir", "old root");
    /* Keep the detach from propagating to the host (the old root may be shared). */
    check(mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL), "mount", "old root");
    check(umount2(".", MNT_DETACH), "umount2", "old root");
    check(chdir("/"), "chdir", "/");
    close(oldroot);
    close(newroot);
}

/* ---- init: privileges ---------------------------------------------------------------------- */

static int read_cap_last_cap(void)
{
    char buf[16] = {0};
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    check(fd, "open", "/proc/sys/kernel/cap_last_cap");
    check(read(fd, buf, sizeof buf - 1), "read", "/proc/sys/kernel/cap_last_cap");
    close(fd);
    return atoi(buf);
}

static void drop_bounding_set(uint64_t keep, int last_cap)
{
    for (int cap = 0; cap <= last_cap; cap++)
        if (cap >= 64 || !(keep & (1ULL << cap)))
            check(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), "prctl", "PR_CAPBSET_DROP");
}

/* Inheritable and ambient caps would survive execve into the isle: CVE-2022-24769 (moby). */
static void clear_inheritable_and_ambient(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    check(syscall(SYS_capget, &hdr, data), "capget", NULL);
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        data[i].inheritable = 0;
    check(syscall(SYS_capset, &hdr, data), "capset", NULL);
    check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
}

static void set_user(const struct config *c)
{
    /* With setgroups=deny (unprivileged user namespaces) only an empty list was ever allowed. */
    if (setgroups(c->ngids, c->gids) < 0 && !(errno == EPERM && c->ngids == 0 && (c->namespaces & CLONE_NEWUSER)))
        fail("setgroups", NULL);
    check(setresgid(c->gid, c->gid, c->gid), "setresgid", NULL);
    check(setresuid(c->uid, c->uid, c->uid), "setresuid", NULL);
}

static void install_seccomp(const struct config *c)
{
    struct sock_fprog prog = {
        .len = (unsigned short)(c->seccomp_len / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)c->seccomp,
    };
    check(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), "seccomp", "SECCOMP_SET_MODE_FILTER");
}

/* The isle gets default dispositions and an empty mask: ignored signals (the shim ignores
 * SIGHUP, SIGPIPE, SIGINT) would otherwise stay ignored across execve. */
static void reset_signals(void)
{
    sigset_t none;
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL); /* EINVAL for SIGKILL, SIGSTOP and glibc's own: fine */
    sigemptyset(&none);
    check(sigprocmask(SIG_SETMASK, &none, NULL), "sigprocmask", NULL);
}

/* execvpe with the isle's PATH: glibc's execvpe searches the caller's PATH, not envp's. */
static void __attribute__((noreturn)) exec_isle(const struct config *c)
{
    const char *file = c->argv[0];
    if (strchr(file, '/')) {
        execve(file, c->argv, c->env);
        fail("execve", file);
    }
    const char *path = DEFAULT_PATH;
    for (size_t i = 0; i < c->envc; i++)
        if (strncmp(c->env[i], "PATH=", 5) == 0)
            path = c->env[i] + 5;
    int eacces = 0;
    for (const char *dir = path;; dir++) {
        const char *end = strchrnul(dir, ':');
        char buf[4096];
        int len = (int)(end - dir);
        if (snprintf(buf, sizeof buf, "%.*s/%s", len ? len : 1, len ? dir : ".", file) < (int)sizeof buf) {
            execve(buf, c->argv, c->env);
            if (errno == EACCES)
                eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR)
                fail("execve", buf);
        }
        if (!*end)
            break;
        dir = end;
    }
    errno = eacces ? EACCES : ENOENT;
    fail("execve", file);
}

/* The first thing a child of isle-init that becomes the isle's process does: every fd above 2 is closed but the
 * control pipe (SYNC_GO is still to come), the error pipe and, for init, the detached rootfs mount it attaches,
 * so nothing of the host reaches the isle, not even for the time before execve (the CVE-2024-21626 pattern: an
 * fd on the host's /proc, open while the process chdirs into a working directory the isle controls). Nothing
 * the shim or launcher opens later is inherited. */
/* init's end of the console socket (tty: init sends the PTY master over it, as runc's --console-socket). */
static int console_fd = -1;

static void keep_only_own_fds(const struct config *c)
{
    /* Ranges [first, last], ascending: FD_CONTROL < FD_ROOTFS < FD_VOLUMES.. < console_fd < err_fd (the shim makes
     * the console socket, then the error pipe, after all of them). */
    int keep[5][2], n = 0;
    keep[n][0] = keep[n][1] = FD_CONTROL, n++;
    if (c->rootfs_mount)
        keep[n][0] = keep[n][1] = FD_ROOTFS, n++;
    if (c->nsource_fds)
        keep[n][0] = FD_VOLUMES, keep[n][1] = FD_VOLUMES + c->nsource_fds - 1, n++;
    if (console_fd >= 0)
        keep[n][0] = keep[n][1] = console_fd, n++;
    keep[n][0] = keep[n][1] = err_fd, n++;
    unsigned next = FD_CONTROL;
    for (int i = 0; i < n; next = (unsigned)keep[i++][1] + 1)
        if ((unsigned)keep[i][0] > next)
            check(close_range(next, (unsigned)keep[i][0] - 1, 0), "close_range", NULL);
    check(close_range(next, ~0U, 0), "close_range", NULL);
}

/* Reads the sync byte `want` from the control pipe; EOF (the daemon gave up) fails as "wait sync". */
static void read_sync(char want)
{
    char sync;
    ssize_t n;
    do
        n = read(FD_CONTROL, &sync, 1);
    while (n < 0 && errno == EINTR);
    if (n == 0) { /* the daemon gave up before sending it */
        errno = ECANCELED;
        fail("wait", "sync");
    }
    check(n, "read", "control pipe");
    if (sync != want) {
        errno = EPROTO;
        fail("read", "sync");
    }
}

/* Waits for SYNC_GO on the control pipe: the daemon has placed this process (cgroup, id maps). An exec's process then
 * closes the pipe; init keeps it for SYNC_EXEC (wait_exec). */
static void wait_sync(int keep)
{
    /* The isle must not open /proc/<pid>/exe of isle-init while this still is isle-init
     * (CVE-2019-5736). execve resets it for the isle's own binary. */
    check(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl", "PR_SET_DUMPABLE");
    read_sync(SYNC_GO);
    if (!keep)
        close(FD_CONTROL);
}

/* init, its root made: waits for SYNC_EXEC, the daemon's word that its networks are attached (it attaches them while
 * init mounts), and closes the pipe; the command never runs before its network is there. */
static void wait_exec(void)
{
    read_sync(SYNC_EXEC);
    close(FD_CONTROL);
}

/*
 * Enters the working directory, which the isle controls (it may have replaced any part of it by a symlink), from
 * the isle's "/" (cwd and root here): RESOLVE_IN_ROOT keeps ".." and absolute links inside the isle, and
 * RESOLVE_NO_MAGICLINKS refuses /proc/self/fd/N and its like, which lead wherever their fd does (runc
 * CVE-2024-21626). Then the kernel's own view is checked, as runc does: a cwd outside the root reads
 * "(unreachable)/..." from getcwd(2). Every failure is "chdir <workdir>", which the daemon treats as the spec's.
 */
static void enter_workdir(const char *workdir)
{
    struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    const char *rel = workdir;
    while (*rel == '/')
        rel++;
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    check(root, "open", "/");
    int fd = (int)syscall(SYS_openat2, root, *rel ? rel : ".", &how, sizeof how);
    check(fd, "chdir", workdir);
    check(fchdir(fd), "chdir", workdir);
    close(fd);
    close(root);
    char cwd[4096];
    check(syscall(SYS_getcwd, cwd, sizeof cwd), "chdir", workdir); /* the raw syscall: glibc hides "(unreachable)" */
    if (cwd[0] != '/') {
        errno = EXDEV;
        fail("chdir", workdir);
    }
}

/* init dies with its shim (SIGKILL as the shim's parent-death signal): an isle whose shim was killed would run on with
 * nobody reading its output (its next write takes SIGPIPE), recording its exit or serving attach, and the daemon would
 * see it running. Ended, it is an exit without a status, which the daemon records and restarts by restartPolicy, as
 * containerd does when a shim dies. Set after set_user: a change of euid/egid clears the parent-death signal
 * (commit_creds), as execve of a set-user-ID binary does. The shim holds the error pipe's read end until init's
 * execve, so a shim already gone shows as POLLERR on the write end: the signal would never come. */
static void die_with_shim(void)
{
    check(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "prctl", "PR_SET_PDEATHSIG");
    struct pollfd p = {.fd = err_fd, .events = POLLOUT};
    if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
        _exit(127);
}

/* The isle's confinement, the same for init and for exec: bounding set, user, no_new_privs,
 * seccomp, default signals, no fd but 0-2; then execve. Never returns. */
static void __attribute__((noreturn)) confine_and_exec(const struct config *c, int last_cap, int init)
{
    prctl(PR_SET_NAME, "islander:cred");
    drop_bounding_set(c->caps, last_cap);
    /* Without no_new_privs the filter needs CAP_SYS_ADMIN, which a non-root user no longer has
     * after setresuid; runc installs it early in that case too (the filter must then allow
     * the remaining setup syscalls). */
    if (c->seccomp && !c->no_new_privs)
        install_seccomp(c);
    set_user(c);
    clear_inheritable_and_ambient();
    if (init)
        die_with_shim();
    if (c->no_new_privs)
        check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl", "PR_SET_NO_NEW_PRIVS");
    reset_signals();
    /* Only 0, 1, 2 reach the isle; the error pipe is CLOEXEC already and reports execve. Nothing else is open
     * by now (keep_only_own_fds, wait_sync): this is the guard for what a later change opens. */
    check(close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), "close_range", NULL);
    if (c->seccomp && c->no_new_privs)
        install_seccomp(c); /* last: the filter may forbid anything done above */
    exec_isle(c);
}

/* Docker (runc's createCwd) makes a missing working directory rather than fail. One that exists but cannot be
 * entered (a file, a link out of the root, a magic link) fails as "chdir", the step the daemon classifies. */
static void make_workdir(const struct config *c)
{
    fail_as_op = "chdir", fail_as_path = c->workdir;
    mkdir_in_root(c, c->workdir);
    fail_as_op = fail_as_path = NULL;
}

/* The exec's terminal, as runc's console socket makes it: a new pty of the isle's own devpts instance, opened after
 * setns so "/" is the isle's. Never the host's /dev/ptmx: a host pty in the isle is the CVE-2016-9962 family (the
 * isle reaching a host object through it). RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS keeps the lookup inside the isle and
 * off links it may have planted (/dev/ptmx itself is one), and the result must be devpts's ptmx (5:2 on a devpts
 * superblock), not whatever the isle mounted or put there. The slave is its peer by TIOCGPTPEER (Linux 4.13), not a
 * path the isle could swap. Both CLOEXEC and O_NOCTTY: only the child makes the slave its controlling terminal. */
static void open_isle_pty(int *master, int *slave)
{
    struct open_how how = {.flags = O_RDWR | O_NOCTTY | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    *master = (int)syscall(SYS_openat2, AT_FDCWD, "/dev/pts/ptmx", &how, sizeof how);
    check(*master, "open", "/dev/pts/ptmx");
    struct statfs sfs;
    struct stat st;
    check(fstatfs(*master, &sfs), "fstatfs", "/dev/pts/ptmx");
    check(fstat(*master, &st), "fstat", "/dev/pts/ptmx");
    if (sfs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
        errno = ENOTTY;
        fail("open", "/dev/pts/ptmx");
    }
    int unlock = 0;
    check(ioctl(*master, TIOCSPTLCK, &unlock), "ioctl", "TIOCSPTLCK");
    *slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(*slave, "ioctl", "TIOCGPTPEER");
}

/* Hands `fd` over `sock` (SCM_RIGHTS: to the daemon in exec mode, to the shim in init), then closes both here. */
static void send_console(int sock, int fd)
{
    char byte = 'M';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    ssize_t n;
    do
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    check(n, "sendmsg", "console socket");
    close(sock);
    close(fd);
}

/* The slave as the process's 0-2 and controlling terminal: a new session (setsid), then TIOCSCTTY, so the terminal's
 * ISIG sends Ctrl-C's SIGINT to the foreground group in the isle and a hangup reaches the session. Its owner is the
 * process's user, as runc's fixStdioPermissions does, so the user can still open /dev/tty. */
static void take_terminal(const struct config *c, int slave)
{
    check(setsid(), "setsid", NULL);
    check(ioctl(slave, TIOCSCTTY, 0), "ioctl", "TIOCSCTTY");
    check(fchown(slave, c->uid, c->gid), "fchown", "terminal");
    for (int fd = 0; fd < 3; fd++)
        check(dup2(slave, fd), "dup2", "terminal");
    close(slave);
}

/*
 * tty: PID 1's terminal, made in the isle after pivot_root as an exec's is (open_isle_pty: the isle's own devpts, the
 * slave by TIOCGPTPEER); the master goes to the shim over the console socket (runc's --console-socket) and is closed
 * here, so the isle never holds it; the slave becomes init's controlling terminal and 0-2.
 */
static void setup_tty(const struct config *c)
{
    int master, slave;
    open_isle_pty(&master, &slave);
    send_console(console_fd, master);
    take_terminal(c, slave);
}

/* The cloned child. Never returns. */
static void __attribute__((noreturn)) init_main(const struct config *c)
{
    prctl(PR_SET_NAME, "islander:init");
    wait_sync(1);
    prctl(PR_SET_NAME, "islander:go");

    int last_cap = read_cap_last_cap();
    /* After the daemon's cgroup placement, so the isle's cgroup becomes its "/". */
    if (c->namespaces & CLONE_NEWCGROUP)
        check(unshare(CLONE_NEWCGROUP), "unshare", "CLONE_NEWCGROUP");
    if (c->namespaces & CLONE_NEWUSER) {
        check(setresgid(0, 0, 0), "setresgid", "0");
        check(setresuid(0, 0, 0), "setresuid", "0");
    }

    prctl(PR_SET_NAME, "islander:mount");
    check(mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL), "mount", "/ (MS_REC|MS_SLAVE)");
    /* The daemon's overlay, detached from the host (open_tree OPEN_TREE_CLONE): attached here only, in the isle's
     * own mount namespace, so no host path leads into it (an rm -rf of the run directory, a local user). */
    if (c->rootfs_mount) {
        check(syscall(SYS_move_mount, FD_ROOTFS, "", AT_FDCWD, c->rootfs, MOVE_MOUNT_F_EMPTY_PATH), "move_mount", c->rootfs);
        /* The copy was a peer of the staging mount, shared where the host's "/" is (systemd): a slave, as the
         * volumes, so nothing mounted in the isle's root can propagate to a peer the host may still have. */
        check(mount(NULL, c->rootfs, NULL, MS_SLAVE | MS_REC, NULL), "mount", c->rootfs);
        close(FD_ROOTFS);
    }
    for (size_t i = 0; i < c->nmounts; i++)
        do_mount(c, &c->mounts[i]);
    for (size_t i = 0; i < c->nsymlinks; i++)
        do_symlink(c, c->symlinks[2 * i], c->symlinks[2 * i + 1]);
    if (c->hostname)
        check(sethostname(c->hostname, strlen(c->hostname)), "sethostname", c->hostname);
    make_workdir(c);
    rootfs_changed(); /* nothing of the old root stays open */
    do_pivot(c->rootfs);
    if (c->tty)
        setup_tty(c); /* while "/" is the cwd: open_isle_pty resolves in it */
    enter_workdir(c->workdir);
    wait_exec();
    confine_and_exec(c, last_cap, 1);
}

/* ---- shim: the isle's output --------------------------------------------------------------- */

/*
 * The isle's stdout and stderr are two pipes the shim reads, as conmon does: the daemon is not in the path, so an
 * isle logs while islanderd is down. Each line becomes one entry of Docker's json-file format,
 *   {"log":"line\n","stream":"stdout","time":"2026-12-05T06:20:46.123456789Z"}
 * with "log" lacking the "\n" when the line was split at LOG_LINE_MAX or ended without one (the isle closed its
 * output mid-line), as Docker writes partial messages. log.json is rotated before an entry would take it past
 * log_max_size (log.json -> log.json.1 -> ... -> log.json.(max_files-1), the oldest dropped), so an isle's log never
 * takes more than max_size x max_files. Writes block, as Docker's default mode and conmon: a slow disk slows the
 * isle once its pipe is full; a failed write (ENOSPC, EIO) drops what it held, so a full disk never stops the isle.
 * With a journal socket instead, each line is one datagram of journald's native protocol.
 */
static const char *const stream_names[2] = {"stdout", "stderr"};
static unsigned char line_buf[2][LOG_LINE_MAX]; /* each stream's line so far */
static size_t line_len[2];
static char out_buf[4096]; /* entries waiting for one write() */
static size_t out_len, out_count;
static int out_counting; /* a first pass only counts an entry's bytes: rotation needs its size before it is written */
static int log_fd = -1, journal_fd = -1;
static uint64_t log_size; /* log.json's bytes, out_buf's not counted */
static struct sockaddr_un journal_addr;
static char journal_fields[192];
static int journal_fields_len;

static void out_flush(void)
{
    const char *p = out_buf;
    while (out_len > 0 && log_fd >= 0) {
        ssize_t n = write(log_fd, p, out_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* ENOSPC, EIO: dropped, the isle goes on */
        p += n, out_len -= (size_t)n, log_size += (uint64_t)n;
    }
    out_len = 0;
}

static void out_bytes(const void *data, size_t n)
{
    const char *p = data;
    if (out_counting) {
        out_count += n;
        return;
    }
    while (n > 0) {
        if (out_len == sizeof out_buf)
            out_flush();
        size_t k = n < sizeof out_buf - out_len ? n : sizeof out_buf - out_len;
        memcpy(out_buf + out_len, p, k);
        out_len += k, p += k, n -= k;
    }
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or code points past U+10FFFF); 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0], lo = 0x80, hi = 0xbf;
    size_t len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (b == 0xe0) lo = 0xa0;
    if (b == 0xed) hi = 0x9f;
    if (b == 0xf0) lo = 0x90;
    if (b == 0xf4) hi = 0x8f;
    if (len == 0 || n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* A JSON string's contents: controls as \uXXXX (\n, \r, \t short), bytes that are not UTF-8 as U+FFFD (as Go's encoder). */
static void out_escaped(const unsigned char *p, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        unsigned char b = p[i];
        char esc[8] = {0};
        size_t len = 1;
        if (b == '"' || b == '\\')
            esc[0] = '\\', esc[1] = (char)b;
        else if (b == '\n' || b == '\r' || b == '\t')
            esc[0] = '\\', esc[1] = b == '\n' ? 'n' : b == '\r' ? 'r' : 't';
        else if (b < 0x20)
            memcpy(esc, "\\u00", 4), esc[4] = "0123456789abcdef"[b >> 4], esc[5] = "0123456789abcdef"[b & 15];
        else if (b >= 0x80 && (len = utf8_len(p + i, n - i)) == 0)
            memcpy(esc, "\\ufffd", 6), len = 1;
        if (esc[0]) {
            out_bytes(p + start, i - start);
            out_bytes(esc, strlen(esc));
            start = i + 1;
        }
        i += len;
    }
    out_bytes(p + start, n - start);
}

static void out_entry(int s, const unsigned char *p, size_t n, int newline, const char *ts)
{
    out_bytes("{\"log\":\"", 8);
    out_escaped(p, n);
    if (newline)
        out_bytes("\\n", 2);
    out_bytes("\",\"stream\":\"", 12);
    out_bytes(stream_names[s], 6);
    out_bytes("\",\"time\":\"", 10);
    out_bytes(ts, strlen(ts));
    out_bytes("\"}\n", 3);
}

static void log_open(const struct config *c)
{
    struct stat st;
    log_fd = open(c->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    log_size = log_fd >= 0 && fstat(log_fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* log.json.(N-2) replaces log.json.(N-1) (rename is atomic), ..., log.json becomes log.json.1; a new log.json. */
static void log_rotate(const struct config *c)
{
    char from[4200], to[4200];
    if (log_fd >= 0)
        close(log_fd);
    if (c->log_max_files == 1)
        unlink(c->log_path);
    for (uint32_t i = c->log_max_files - 1; i >= 1; i--) {
        snprintf(from, sizeof from, i == 1 ? "%s" : "%s.%u", c->log_path, i - 1);
        snprintf(to, sizeof to, "%s.%u", c->log_path, i);
        rename(from, to); /* ENOENT: fewer files so far */
    }
    log_open(c);
}

static void journal_send(int s, const unsigned char *p, size_t n, int partial)
{
    static const char *const priority[2] = {"PRIORITY=6\n", "PRIORITY=3\n"}; /* info, err: as Docker's journald driver */
    const char *end = partial ? "\nISLANDER_PARTIAL_MESSAGE=true\n" : "\n";
    struct iovec iov[] = {
        {"MESSAGE=", 8}, {(void *)p, n}, {"\n", 1}, {(void *)priority[s], 11},
        {journal_fields, (size_t)journal_fields_len}, {"ISLANDER_STREAM=", 16}, {(void *)stream_names[s], 6}, {(void *)end, strlen(end)},
    };
    struct msghdr msg = {.msg_name = &journal_addr, .msg_namelen = sizeof journal_addr, .msg_iov = iov, .msg_iovlen = 8};
    while (sendmsg(journal_fd, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {
        /* journald gone or full: the line is dropped, as a failed write to log.json is */
    }
}

static void emit(const struct config *c, int s, const unsigned char *p, size_t n, int newline, const char *ts)
{
    if (journal_fd >= 0) {
        journal_send(s, p, n, !newline);
        return;
    }
    if (log_fd < 0)
        log_open(c); /* the state directory was gone a moment ago */
    out_counting = 1, out_count = 0;
    out_entry(s, p, n, newline, ts);
    out_counting = 0;
    if (log_size + out_len > 0 && log_size + out_len + out_count > c->log_max_size) {
        out_flush();
        log_rotate(c);
    }
    out_entry(s, p, n, newline, ts);
}

/* Writes n decimal digits of v, zero-padded (no snprintf: its stack is most of what a busy shim touches). */
static char *digits(char *p, long v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + n;
}

/* RFC 3339 with nanoseconds, UTC, fixed width as Docker's json-file (RFC3339NanoFixed): 30 bytes and a NUL. */
static void timestamp(char *buf)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char *p = digits(buf, tm.tm_year + 1900, 4);
    *p++ = '-', p = digits(p, tm.tm_mon + 1, 2), *p++ = '-', p = digits(p, tm.tm_mday, 2);
    *p++ = 'T', p = digits(p, tm.tm_hour, 2), *p++ = ':', p = digits(p, tm.tm_min, 2), *p++ = ':', p = digits(p, tm.tm_sec, 2);
    *p++ = '.', p = digits(p, ts.tv_nsec, 9), *p++ = 'Z', *p = 0;
}

/* ---- shim: attach ------------------------------------------------------------------------- */

/*
 * The isle's terminal or stdin, served to attach clients (the daemon, one connection per `islanderctl attach`) on a
 * unix socket in the isle's run directory, as conmon serves its attach socket: the shim holds the PTY master or the
 * stdin pipe's write end, so the isle keeps them across daemon restarts. SOCK_SEQPACKET: one message is one frame
 * (Docker's stream header: u8 stream, 3 zero bytes, u32 big-endian length, data), so nothing is ever half-read or
 * half-sent. Clients send 0 stdin, 4 resize (u16 rows, u16 cols, big endian: the daemon parses the JSON), 5 stdin
 * closed; the shim sends 1 stdout, 2 stderr (a tty's output is all stdout) and 3 exit (the status file's text). Output
 * is read only while every client has taken the last chunk: a slow client holds the isle's output back (back-pressure
 * on the pipe or PTY, as Docker's attach), never loses part of it; stdin waits likewise while the isle does not read.
 */
#define ATTACH_MAX 4
#define FRAME_MAX (8 + LOG_LINE_MAX)
static int attach_fd = -1, tty_master = -1, stdin_fd = -1, open_stdin;
static struct {
    int fd;
    size_t pend; /* bytes of buf not sent yet (a whole frame: SOCK_SEQPACKET sends all or nothing) */
    unsigned char buf[FRAME_MAX];
} clients[ATTACH_MAX] = {[0 ... ATTACH_MAX - 1] = {.fd = -1}};
static unsigned char stdin_buf[FRAME_MAX];
static size_t stdin_len, stdin_off;

static void attach_open(const struct config *c)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", c->attach_path);
    unlink(addr.sun_path); /* an earlier run's */
    attach_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t old = umask(0177); /* 0600 from the start: connect(2) needs write permission, root's alone */
    if (attach_fd >= 0 && (bind(attach_fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(attach_fd, ATTACH_MAX) < 0))
        close(attach_fd), attach_fd = -1; /* the isle runs on without attach; the daemon then says it cannot connect */
    umask(old);
}

static void attach_drop(int i)
{
    close(clients[i].fd);
    clients[i].fd = -1, clients[i].pend = 0;
}

static void attach_send(int i, int stream, const void *data, size_t n)
{
    unsigned char *b = clients[i].buf;
    b[0] = (unsigned char)stream, b[1] = b[2] = b[3] = 0;
    b[4] = (unsigned char)(n >> 24), b[5] = (unsigned char)(n >> 16), b[6] = (unsigned char)(n >> 8), b[7] = (unsigned char)n;
    memcpy(b + 8, data, n);
    clients[i].pend = 8 + n;
    if (send(clients[i].fd, b, clients[i].pend, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
        clients[i].pend = 0;
    else if (errno != EAGAIN && errno != EINTR)
        attach_drop(i);
}

/* Sends what clients hold back, waiting up to timeout_ms for each (0: not at all); drops a client that cannot take it
 * in that time. Returns whether some client still holds output back. */
static int attach_flush(int timeout_ms)
{
    int pending = 0;
    for (int i = 0; i < ATTACH_MAX; i++) {
        struct pollfd p = {.fd = clients[i].fd, .events = POLLOUT};
        if (!clients[i].pend)
            continue;
        if (timeout_ms && poll(&p, 1, timeout_ms) <= 0)
            attach_drop(i);
        else if (send(clients[i].fd, clients[i].buf, clients[i].pend, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
            clients[i].pend = 0;
        else if (timeout_ms || (errno != EAGAIN && errno != EINTR))
            attach_drop(i);
        pending |= clients[i].pend > 0;
    }
    return pending;
}

static int attach_held(void)
{
    for (int i = 0; i < ATTACH_MAX; i++)
        if (clients[i].pend)
            return 1;
    return 0;
}

static void attach_output(int s, const void *data, size_t n)
{
    for (int i = 0; i < ATTACH_MAX; i++)
        if (clients[i].fd >= 0 && !clients[i].pend)
            attach_send(i, tty_master >= 0 ? 1 : s + 1, data, n);
}

static int stdin_target(void) { return tty_master >= 0 ? tty_master : stdin_fd; }

/* Writes what stdin_buf holds as far as the isle takes it now; the rest waits for POLLOUT. */
static void stdin_write(void)
{
    while (stdin_off < stdin_len) {
        ssize_t n = write(stdin_target(), stdin_buf + stdin_off, stdin_len - stdin_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0)
            break; /* EPIPE, EIO: the isle closed its stdin; what it did not read is dropped */
        stdin_off += (size_t)n;
    }
    stdin_len = stdin_off = 0;
}

/* One frame from client i (read only while stdin_buf is free). */
static void attach_input(int i)
{
    static unsigned char f[FRAME_MAX];
    ssize_t n = recv(clients[i].fd, f, sizeof f, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 8) {
        attach_drop(i); /* EOF (detached, or the daemon went away), or not a frame */
        return;
    }
    size_t len = (size_t)f[4] << 24 | (size_t)f[5] << 16 | (size_t)f[6] << 8 | f[7];
    if (len != (size_t)n - 8 || f[1] || f[2] || f[3]) {
        attach_drop(i);
        return;
    }
    if (f[0] == 0 && open_stdin && stdin_target() >= 0) {
        memcpy(stdin_buf, f + 8, len);
        stdin_len = len, stdin_off = 0;
        stdin_write();
    } else if (f[0] == 4 && tty_master >= 0 && len == 4) {
        struct winsize ws = {.ws_row = (unsigned short)(f[8] << 8 | f[9]), .ws_col = (unsigned short)(f[10] << 8 | f[11])};
        ioctl(tty_master, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the foreground process group */
    } else if (f[0] == 5 && open_stdin && tty_master >= 0) {
        struct termios t; /* a terminal has no EOF of its own: its VEOF character (Ctrl-D) ends a read, as typed */
        if (tcgetattr(tty_master, &t) == 0 && write(tty_master, &t.c_cc[VEOF], 1) < 0) {
            /* the isle's terminal is gone: nothing to end */
        }
    } else if (f[0] == 5 && open_stdin && stdin_fd >= 0) {
        close(stdin_fd), stdin_fd = -1; /* EOF for the isle (docker run -i's stdin-once, as the client asks) */
    }
}

/* Adds the listener, stdin and the clients to p (from index n); returns the new count. */
static int attach_poll_fds(struct pollfd *p, int n)
{
    p[n++] = (struct pollfd){.fd = attach_fd, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = stdin_len ? stdin_target() : -1, .events = POLLOUT};
    for (int i = 0; i < ATTACH_MAX; i++)
        p[n++] = (struct pollfd){.fd = clients[i].fd, .events = (short)((stdin_len ? 0 : POLLIN) | (clients[i].pend ? POLLOUT : 0))};
    return n;
}

static void attach_events(const struct pollfd *p)
{
    if (p[0].revents) {
        int fd = accept4(attach_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), i = 0;
        while (fd >= 0 && i < ATTACH_MAX && clients[i].fd >= 0)
            i++;
        if (fd >= 0 && i == ATTACH_MAX)
            close(fd); /* full: the daemon hears EOF at once */
        else if (fd >= 0)
            clients[i].fd = fd;
    }
    if (p[1].revents)
        stdin_write();
    for (int i = 0; i < ATTACH_MAX; i++) {
        short r = p[2 + i].revents;
        if (r & POLLOUT)
            attach_flush(0);
        if (clients[i].fd >= 0 && (r & (POLLIN | POLLHUP | POLLERR)) && !stdin_len)
            attach_input(i);
        else if (clients[i].fd >= 0 && (r & (POLLHUP | POLLERR)))
            attach_drop(i); /* gone while the isle was not reading its stdin: what it sent is dropped */
    }
}

/* One read from stream s: its complete lines become entries. 1: read something, 0: nothing now, -1: EOF. */
static int pump(const struct config *c, int s, int fd)
{
    ssize_t n;
    do
        n = read(fd, line_buf[s] + line_len[s], LOG_LINE_MAX - line_len[s]);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN)
        return 0;
    char ts[32];
    timestamp(ts);
    if (n <= 0) { /* EOF: the rest of a line without its newline */
        if (line_len[s])
            emit(c, s, line_buf[s], line_len[s], 0, ts);
        line_len[s] = 0;
        return -1;
    }
    attach_output(s, line_buf[s] + line_len[s], (size_t)n);
    unsigned char *start = line_buf[s], *end = start + line_len[s] + n, *nl;
    while ((nl = memchr(start, '\n', (size_t)(end - start))) != NULL) {
        emit(c, s, start, (size_t)(nl - start), 1, ts);
        start = nl + 1;
    }
    line_len[s] = (size_t)(end - start);
    if (line_len[s] == LOG_LINE_MAX) { /* a long line: this part now, the rest as the next entries */
        emit(c, s, start, line_len[s], 0, ts);
        line_len[s] = 0;
    } else if (start != line_buf[s]) {
        memmove(line_buf[s], start, line_len[s]);
    }
    return 1;
}

/*
 * Copies the isle's output until init has ended and the pipes are drained, reaping the isle's orphans (the shim is
 * their subreaper) as SIGCHLD comes. SIGCHLD was blocked before init was cloned, so none is missed. Returns init's
 * wait status.
 */
static int copy_output(const struct config *c, pid_t init, int out, int err, const sigset_t *chld)
{
    if (c->log_journal) {
        journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        journal_addr.sun_family = AF_UNIX;
        snprintf(journal_addr.sun_path, sizeof journal_addr.sun_path, "%s", c->log_journal);
        journal_fields_len = snprintf(journal_fields, sizeof journal_fields, "SYSLOG_IDENTIFIER=%.63s\nISLANDER_ISLE=%.63s\n",
                                      c->log_name, c->log_name);
    } else {
        log_open(c);
    }
    /* Non-blocking: a SIGCHLD poll reported may already be consumed by the waitpid loop's next turn. */
    int sfd = signalfd(-1, chld, SFD_CLOEXEC | SFD_NONBLOCK), fd[2] = {out, err};
    int status = 0, ended = 0;
    while (fd[0] >= 0 || fd[1] >= 0) {
        pid_t w;
        while (!ended && (w = waitpid(-1, &status, WNOHANG)) > 0)
            ended = w == init;
        /* While a client holds output back, the isle's output is not read (never polled: a pipe's POLLHUP would wake
         * the loop for nothing); once init has ended, each client gets a few seconds to take what is left. */
        int held = ended ? attach_flush(5000) : attach_flush(0);
        struct pollfd fds[5 + ATTACH_MAX] = {{.fd = held ? -1 : fd[0], .events = POLLIN}, {.fd = held ? -1 : fd[1], .events = POLLIN},
                                             {.fd = sfd, .events = POLLIN}};
        int n = attach_poll_fds(fds, 3);
        if (!ended && poll(fds, (nfds_t)n, -1) < 0 && errno != EINTR)
            break;
        if (ended) /* none is stale when init has ended and poll is not called */
            for (int i = 0; i < n; i++)
                fds[i].revents = 0;
        for (int s = 0; s < 2; s++) {
            /* Once init has ended, what the pipes hold now is the rest: with a PID namespace every process of the
             * isle is gone; without one a process may still hold them, and is not waited for. */
            int r;
            for (;;) {
                r = fd[s] >= 0 && (ended || fds[s].revents) && !attach_held() ? pump(c, s, fd[s]) : 0;
                if (!ended || r <= 0)
                    break;
                attach_flush(5000); /* each client takes this chunk, or is dropped, before the next is read */
            }
            if (r < 0 || (ended && fd[s] >= 0)) {
                close(fd[s]);
                fd[s] = -1;
            }
        }
        out_flush(); /* what this wake read is on disk before the next wait: a reader sees a line as it is written */
        attach_events(fds + 3);
        if (fds[2].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) < 0) {
                /* nothing to read after all: waitpid above tells */
            }
        }
    }
    if (attach_fd >= 0) { /* before the status file: the next run's shim makes its own after that */
        close(attach_fd);
        unlink(c->attach_path);
    }
    for (int s = 0; s < 2; s++)
        if (line_len[s]) { /* left by an isle that ended mid-line with its output still held elsewhere */
            char ts[32];
            timestamp(ts);
            emit(c, s, line_buf[s], line_len[s], 0, ts);
        }
    out_flush();
    while (!ended) { /* the isle closed its stdout and stderr but runs on */
        pid_t w = waitpid(-1, &status, 0);
        if (w < 0 && errno != EINTR)
            _exit(1);
        ended = w == init;
    }
    return status;
}

/* ---- shim ---------------------------------------------------------------------------------- */

/* The "oom_kill N" counter of the isle's memory cgroup; 0 when absent. */
static long oom_kills(const char *path)
{
    char buf[4096];
    if (!path)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    for (char *line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, "oom_kill ", 9) == 0)
            return atol(line + 9);
    return 0;
}

/* The status file's text, also the attach clients' exit frame. */
static char status_text[256];

/* Atomic: a reader sees no file or a whole one (written to .tmp, then renamed). */
static void write_status(const struct config *c, int status, int64_t started_ms, long oom_before)
{
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    /* Docker's State.OOMKilled and Kubernetes' reason: any OOM kill in the isle's group during this run, whichever
     * process the kernel chose (often a child, while init goes on and exits as it likes; sh says 137 then). The counter
     * is the cgroup's, which outlives a run, so compare with its value when this run started. */
    int oom = oom_kills(c->oom_path) > oom_before;
    char tmp[4096], *buf = status_text;
    snprintf(tmp, sizeof tmp, "%s.tmp", c->status_path);
    int n = snprintf(buf, sizeof status_text, "exitCode=%d\nsignal=%d\noomKilled=%d\nstartedAt=%lld\nfinishedAt=%lld\n",
                     code, sig, oom, (long long)started_ms, (long long)now_ms());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return; /* the run directory is gone: nobody wants the status */
    write_all(fd, buf, (size_t)n);
    if (!c->status_unsynced) /* on a run directory on disk: the exit code outlives a host crash for the daemon to read */
        fsync(fd);
    close(fd);
    if (rename(tmp, c->status_path) < 0)
        unlink(tmp);
}

/* Receives one fd sent with SCM_RIGHTS; -1 on EOF (the sender ended first). */
static int recv_fd(int sock)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    char byte;
    struct iovec iov = {&byte, 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
    int fd = -1;
    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

/* The host's /proc, opened by the launcher: in exec mode "/proc" is the isle's, where host pids mean nothing. */
static int host_proc = -1;

/* True while `pid` still runs isle-init (it died before execve, or never got there). */
static int still_isle_init(pid_t pid)
{
    char path[64], comm[32] = {0};
    snprintf(path, sizeof path, "%d/comm", pid);
    int fd = openat(host_proc, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 1;
    ssize_t n = read(fd, comm, sizeof comm - 1);
    close(fd);
    /* Any stage name: init may die before it has even renamed itself from "islander:shim". */
    return n <= 0 || strncmp(comm, "islander:", 9) == 0;
}

/* Reads the child's CLOEXEC error pipe to EOF and reports ERROR (its record) or STARTED.
 * Returns whether the child's execve succeeded. */
static int relay_start(int errfd, pid_t child)
{
    char buf[4608];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(errfd, buf + got, sizeof buf - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || (got += (size_t)r) == sizeof buf - 1)
            break;
    }
    close(errfd);
    if (got > 0) {
        write_all(FD_REPORT, buf, got); /* the child's "ERROR ..." record, as is */
        return 0;
    }
    if (still_isle_init(child)) {
        int n = snprintf(buf, sizeof buf, REPORT_ERROR " init\t\t%d\n", ESRCH); /* killed before execve, without a word */
        write_all(FD_REPORT, buf, (size_t)n);
        return 0;
    }
    write_all(FD_REPORT, REPORT_STARTED "\n", sizeof REPORT_STARTED);
    return 1;
}

/* What init takes over from the shim as its 0-2, its console socket and its error pipe (-1: none). */
struct init_fds {
    int out, err, in, console, errpipe;
};

static void __attribute__((noreturn)) init_child(const struct config *c, const struct init_fds *f)
{
    if (f->out >= 0) {
        check(dup2(f->out, 1), "dup2", "stdout");
        check(dup2(f->err, 2), "dup2", "stderr");
    }
    if (f->in >= 0)
        check(dup2(f->in, 0), "dup2", "stdin");
    console_fd = f->console;
    err_fd = f->errpipe;
    keep_only_own_fds(c); /* FD_REPORT, host_proc, the error pipe's read end, the log pipes, the cgroup's fd */
    init_main(c);
}

/* clone3's arguments (linux/sched.h's struct clone_args, up to cgroup: CLONE_ARGS_SIZE_VER2). */
struct clone3_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* clone3 with no stack: fork semantics (as crun's syscall_clone) with FLAGS, and with a cgroup2 group's fd, the child
 * starts in that group (CLONE_INTO_CGROUP): no write to cgroup.procs, so no wait for the kernel's threadgroup lock (see
 * start_init). */
static pid_t clone_into(uint64_t flags, int cgroup)
{
    struct clone3_args args = {.flags = flags};
    /* CLONE_PARENT: the kernel takes the exit signal from the caller's (SIGCHLD) and refuses another. */
    if (!(flags & CLONE_PARENT))
        args.exit_signal = SIGCHLD;
    if (cgroup >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup;
    }
    return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

/* The isle's cgroup2 directory (O_PATH, CLOEXEC) for clone_into; -1 without one. */
static int open_cgroup_dir(const struct config *c)
{
    if (!c->cgroup_dir)
        return -1;
    int fd = open(c->cgroup_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    check(fd, "open", c->cgroup_dir);
    return fd;
}

/* The isle's v1 tasks files (CLOEXEC), opened where the host's cgroupfs is seen; the caller frees the array. */
static int *open_cgroup_tasks(const struct config *c)
{
    int *fds = calloc(c->ncgroup_tasks + 1, sizeof *fds);
    if (!fds)
        fail("malloc", "cgroup tasks");
    for (size_t i = 0; i < c->ncgroup_tasks; i++) {
        fds[i] = open(c->cgroup_tasks[i], O_WRONLY | O_CLOEXEC);
        check(fds[i], "open", c->cgroup_tasks[i]);
    }
    return fds;
}

/* Moves the calling (single-threaded) process into the isle's v1 groups by writing "0" to each tasks file, which does
 * not take the threadgroup lock (start_init), and closes the files. */
static void join_cgroup_tasks(const struct config *c, int *fds)
{
    for (size_t i = 0; i < c->ncgroup_tasks; i++) {
        check(write(fds[i], "0", 1), "write", c->cgroup_tasks[i]);
        close(fds[i]);
    }
}

/* Clones init into the isle's namespaces (CLONE_NEWCGROUP waits until init is in its groups: init unshares it after
 * SYNC_GO), and into its cgroup2 group when it has one. Returns init's pid. */
static pid_t clone_init(const struct config *c, const struct init_fds *f, uint64_t extra)
{
    int cgroup = open_cgroup_dir(c);
    pid_t init = clone_into((c->namespaces & ~(uint64_t)CLONE_NEWCGROUP) | extra, cgroup);
    check(init, "clone3", c->cgroup_dir);
    if (init == 0)
        init_child(c, f);
    if (cgroup >= 0)
        close(cgroup);
    return init;
}

/*
 * Starts init in the isle's cgroups without the wait a placement from outside costs. Writing another process's pid to
 * a cgroup.procs (or tasks) file takes the kernel's global threadgroup lock for writing, and the first writer after a
 * quiet spell waits for an RCU grace period: 10-15 ms a start on a v1 host. A single-threaded process that moves itself
 * (writes "0" to a v1 hierarchy's tasks file) does not take that lock, and CLONE_INTO_CGROUP places a new process in a
 * cgroup2 group without it. So on v1, a helper forked from the shim (root in the host's namespaces, as the daemon
 * that wrote the pid before) joins the isle's v1 groups itself, clones init there as the shim's child (CLONE_PARENT),
 * hands its pid over and exits; init inherits the groups. Without v1 groups the shim clones init directly. Returns
 * init's pid; -1 when the helper failed before cloning it (its ERROR record is in the error pipe).
 */
static pid_t start_init(const struct config *c, const struct init_fds *f)
{
    if (!c->ncgroup_tasks)
        return clone_init(c, f, 0);
    int pidpipe[2];
    check(pipe2(pidpipe, O_CLOEXEC), "pipe2", "init pid");
    pid_t helper = fork();
    check(helper, "fork", NULL);
    if (helper == 0) {
        prctl(PR_SET_NAME, "islander:join");
        err_fd = f->errpipe;
        close(pidpipe[0]);
        join_cgroup_tasks(c, open_cgroup_tasks(c));
        pid_t init = clone_init(c, f, CLONE_PARENT);
        write_all(pidpipe[1], (const char *)&init, sizeof init);
        _exit(0);
    }
    close(pidpipe[1]);
    pid_t init = -1;
    ssize_t n;
    do
        n = read(pidpipe[0], &init, sizeof init);
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof init)
        init = -1;
    close(pidpipe[0]);
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR) {
    }
    return init;
}

static void __attribute__((noreturn)) shim_main(const struct config *c)
{
    prctl(PR_SET_NAME, "islander:shim");
    /* A dying terminal or daemon must not take the isle down. */
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    check(setsid(), "setsid", NULL);
    check(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl", "PR_SET_CHILD_SUBREAPER");

    /* The isle's stdout and stderr, when the shim logs them (copy_output); made before the error pipe, which
     * keep_only_own_fds needs to be init's highest fd. */
    int logging = c->log_path || c->log_journal, outpipe[2] = {-1, -1}, errout[2] = {-1, -1};
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    int console[2] = {-1, -1}, inpipe[2] = {-1, -1};
    if (logging && !c->tty) {
        check(pipe2(outpipe, O_CLOEXEC), "pipe2", "stdout");
        check(pipe2(errout, O_CLOEXEC), "pipe2", "stderr");
    }
    if (logging)
        check(sigprocmask(SIG_BLOCK, &chld, NULL), "sigprocmask", "SIGCHLD"); /* init's mask is emptied before execve */
    if (c->open_stdin && !c->tty)
        check(pipe2(inpipe, O_CLOEXEC), "pipe2", "stdin");
    if (c->tty)
        check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, console), "socketpair", "console");
    /* init reports a failure here; EOF without a record means execve succeeded (.NET's
     * Process.Start uses the same CLOEXEC pipe trick). */
    int errpipe[2];
    check(pipe2(errpipe, O_CLOEXEC), "pipe2", NULL);
    struct init_fds fds = {.out = outpipe[1], .err = errout[1], .in = inpipe[0], .console = console[1], .errpipe = errpipe[1]};
    pid_t init = start_init(c, &fds);
    close(errpipe[1]);
    if (init < 0) { /* the helper failed before init existed: its record is in the error pipe */
        relay_start(errpipe[0], -1);
        _exit(0);
    }
    if (outpipe[0] >= 0) {
        close(outpipe[1]), close(errout[1]);
        check(fcntl(outpipe[0], F_SETFL, O_NONBLOCK), "fcntl", "stdout");
        check(fcntl(errout[0], F_SETFL, O_NONBLOCK), "fcntl", "stderr");
    }
    if (inpipe[0] >= 0) {
        close(inpipe[0]);
        stdin_fd = inpipe[1];
        check(fcntl(stdin_fd, F_SETFL, O_NONBLOCK), "fcntl", "stdin");
    }
    if (console[1] >= 0)
        close(console[1]);
    open_stdin = c->open_stdin;
    close(FD_CONTROL);
    if (c->rootfs_mount)
        close(FD_ROOTFS); /* init's alone */
    if (c->nsource_fds)
        check(close_range(FD_VOLUMES, FD_VOLUMES + (unsigned)c->nsource_fds - 1, 0), "close_range", "volumes"); /* init's too */

    char buf[4608];
    int n = snprintf(buf, sizeof buf, REPORT_PID " %d %d\n", init, getpid());
    write_all(FD_REPORT, buf, (size_t)n);
    /* Before init can run at all: an OOM kill during its setup must count too. */
    long oom_before = oom_kills(c->oom_path);

    if (c->tty) { /* init sends the master before it execs; EOF: it failed before, and its error pipe says why */
        tty_master = recv_fd(console[0]);
        close(console[0]);
        if (tty_master >= 0)
            check(fcntl(tty_master, F_SETFL, O_NONBLOCK), "fcntl", "tty");
        outpipe[0] = tty_master;
    }
    if (c->attach_path)
        attach_open(c); /* after init is cloned, so init never has it; before STARTED, so it is there once the isle runs */
    int64_t started_ms = relay_start(errpipe[0], init) ? now_ms() : 0;
    close(FD_REPORT);
    close(host_proc);

    /* As subreaper we also collect the isle's orphans (no PID namespace); the status is init's. */
    int status;
    if (logging)
        status = copy_output(c, init, outpipe[0], errout[0], &chld);
    else
        for (;;) {
            pid_t w = waitpid(-1, &status, 0);
            if (w == init)
                break;
            if (w < 0 && errno != EINTR)
                _exit(1);
        }
    /* Only an isle that started has a status: the daemon learnt of a failed start from the
     * report already, and a late file from an aborted attempt could be taken for a retry's. */
    if (started_ms)
        write_status(c, status, started_ms, oom_before);
    for (int i = 0; i < ATTACH_MAX; i++) /* the exit frame: clients hear how PID 1 ended */
        if (clients[i].fd >= 0)
            attach_send(i, 3, status_text, strlen(status_text));
    attach_flush(5000);
    _exit(0);
}

/* ---- exec ---------------------------------------------------------------------------------- */

static void __attribute__((noreturn)) exec_child(const struct config *c, int last_cap, int slave)
{
    if (slave >= 0)
        take_terminal(c, slave);
    keep_only_own_fds(c); /* FD_REPORT, host_proc, the error pipe's read end */
    wait_sync(0);
    /* setns put cwd and root at the isle's "/"; the isle's working directory or -w must exist. */
    enter_workdir(c->workdir);
    confine_and_exec(c, last_cap, 0);
}

/* The launcher in exec mode: joins the isle, forks its process and stays its parent. */
static void __attribute__((noreturn)) exec_main(const struct config *c)
{
    prctl(PR_SET_NAME, "islander:exec");
    /* Non-dumpable before the child exists, which inherits it: the child is in the isle's PID namespace, where its
     * /proc/PID/fd would show the isle the host's cgroupfs fds below until it has joined its groups (CVE-2024-21626),
     * and an isle granted CAP_SYS_PTRACE passes the capability rule (wait_sync comes later). */
    check(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl", "PR_SET_DUMPABLE");
    int last_cap = read_cap_last_cap(); /* the host's /proc, before the isle's mount namespace */
    int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)c->exec_pid, 0);
    check(pidfd, "pidfd_open", "isle init");
    /* The process starts in the isle's groups by itself, as init does (start_init): the files are opened here, where
     * the host's cgroupfs is seen; the child writes "0" to the v1 tasks files and is cloned into the cgroup2 group. A
     * process of another cgroup namespace may not be cloned into that group, so the child joins the isle's cgroup
     * namespace only once it is in it. */
    int *tasks = open_cgroup_tasks(c), cgroup = open_cgroup_dir(c);
    uint64_t cgroupns_later = cgroup >= 0 ? c->namespaces & (uint64_t)CLONE_NEWCGROUP : 0;
    /* All at once, user namespace first (Linux 5.8). CLONE_NEWPID applies to children only. */
    check(setns(pidfd, (int)(c->namespaces & ~cgroupns_later)), "setns", "isle init");

    /* The master goes to the daemon (which reads and writes it, and sets the window size on it) rather than through
     * a relay here: one hop less per keystroke, and this launcher stays a waiting parent with no buffers of its own.
     * It is sent before the PID report, so the daemon has it before the process can run. */
    int master = -1, slave = -1;
    if (c->exec_tty) {
        open_isle_pty(&master, &slave);
        send_console(FD_CONSOLE, master);
    }

    int errpipe[2];
    check(pipe2(errpipe, O_CLOEXEC), "pipe2", NULL);
    pid_t child = clone_into(0, cgroup);
    check(child, "clone3", c->cgroup_dir);
    if (child == 0) {
        err_fd = errpipe[1];
        join_cgroup_tasks(c, tasks);
        if (cgroupns_later)
            check(setns(pidfd, (int)cgroupns_later), "setns", "isle cgroup namespace");
        close(pidfd);
        if (cgroup >= 0)
            close(cgroup);
        exec_child(c, last_cap, slave);
    }
    for (size_t i = 0; i < c->ncgroup_tasks; i++)
        close(tasks[i]);
    free(tasks);
    if (cgroup >= 0)
        close(cgroup);
    close(pidfd);
    close(errpipe[1]);
    if (slave >= 0)
        close(slave);
    /* The process's stdio are the daemon's pipes: only the process may hold them, so they end with it. */
    close(0), close(1), close(2);
    int childfd = (int)syscall(SYS_pidfd_open, child, 0);
    check(childfd, "pidfd_open", "exec process");
    char buf[128];
    int n = snprintf(buf, sizeof buf, REPORT_PID " %d %d\n", child, getpid());
    write_all(FD_REPORT, buf, (size_t)n);

    /* The child has read SYNC_GO (or EOF) by the time it execs or fails: the pipe is ours again. */
    int started = relay_start(errpipe[0], child);
    close(host_proc);
    struct pollfd fds[2] = {{.fd = childfd, .events = POLLIN}, {.fd = FD_CONTROL, .events = POLLIN}};
    while (started) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents) /* the process ended */
            break;
        if (fds[1].revents) { /* EOF (or anything): the daemon cancelled the exec, or died */
            syscall(SYS_pidfd_send_signal, childfd, SIGKILL, NULL, 0);
            fds[1].fd = -1;
        }
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            _exit(1);
    n = snprintf(buf, sizeof buf, REPORT_EXIT " %d %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 0,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    write_all(FD_REPORT, buf, (size_t)n);
    _exit(0);
}

/* ---- launcher ------------------------------------------------------------------------------ */

int main(void)
{
    prctl(PR_SET_NAME, "islander:launch");
    struct config c;
    read_config(FD_CONTROL, &c); /* opens nothing */
    /* The daemon's fds are all CLOEXEC and posix_spawn set 0 up to the last volume's; make sure anyway. */
    check(close_range(FD_VOLUMES + (unsigned)c.nsource_fds, ~0U, 0), "close_range", NULL);
    if (!c.rootfs_mount && !c.exec_tty)
        close(FD_ROOTFS); /* none was passed: nothing there, or nothing that is ours (FD_CONSOLE shares the number) */
    host_proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    check(host_proc, "open", "/proc");
    if (c.exec_pid)
        exec_main(&c);

    pid_t shim = fork();
    check(shim, "fork", NULL);
    if (shim == 0)
        shim_main(&c);
    /* Exit at once: the daemon reaps us and the shim is reparented, not the daemon's child. */
    return 0;
}
