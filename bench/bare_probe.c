/* bare_probe: the floor for `reel index --no-thumbs`. For every file named on standard
 * input (one path a line): avformat_open_input + avformat_find_stream_info +
 * avformat_close_input, and with --hash first a SHA-256 of the whole file through OpenSSL's
 * EVP interface (1 MiB reads), as reel's workers do. Nothing is stored or printed per file.
 *
 *   bare_probe [-j N] [--hash] < LIST
 *
 * -j N forks N processes (default 2), file i going to process i mod N. Prints one line:
 * "files F, failed X" and exits 0. Built by bench/run with
 *   cc -O2 bare_probe.c $(pkg-config --cflags --libs libavformat libavutil libcrypto)
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <openssl/evp.h>

static int sha256_file(const char *path, unsigned char *buf, size_t bufsize)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;
    int ok = fd >= 0 && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

    while (ok && (n = read(fd, buf, bufsize)) > 0)
        ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
    ok = ok && n == 0 && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

static int probe(const char *path)
{
    AVFormatContext *fc = NULL;
    int rc = avformat_open_input(&fc, path, NULL, NULL);
    if (rc < 0)
        return -1;
    rc = avformat_find_stream_info(fc, NULL);
    avformat_close_input(&fc);
    return rc < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    int jobs = 2, hash = 0, failed = 0, status;
    size_t n = 0, cap = 0;
    char **files = NULL, *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    unsigned char *buf;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hash") == 0) {
            hash = 1;
        } else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc) {
            jobs = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: bare_probe [-j N] [--hash] < LIST\n");
            return 2;
        }
    }
    if (jobs < 1 || jobs > 64) {
        fprintf(stderr, "bare_probe: -j wants 1 to 64\n");
        return 2;
    }
    while ((len = getline(&line, &linecap, stdin)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = 0;
        if (!len)
            continue;
        if (n == cap) {
            char **more = realloc(files, (cap = cap ? 2 * cap : 1024) * sizeof *files);
            if (!more)
                return 1;
            files = more;
        }
        if (!(files[n++] = strdup(line)))
            return 1;
    }
    free(line);
    av_log_set_level(AV_LOG_QUIET);

    for (int j = 0; j < jobs; j++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("bare_probe: fork");
            return 1;
        }
        if (pid == 0) {
            int bad = 0;
            if (!(buf = malloc(1 << 20)))
                _exit(255);
            for (size_t i = (size_t)j; i < n; i += (size_t)jobs) {
                if (hash && sha256_file(files[i], buf, 1 << 20) < 0)
                    bad++;
                if (probe(files[i]) < 0)
                    bad++;
            }
            _exit(bad > 254 ? 254 : bad);
        }
    }
    while (wait(&status) > 0)
        failed += WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    printf("files %zu, failed %d\n", n, failed);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    return 0;
}
