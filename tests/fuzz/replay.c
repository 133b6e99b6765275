/*
 * replay.c — a plain main() that feeds files to a libFuzzer harness's LLVMFuzzerTestOneInput,
 * so that every seed is a regression test under gcc, ASan and UBSan (`make test`). Arguments
 * are files or directories (every regular file inside, dot files skipped); without arguments
 * it replays tests/fuzz/corpus/<name>, where <name> is the binary's name without "fuzz_".
 * A crash or failed assertion aborts; the last line is "<n> passed, <m> failed".
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REPLAY_PATH_MAX  4096
#define REPLAY_FILES_MAX 100000 /* per directory: corpora are small; a bound for the loop */

struct replay_counts {
    size_t passed;
    size_t failed;
};

/* Reads the whole file into an exact-size allocation (so ASan sees any overread). */
static void replay_file(const char *path, struct replay_counts *counts)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        (void)fprintf(stderr, "replay: cannot open %s\n", path);
        counts->failed++;
        return;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
        (void)fprintf(stderr, "replay: cannot stat %s\n", path);
        (void)fclose(f);
        counts->failed++;
        return;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size == 0 ? 1 : size);
    if (data == NULL || fread(data, 1, size, f) != size) {
        (void)fprintf(stderr, "replay: cannot read %s\n", path);
        free(data);
        (void)fclose(f);
        counts->failed++;
        return;
    }
    (void)fclose(f);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    counts->passed++;
}

static void replay_dir(const char *dir, struct replay_counts *counts)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        (void)fprintf(stderr, "replay: cannot open directory %s\n", dir);
        counts->failed++;
        return;
    }
    char path[REPLAY_PATH_MAX];
    struct dirent *entry = readdir(d);
    for (size_t i = 0; entry != NULL && i < REPLAY_FILES_MAX; i++) {
        struct stat st;
        int n = snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
        if (entry->d_name[0] != '.' && n > 0 && (size_t)n < sizeof(path) && stat(path, &st) == 0 &&
            S_ISREG(st.st_mode)) {
            replay_file(path, counts);
        }
        entry = readdir(d);
    }
    closedir(d);
}

static void replay_path(const char *path, struct replay_counts *counts)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        (void)fprintf(stderr, "replay: no such file or directory %s\n", path);
        counts->failed++;
    } else if (S_ISDIR(st.st_mode)) {
        replay_dir(path, counts);
    } else {
        replay_file(path, counts);
    }
}

int main(int argc, char **argv)
{
    struct replay_counts counts = {0, 0};
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            replay_path(argv[i], &counts);
        }
    } else {
        const char *base = strrchr(argv[0], '/');
        base = base == NULL ? argv[0] : base + 1;
        if (strncmp(base, "fuzz_", 5) == 0) {
            base += 5;
        }
        char dir[REPLAY_PATH_MAX];
        int n = snprintf(dir, sizeof(dir), "tests/fuzz/corpus/%s", base);
        if (n < 0 || (size_t)n >= sizeof(dir)) {
            (void)fprintf(stderr, "replay: binary name too long\n");
            return 2;
        }
        replay_path(dir, &counts);
    }
    printf("%zu passed, %zu failed\n", counts.passed, counts.failed);
    return counts.failed == 0 && counts.passed > 0 ? 0 : 1;
}
