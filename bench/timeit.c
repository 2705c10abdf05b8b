/* timeit.c - runs one command and prints its wall time in seconds and the
 * peak RSS in KB of its largest process: "SECONDS KB". bench/run times every
 * command with it. The clock starts just before the exec and stops when the
 * command has been reaped, so what is timed is the command's own process
 * (its start, its work, its exit) and not a shell or GNU time around it,
 * which added about 8 ms to every run and hid short commands like a search.
 * As perf stat does, the fork happens before the clock starts: the child
 * waits on a pipe and execs the command when the clock is running (a fork
 * costs 1.5 ms on the VM the benchmark was made on, and is the caller's).
 *
 *   timeit OUT ERR CMD [ARGS...]   stdout to OUT, stderr appended to ERR */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    int status = 0, out, err, go[2];
    char c;
    pid_t pid;

    if (argc < 4) {
        fprintf(stderr, "usage: timeit OUT ERR CMD [ARGS...]\n");
        return 2;
    }
    out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    err = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0 || err < 0 || pipe2(go, O_CLOEXEC) != 0) {
        perror("timeit");
        if (out >= 0)
            close(out);
        if (err >= 0)
            close(err);
        return 2;
    }
    pid = fork();
    if (pid == 0) {
        close(go[1]);
        dup2(out, 1);
        dup2(err, 2);
        if (read(go[0], &c, 1) != 0)    /* the parent's close: the clock runs */
            _exit(127);
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    close(go[0]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    close(go[1]);
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        status = -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(out);
    close(err);
    if (status == -1) {
        perror("timeit");
        return 2;
    }
    /* the children's peak: the command's largest process, as GNU time's %M */
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("%.6f %ld\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           ru.ru_maxrss);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
