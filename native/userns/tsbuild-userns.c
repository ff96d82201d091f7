/*
 * tsbuild-userns: runs a command as root of a new user namespace (plus a mount namespace)
 * mapped the way rootless Podman maps it: 0 -> the calling user, 1..N -> the user's range in
 * /etc/subuid and /etc/subgid.
 *
 *   tsbuild-userns UID SUBUID COUNT GID SUBGID COUNT -- PROGRAM ARG...
 *
 * An unprivileged process may only map its own id into a namespace it creates; the range of
 * subordinate ids needs the setuid helpers newuidmap/newgidmap (Debian `uidmap`), and they
 * must write the maps of *another* process. So this forks: the child unshares and waits, the
 * parent maps the child's namespace, then the child becomes root there and execs PROGRAM.
 * The parent stays to pass on SIGTERM/SIGHUP and the child's exit status. SIGINT and SIGQUIT
 * from a terminal already reach the child (same process group), so they are not forwarded.
 *
 * Exit status 125 and one line starting with "tsbuild-userns:" when the namespace cannot be
 * made, written to fd 3 when the caller opened it (so the caller can explain it; newuidmap's
 * own complaints go there too), else to stderr. Otherwise the command's status (128+n when
 * killed by signal n). fd 3 is closed before PROGRAM runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define ERR_FD 3

static int err_fd = STDERR_FILENO;

static void fail(const char *what) {
  dprintf(err_fd, "tsbuild-userns: %s: %s\n", what, strerror(errno));
  _exit(125);
}

static pid_t child;

static void forward(int sig) {
  if (child > 0) kill(child, sig);
}

/* Runs newuidmap/newgidmap PID 0 ID 1 1 SUB COUNT; returns its exit status. */
static int run_map(const char *tool, pid_t pid, const char *id, const char *sub, const char *count) {
  char pidstr[16];
  snprintf(pidstr, sizeof pidstr, "%d", pid);
  pid_t p = fork();
  if (p < 0) fail("fork");
  if (p == 0) {
    if (err_fd != STDERR_FILENO) dup2(err_fd, STDERR_FILENO);
    execlp(tool, tool, pidstr, "0", id, "1", "1", sub, count, (char *)NULL);
    dprintf(err_fd, "tsbuild-userns: %s: %s\n", tool, strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(p, &st, 0) < 0)
    if (errno != EINTR) fail("waitpid");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv) {
  if (argc < 9 || strcmp(argv[7], "--") != 0) {
    fprintf(stderr, "usage: tsbuild-userns UID SUBUID COUNT GID SUBGID COUNT -- PROGRAM ARG...\n");
    return 125;
  }
  if (fcntl(ERR_FD, F_SETFD, FD_CLOEXEC) == 0) err_fd = ERR_FD;
  int ready[2], go[2];
  if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) fail("pipe");
  pid_t parent = getpid();
  child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(137);
    close(ready[0]);
    close(go[1]);
    char ok = unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 ? 1 : 0;
    int err = errno;
    if (write(ready[1], &ok, 1) != 1) _exit(125);
    if (!ok) {
      errno = err;
      fail("unshare(CLONE_NEWUSER)");
    }
    char mapped = 0;
    if (read(go[0], &mapped, 1) != 1 || !mapped) _exit(125);
    /* Root of the new namespace: the ids the mapping gave us, and with them every capability
     * there. */
    if (setresgid(0, 0, 0) < 0) fail("setresgid");
    if (setresuid(0, 0, 0) < 0) fail("setresuid");
    execvp(argv[8], argv + 8);
    fail(argv[8]);
  }
  close(ready[1]);
  close(go[0]);
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGTERM, forward);
  signal(SIGHUP, forward);
  char ok = 0;
  if (read(ready[0], &ok, 1) != 1 || !ok) {
    int st;
    waitpid(child, &st, 0);
    return 125;
  }
  char mapped = run_map("newuidmap", child, argv[1], argv[2], argv[3]) == 0 &&
                run_map("newgidmap", child, argv[4], argv[5], argv[6]) == 0;
  if (write(go[1], &mapped, 1) != 1) mapped = 0;
  close(go[1]);
  int st;
  while (waitpid(child, &st, 0) < 0)
    if (errno != EINTR) fail("waitpid");
  if (!mapped) return 125;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
