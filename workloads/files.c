/* files.c: reads, writes and lists files in a preopened directory, to
 * exercise every WASI file call the engine implements (specs/host.md,
 * "Files"). The directory is argv[1] (default "/data") and must hold
 * in.txt ("hello from the host\nsecond line\n") and sub/ (not empty).
 * Prints what it saw; exits 1 on an unexpected failure. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *dir;
static char path_buf[4][512];

static const char *at(int slot, const char *name) {
    snprintf(path_buf[slot], sizeof path_buf[slot], "%s/%s", dir, name);
    return path_buf[slot];
}

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "files: %s failed: %s\n", what, strerror(errno));
        exit(1);
    }
}

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted entries of a directory, with their sizes. */
static void list(const char *name) {
    DIR *d = opendir(at(0, name));
    check(d != NULL, "opendir");
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("list %s:", name);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], ".") == 0 || strcmp(names[i], "..") == 0) {
            printf(" %s", names[i]);
            free(names[i]);
            continue;
        }
        struct stat st;
        char rel[300];
        snprintf(rel, sizeof rel, "%s/%s", name, names[i]);
        check(stat(at(1, rel), &st) == 0, "stat");
        printf(" %s%s(%lld)", names[i], S_ISDIR(st.st_mode) ? "/" : "", (long long)st.st_size);
        free(names[i]);
    }
    printf("\n");
}

static void write_all(int fd, const char *s, size_t n) {
    check(write(fd, s, n) == (ssize_t)n, "write");
}

int main(int argc, char **argv) {
    dir = argc > 1 ? argv[1] : "/data";
    char buf[256];

    /* Read, seek, tell, pread and fstat an existing file. */
    int fd = open(at(0, "in.txt"), O_RDONLY);
    check(fd >= 0, "open in.txt");
    ssize_t n = read(fd, buf, sizeof buf - 1);
    check(n >= 0, "read");
    buf[n] = 0;
    printf("read %zd: %s", n, buf);
    off_t pos = lseek(fd, 6, SEEK_SET);
    n = read(fd, buf, 4);
    __wasi_filesize_t tell = 0;
    check(__wasi_fd_tell(fd, &tell) == 0, "fd_tell");
    printf("seek %lld read %.*s tell %llu end %lld\n", (long long)pos, (int)n, buf,
           (unsigned long long)tell, (long long)lseek(fd, -5, SEEK_END));
    n = pread(fd, buf, 5, 0);
    printf("pread %.*s\n", (int)n, buf);
    struct stat st;
    check(fstat(fd, &st) == 0, "fstat");
    printf("fstat size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    check(write(fd, "x", 1) < 0, "write to a read-only descriptor fails");
    check(close(fd) == 0, "close");
    check(stat(at(0, "sub"), &st) == 0, "stat sub");
    printf("stat sub dir %d\n", S_ISDIR(st.st_mode));
    list(".");

    /* Create, write, pwrite, append. */
    fd = open(at(0, "out.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "create out.txt");
    write_all(fd, "result: 42\n", 11);
    check(pwrite(fd, "R", 1, 0) == 1, "pwrite");
    check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync");
    check(close(fd) == 0, "close out.txt");
    fd = open(at(0, "out.txt"), O_WRONLY);
    check(fd >= 0, "reopen out.txt");
    check(fcntl(fd, F_SETFL, O_APPEND) == 0, "fcntl append");
    write_all(fd, "appended\n", 9);
    check(close(fd) == 0, "close");
    errno = 0;
    printf("excl %d errno %d\n", open(at(0, "out.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644), errno);

    /* A file larger than a micro-step, read back. */
    char big[1000];
    for (int i = 0; i < 1000; i++) {
        big[i] = (char)('a' + i % 26);
    }
    fd = open(at(0, "big.bin"), O_RDWR | O_CREAT, 0644);
    check(fd >= 0, "create big.bin");
    write_all(fd, big, sizeof big);
    check(lseek(fd, 0, SEEK_SET) == 0, "rewind");
    char back[1000];
    check(read(fd, back, sizeof back) == 1000, "read back");
    printf("big same %d\n", memcmp(big, back, sizeof big) == 0);
    check(ftruncate(fd, 2000) == 0, "grow");
    check(ftruncate(fd, 100) == 0, "shrink");
    check(fstat(fd, &st) == 0, "fstat big");
    printf("big size %lld\n", (long long)st.st_size);
    check(ftruncate(fd, 130) == 0, "grow again");
    check(pread(fd, back, 30, 100) == 30, "pread the grown tail");
    int zeros = 0;
    for (int i = 0; i < 30; i++) {
        zeros += back[i] == 0;
    }
    printf("grown tail zeros %d\n", zeros);

    /* Renumber: big.bin's descriptor takes another's number. */
    int other = open(at(0, "in.txt"), O_RDONLY);
    check(other >= 0, "open other");
    check(__wasi_fd_renumber(fd, other) == 0, "fd_renumber");
    check(fstat(other, &st) == 0 && st.st_size == 130, "renumbered descriptor is big.bin");
    check(close(other) == 0, "close renumbered");
    errno = 0;
    printf("old number closed %d errno %d\n", close(fd), errno);

    /* Directories: create, rename, remove; errors. */
    check(mkdir(at(0, "newdir"), 0755) == 0, "mkdir");
    fd = open(at(0, "newdir/a.txt"), O_WRONLY | O_CREAT, 0644);
    check(fd >= 0, "create newdir/a.txt");
    write_all(fd, "in a new directory\n", 19);
    check(close(fd) == 0, "close");
    check(rename(at(0, "newdir/a.txt"), at(1, "newdir/b.txt")) == 0, "rename file");
    check(rename(at(0, "newdir"), at(1, "moved")) == 0, "rename dir");
    errno = 0;
    printf("into itself %d errno %d\n", rename(at(0, "moved"), at(1, "moved/inner")), errno);
    check(mkdir(at(0, "gone"), 0755) == 0 && rmdir(at(1, "gone")) == 0, "mkdir and rmdir");
    errno = 0;
    printf("rmdir nonempty %d errno %d\n", rmdir(at(0, "sub")), errno);
    fd = open(at(0, "tmp.txt"), O_WRONLY | O_CREAT, 0644);
    check(fd >= 0, "create tmp.txt");
    check(unlink(at(0, "tmp.txt")) == 0, "unlink open file");
    write_all(fd, "still writable\n", 15);
    check(close(fd) == 0, "close unlinked");
    errno = 0;
    printf("readlink %zd errno %d\n", readlink(at(0, "in.txt"), buf, sizeof buf), errno);
    errno = 0;
    printf("missing %d errno %d\n", open(at(0, "missing.txt"), O_RDONLY), errno);
    errno = 0;
    printf("escape %d errno %d\n", open(at(0, "sub/../../x"), O_RDONLY), errno);
    errno = 0;
    printf("not a dir %d errno %d\n", open(at(0, "in.txt/x"), O_RDONLY), errno);

    /* A clock subscription fires at once (poll_oneoff). */
    struct timespec ts = {0, 1000};
    check(nanosleep(&ts, NULL) == 0, "nanosleep");

    list(".");
    list("moved");
    return 0;
}
