/* wasi_walk: walks files, directories, clocks, random numbers, args, environment and stdin
 * through real WASI preview1 calls (via wasi-libc), printing only deterministic facts.
 *
 * usage: wasi_walk DIR [EXIT_CODE [ARGS...]]
 *   DIR       a preopened directory, empty at start (it is left empty at the end)
 *   EXIT_CODE the process exit code passed to exit() at the end (default 0)
 * stdout: a deterministic report (see wasi_walk.expected); stderr: one line.
 * Built by build.sh (clang 14 + wasi-libc). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <poll.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

static int failures = 0;

static const char *errname(int e) {
    switch (e) {
    case 0: return "OK";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EPERM: return "EPERM";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "E#%d", e);
        return buf;
    }
    }
}

/* Checks a condition that must hold; prints "ok NAME" or "FAIL NAME (errno)". */
static void check(const char *name, int cond) {
    if (cond) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s (errno %s)\n", name, errname(errno));
        failures++;
    }
}

/* Runs a call expected to fail and prints the errno name. */
static void expect_err(const char *name, int rc) {
    printf("%s -> %s\n", name, rc < 0 ? errname(errno) : "succeeded");
}

static int refused(int e) {
    return e == ENOTCAPABLE || e == EPERM || e == EACCES;
}

/* Creates LINK -> TARGET and opens PROBE through it; prints whether the escape was refused. */
static void symlink_escape(const char *link, const char *target, const char *probe) {
    int made = symlink(target, link) == 0;
    int create_errno = errno;
    int fd = made ? open(probe, O_RDONLY) : -1;
    int open_errno = errno;
    const char *verdict;
    if (!made)
        verdict = refused(create_errno) ? "refused at symlink creation" : errname(create_errno);
    else if (fd >= 0)
        verdict = "ESCAPED";
    else
        verdict = refused(open_errno) ? "refused when followed" : errname(open_errno);
    int ok = (!made && refused(create_errno)) || (made && fd < 0 && refused(open_errno));
    printf("%s symlink to %s: %s\n", ok ? "ok" : "FAIL", target, ok ? "refused" : verdict);
    if (!ok) failures++;
    if (fd >= 0) close(fd);
    if (made && unlink(link) != 0) {
        printf("FAIL unlink %s (errno %s)\n", link, errname(errno));
        failures++;
    }
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int cmpstr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Lists a directory with readdir, sorted, with each entry's type from d_type and stat. */
static void list_dir(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s -> %s\n", path, errname(errno));
        failures++;
        return;
    }
    char *names[64];
    int n = 0, dots = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            dots++;
            continue;
        }
        if (n < 64) {
            size_t len = strlen(e->d_name);
            char *s = malloc(len + 3);
            const char *t = e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : e->d_type == DT_REG ? "" : "?";
            snprintf(s, len + 3, "%s%s", e->d_name, t);
            names[n++] = s;
        }
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmpstr);
    printf("ls %s (%d):", path, n);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static ssize_t read_all(int fd, char *buf, size_t cap) {
    size_t got = 0;
    while (got < cap) {
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void print_file(const char *path) {
    char buf[256];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("cat %s -> %s\n", path, errname(errno));
        failures++;
        return;
    }
    ssize_t n = read_all(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) n = 0;
    buf[n] = 0;
    printf("cat %s (%d bytes): ", path, (int)n);
    for (ssize_t i = 0; i < n; i++) putchar(buf[i] == '\n' ? '|' : buf[i]);
    printf("\n");
}

static int write_str(int fd, const char *s) {
    size_t len = strlen(s);
    return write(fd, s, len) == (ssize_t)len;
}

static void section_args_env(int argc, char **argv) {
    printf("== args\n");
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    printf("argv[0] present: %s\n", argv[0] ? "yes" : "no");

    printf("== environ\n");
    int n = 0;
    for (char **e = environ; *e; e++) n++;
    char **sorted = malloc(sizeof(char *) * (n + 1));
    for (int i = 0; i < n; i++) sorted[i] = environ[i];
    qsort(sorted, n, sizeof sorted[0], cmpstr);
    printf("count=%d\n", n);
    for (int i = 0; i < n; i++) printf("%s\n", sorted[i]);
    free(sorted);
    const char *v = getenv("WALK_MODE");
    printf("getenv WALK_MODE=%s\n", v ? v : "(unset)");
}

static void section_stdin(void) {
    printf("== stdin\n");
    unsigned char buf[4096];
    uint64_t h = 14695981039346656037ULL;
    size_t total = 0, lines = 0;
    for (;;) {
        ssize_t r = read(0, buf, sizeof buf);
        if (r < 0) {
            printf("read stdin -> %s\n", errname(errno));
            failures++;
            break;
        }
        if (r == 0) break;
        for (ssize_t i = 0; i < r; i++) lines += buf[i] == '\n';
        h = fnv1a(h, buf, (size_t)r);
        total += (size_t)r;
    }
    printf("stdin bytes=%zu lines=%zu fnv1a=%016llx\n", total, lines, (unsigned long long)h);
}

static void section_files(const char *dir) {
    printf("== files\n");
    check("chdir into preopen", chdir(dir) == 0);
    char cwd[256];
    check("getcwd is the preopen", getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, dir) == 0);

    list_dir(".");
    check("mkdir a", mkdir("a", 0755) == 0);
    check("mkdir a/b", mkdir("a/b", 0755) == 0);
    check("mkdir a/b/c", mkdir("a/b/c", 0755) == 0);
    expect_err("mkdir a again", mkdir("a", 0755));
    expect_err("mkdir x/y (no parent)", mkdir("x/y", 0755));

    /* create + write + read back */
    int fd = open("a/b/c/hello.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check("create a/b/c/hello.txt", fd >= 0);
    check("write hello", write_str(fd, "Hello, WASI!\n"));
    check("close", close(fd) == 0);
    print_file("a/b/c/hello.txt");
    expect_err("open O_CREAT|O_EXCL existing", open("a/b/c/hello.txt", O_WRONLY | O_CREAT | O_EXCL, 0644));
    expect_err("open missing file", open("a/nope.txt", O_RDONLY));
    expect_err("open file as directory", open("a/b/c/hello.txt/x", O_RDONLY));
    expect_err("open O_DIRECTORY on file", open("a/b/c/hello.txt", O_RDONLY | O_DIRECTORY));

    /* append mode (stdio and O_APPEND) */
    FILE *f = fopen("a/b/c/hello.txt", "a");
    check("fopen append", f != NULL);
    fprintf(f, "line %d\n", 2);
    check("fclose", fclose(f) == 0);
    fd = open("a/b/c/hello.txt", O_WRONLY | O_APPEND);
    check("open O_APPEND", fd >= 0);
    check("lseek to 0 before append write", lseek(fd, 0, SEEK_SET) == 0);
    check("append write", write_str(fd, "line 3\n"));
    int fl = fcntl(fd, F_GETFL);
    check("fcntl F_GETFL has O_APPEND", fl >= 0 && (fl & O_APPEND) != 0);
    check("fcntl F_SETFL clears O_APPEND", fcntl(fd, F_SETFL, fl & ~O_APPEND) == 0);
    fl = fcntl(fd, F_GETFL);
    check("fcntl F_GETFL no O_APPEND", fl >= 0 && (fl & O_APPEND) == 0);
    close(fd);
    print_file("a/b/c/hello.txt");

    /* seek / tell / pread / pwrite */
    fd = open("a/b/c/hello.txt", O_RDWR);
    check("open O_RDWR", fd >= 0);
    char buf[64];
    printf("lseek SET 7 = %lld\n", (long long)lseek(fd, 7, SEEK_SET));
    memset(buf, 0, sizeof buf);
    printf("read 4 = %d '%s'\n", (int)read(fd, buf, 4), buf);
    printf("lseek CUR 0 (tell) = %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("lseek CUR -4 = %lld\n", (long long)lseek(fd, -4, SEEK_CUR));
    printf("lseek END 0 = %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("lseek END -7 = %lld\n", (long long)lseek(fd, -7, SEEK_END));
    expect_err("lseek SET -1", (int)lseek(fd, -1, SEEK_SET));
    memset(buf, 0, sizeof buf);
    printf("pread 5 @0 = %d '%s'\n", (int)pread(fd, buf, 5, 0), buf);
    printf("pwrite 4 @7 = %d\n", (int)pwrite(fd, "wasi", 4, 7));
    printf("tell after pread/pwrite = %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    check("fsync", fsync(fd) == 0);
    check("fdatasync", fdatasync(fd) == 0);
    struct stat st;
    check("fstat", fstat(fd, &st) == 0);
    printf("fstat size=%lld reg=%d dir=%d\n", (long long)st.st_size, S_ISREG(st.st_mode), S_ISDIR(st.st_mode));
    check("ftruncate 5", ftruncate(fd, 5) == 0);
    check("fstat after ftruncate", fstat(fd, &st) == 0);
    printf("size after ftruncate=%lld\n", (long long)st.st_size);
    check("ftruncate 10 (extend)", ftruncate(fd, 10) == 0);
    memset(buf, 'x', sizeof buf);
    printf("pread 10 @0 = %d\n", (int)pread(fd, buf, 10, 0));
    printf("extended bytes zero: %s\n", buf[5] == 0 && buf[9] == 0 ? "yes" : "no");
    close(fd);
    check("truncate path 3", truncate("a/b/c/hello.txt", 3) == 0);
    print_file("a/b/c/hello.txt");

    /* scatter/gather io */
    fd = open("a/vec.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("create a/vec.bin", fd >= 0);
    struct iovec wv[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
    printf("writev = %d\n", (int)writev(fd, wv, 3));
    lseek(fd, 0, SEEK_SET);
    char r1[2] = {0}, r2[10] = {0};
    struct iovec rv[2] = {{r1, 2}, {r2, 10}};
    printf("readv = %d '%.2s' '%s'\n", (int)readv(fd, rv, 2), r1, r2);
    close(fd);

    /* stat on paths */
    check("stat a/b", stat("a/b", &st) == 0);
    printf("stat a/b dir=%d\n", S_ISDIR(st.st_mode));
    check("stat a/vec.bin", stat("a/vec.bin", &st) == 0);
    printf("stat a/vec.bin size=%lld reg=%d nlink=%llu\n", (long long)st.st_size, S_ISREG(st.st_mode), (unsigned long long)st.st_nlink);
    expect_err("stat missing", stat("a/missing", &st));

    /* timestamps */
    struct timespec times[2] = {{1000000000, 0}, {1234567890, 500000000}};
    check("utimensat a/vec.bin", utimensat(AT_FDCWD, "a/vec.bin", times, 0) == 0);
    check("stat after utimensat", stat("a/vec.bin", &st) == 0);
    printf("atime=%lld mtime=%lld.%03ld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec, (long)(st.st_mtim.tv_nsec / 1000000));
    fd = open("a/vec.bin", O_RDWR);
    struct timespec t2[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    check("futimens mtime only", futimens(fd, t2) == 0);
    close(fd);
    check("stat after futimens", stat("a/vec.bin", &st) == 0);
    printf("atime=%lld mtime=%lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);

    /* directory listing */
    check("create a/b/c/z.txt", (fd = open("a/b/c/z.txt", O_WRONLY | O_CREAT, 0644)) >= 0 && close(fd) == 0);
    check("create a/b/c/m.txt", (fd = open("a/b/c/m.txt", O_WRONLY | O_CREAT, 0644)) >= 0 && close(fd) == 0);
    check("mkdir a/b/c/sub", mkdir("a/b/c/sub", 0755) == 0);
    list_dir("a/b/c");
    list_dir("a");

    /* many entries: readdir cookies across several fd_readdir calls */
    check("mkdir many", mkdir("many", 0755) == 0);
    char name[64];
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "many/entry-with-a-fairly-long-name-%03d", i);
        fd = open(name, O_WRONLY | O_CREAT, 0644);
        if (fd < 0 || close(fd) != 0) {
            printf("create %s -> %s\n", name, errname(errno));
            failures++;
        }
    }
    DIR *d = opendir("many");
    int count = 0, dots = 0;
    long sum = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) { dots++; continue; }
        count++;
        sum += atoi(e->d_name + strlen("entry-with-a-fairly-long-name-"));
    }
    printf("readdir many: entries=%d index_sum=%ld\n", count, sum);
    rewinddir(d);
    count = 0;
    while ((e = readdir(d)) != NULL) count += e->d_name[0] != '.';
    printf("after rewinddir: entries=%d\n", count);
    closedir(d);
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "many/entry-with-a-fairly-long-name-%03d", i);
        if (unlink(name) != 0) {
            printf("unlink %s -> %s\n", name, errname(errno));
            failures++;
        }
    }
    check("rmdir many", rmdir("many") == 0);

    /* rename */
    check("rename file", rename("a/b/c/z.txt", "a/renamed.txt") == 0);
    expect_err("stat old name", stat("a/b/c/z.txt", &st));
    check("stat new name", stat("a/renamed.txt", &st) == 0);
    check("rename over existing file", rename("a/renamed.txt", "a/b/c/m.txt") == 0);
    check("rename directory", rename("a/b/c/sub", "a/sub2") == 0);
    expect_err("rename missing", rename("a/none", "a/none2"));
    list_dir("a");

    /* hard link */
    check("link", link("a/vec.bin", "a/vec-link.bin") == 0);
    check("stat link", stat("a/vec-link.bin", &st) == 0);
    printf("link size=%lld nlink=%llu\n", (long long)st.st_size, (unsigned long long)st.st_nlink);
    check("unlink link", unlink("a/vec-link.bin") == 0);

    /* symlinks */
    check("symlink", symlink("b/c/hello.txt", "a/hello-link") == 0);
    ssize_t n = readlink("a/hello-link", buf, sizeof buf - 1);
    if (n >= 0) buf[n] = 0;
    printf("readlink = %d '%s'\n", (int)n, n >= 0 ? buf : "");
    check("lstat symlink", lstat("a/hello-link", &st) == 0);
    printf("lstat islnk=%d\n", S_ISLNK(st.st_mode));
    check("stat through symlink", stat("a/hello-link", &st) == 0);
    printf("stat through link reg=%d size=%lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
    print_file("a/hello-link");
    expect_err("readlink on regular file", (int)readlink("a/vec.bin", buf, sizeof buf));
    check("dangling symlink", symlink("does-not-exist", "a/dangling") == 0);
    expect_err("open dangling", open("a/dangling", O_RDONLY));
    check("lstat dangling", lstat("a/dangling", &st) == 0 && S_ISLNK(st.st_mode));
    expect_err("open O_NOFOLLOW symlink", open("a/hello-link", O_RDONLY | O_NOFOLLOW));
    check("symlink to dir", symlink("b", "a/b-link") == 0);
    print_file("a/b-link/c/hello.txt");
    list_dir("a");
    check("unlink symlink", unlink("a/hello-link") == 0);
    check("unlink dangling", unlink("a/dangling") == 0);
    check("unlink dir symlink", unlink("a/b-link") == 0);
    check("target survives", stat("a/b/c/hello.txt", &st) == 0);

    /* escapes out of the preopen */
    printf("== sandbox\n");
    expect_err("open ../outside", open("../outside.txt", O_RDONLY));
    expect_err("open a/../../outside", open("a/../../outside.txt", O_RDONLY));
    expect_err("create ../created", open("../created.txt", O_WRONLY | O_CREAT, 0644));
    expect_err("mkdir ../dir", mkdir("../dir", 0755));
    expect_err("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    /* A symlink whose target leaves the preopen: a runtime may refuse to create it, or create it
     * and refuse to follow it; either way nothing outside may be opened. */
    symlink_escape("a/escape", "../../..", "a/escape/etc/passwd");
    symlink_escape("a/abs", "/etc/passwd", "a/abs");
    /* the raw call: an absolute path relative to the preopen fd must be refused by the runtime */
    __wasi_fd_t raw;
    __wasi_errno_t werr = __wasi_path_open(3, 0, "/etc/passwd", 0, __WASI_RIGHTS_FD_READ, 0, 0, &raw);
    printf("path_open(3, \"/etc/passwd\") errno=%s\n", werr == 0 ? "0" : errname(werr));
    werr = __wasi_path_open(3, 0, "a/../..", 0, __WASI_RIGHTS_FD_READ, 0, 0, &raw);
    printf("path_open(3, \"a/../..\") errno=%s\n", werr == 0 ? "0" : errname(werr));

    /* removal */
    printf("== cleanup\n");
    expect_err("rmdir non-empty a", rmdir("a"));
    expect_err("unlink a directory", unlink("a/b"));
    expect_err("rmdir a file", rmdir("a/vec.bin"));
    check("unlink a/vec.bin", unlink("a/vec.bin") == 0);
    check("a/renamed.txt is gone", stat("a/renamed.txt", &st) != 0);
    check("unlink a/b/c/m.txt", unlink("a/b/c/m.txt") == 0);
    check("unlink a/b/c/hello.txt", unlink("a/b/c/hello.txt") == 0);
    check("rmdir a/b/c", rmdir("a/b/c") == 0);
    check("rmdir a/b", rmdir("a/b") == 0);
    check("rmdir a/sub2", rmdir("a/sub2") == 0);
    check("rmdir a", rmdir("a") == 0);
    expect_err("unlink missing", unlink("a"));
    list_dir(".");
}

static void section_fds(void) {
    printf("== fds\n");
    int fd = open("renumber.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int fd2 = open("renumber2.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    check("two files open", fd >= 0 && fd2 >= 0);
    check("write via fd", write_str(fd, "via-fd"));
    __wasi_errno_t werr = __wasi_fd_renumber((__wasi_fd_t)fd, (__wasi_fd_t)fd2);
    printf("fd_renumber errno=%d\n", werr);
    check("write via renumbered fd", write_str(fd2, "+renumbered"));
    expect_err("write to old fd", (int)write(fd, "x", 1));
    close(fd2);
    print_file("renumber.txt");
    print_file("renumber2.txt");
    unlink("renumber.txt");
    unlink("renumber2.txt");
    /* poll(): poll_oneoff with fd_read/fd_write subscriptions (regular files are always ready) */
    fd = open("poll.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct pollfd pfd[2] = {{fd, POLLIN, 0}, {fd, POLLOUT, 0}};
    int ready = poll(pfd, 2, 5000);
    printf("poll file: ready=%d in=%d out=%d%s%s\n", ready, (pfd[0].revents & POLLIN) != 0, (pfd[1].revents & POLLOUT) != 0,
           ready < 0 ? " errno " : "", ready < 0 ? errname(errno) : "");
    close(fd);
    unlink("poll.txt");
    struct timespec p0, p1;
    clock_gettime(CLOCK_MONOTONIC, &p0);
    printf("poll no fds 10ms: %d\n", poll(NULL, 0, 10));
    clock_gettime(CLOCK_MONOTONIC, &p1);
    check("poll timeout waited at least 10ms",
          ((int64_t)p1.tv_sec * 1000000000 + p1.tv_nsec) - ((int64_t)p0.tv_sec * 1000000000 + p0.tv_nsec) >= 10000000);
    expect_err("close bad fd", close(1234));
    expect_err("read bad fd", (int)read(1234, &fd, 1));
    check("lseek on the preopened directory fails", lseek(3, 0, SEEK_CUR) < 0);
    __wasi_prestat_t pre;
    werr = __wasi_fd_prestat_get(3, &pre);
    printf("fd_prestat_get(3) errno=%d tag=%d\n", werr, werr == 0 ? pre.tag : -1);
    werr = __wasi_fd_prestat_get(1234, &pre);
    printf("fd_prestat_get(1234) errno=%s\n", errname(werr));
}

static void section_clocks(void) {
    printf("== clocks\n");
    struct timespec a, b, res;
    check("clock_gettime MONOTONIC", clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    check("clock_gettime MONOTONIC again", clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    int64_t na = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec, nb = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
    check("monotonic does not go back", nb >= na);
    check("clock_getres MONOTONIC > 0", clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0));
    check("clock_gettime REALTIME", clock_gettime(CLOCK_REALTIME, &a) == 0);
    check("realtime after 2020 and before 2100", a.tv_sec > 1577836800 && a.tv_sec < 4102444800LL);
    check("clock_getres REALTIME > 0", clock_getres(CLOCK_REALTIME, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0));
    time_t t = time(NULL);
    check("time() agrees with REALTIME", t >= a.tv_sec && t - a.tv_sec < 60);
    struct timeval tv;
    check("gettimeofday", gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= a.tv_sec);
    __wasi_timestamp_t cpu1 = 0, cpu2 = 0, cres = 0;
    check("clock_time_get PROCESS_CPUTIME", __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu1) == 0);
    check("clock_time_get PROCESS_CPUTIME again", __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &cpu2) == 0);
    check("process cputime does not go back", cpu2 >= cpu1);
    check("clock_res_get THREAD_CPUTIME", __wasi_clock_res_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, &cres) == 0 && cres > 0);
    printf("clock_time_get(clock 9) errno=%s\n", errname(__wasi_clock_time_get(9, 1, &cpu1)));
    /* sleeping goes through poll_oneoff with a clock subscription */
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec req = {0, 20 * 1000000};
    check("nanosleep 20ms", nanosleep(&req, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    na = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec;
    nb = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
    check("slept at least 20ms", nb - na >= 20 * 1000000);
    check("slept less than 10s", nb - na < 10LL * 1000000000);
    check("usleep 1ms", usleep(1000) == 0);
    check("sched_yield", sched_yield() == 0);
}

static void section_random(void) {
    printf("== random\n");
    unsigned char r1[32], r2[32];
    check("getentropy 1", getentropy(r1, sizeof r1) == 0);
    check("getentropy 2", getentropy(r2, sizeof r2) == 0);
    check("two draws differ", memcmp(r1, r2, sizeof r1) != 0);
    int nonzero = 0;
    for (int i = 0; i < 32; i++) nonzero += r1[i] != 0;
    check("draw is not all zero", nonzero > 0);
    unsigned char big[4096];
    check("random_get 4096", __wasi_random_get(big, sizeof big) == 0);
    int hist[256] = {0}, distinct = 0;
    for (size_t i = 0; i < sizeof big; i++) hist[big[i]]++;
    for (int i = 0; i < 256; i++) distinct += hist[i] != 0;
    check("4096 random bytes take at least 200 distinct values", distinct >= 200);
    uint32_t x = arc4random(), y = arc4random();
    check("arc4random draws differ", x != y || arc4random() != x);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: wasi_walk DIR [EXIT_CODE [ARGS...]]\n");
        return 2;
    }
    int code = argc >= 3 ? atoi(argv[2]) : 0;
    setvbuf(stdout, NULL, _IOFBF, 1 << 16); /* fully buffered: exit() must flush it */
    printf("wasi_walk start\n");
    section_args_env(argc, argv);
    section_stdin();
    section_files(argv[1]);
    section_fds();
    section_clocks();
    section_random();
    fprintf(stderr, "wasi_walk: stderr works\n");
    printf("failures=%d\n", failures);
    printf("exit code %d\n", code);
    exit(code);
}
