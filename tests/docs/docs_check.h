/*
 * docs_check.h — reading a rendered document back the way a person or a scanner would, for
 * the tests of src/docs: the PDF goes to a temporary file, pdftotext (poppler-utils) gives its
 * text, pdfinfo its page size and count, and pdftoppm at 300 dpi plus zbarimg (zbar-tools)
 * decode its bar and QR codes. Header-only: each test program includes it once.
 */
#ifndef ORDO_TESTS_DOCS_DOCS_CHECK_H
#define ORDO_TESTS_DOCS_DOCS_CHECK_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "support/server.h"

#define DOCS_CHECK_OUTPUT_MAX (256 * 1024)

struct docs_check {
    char dir[64];  /* mkdtemp directory */
    char pdf[128]; /* dir/doc.pdf */
    char png[128]; /* dir/page.png, after docs_check_codes */
    char *output;  /* the last tool's stdout and stderr, DOCS_CHECK_OUTPUT_MAX bytes */
};

/* Writes len bytes of a PDF to a fresh temporary directory. */
static inline void docs_check_init(struct docs_check *check, const char *pdf, size_t len)
{
    cr_assert(len > 5 && memcmp(pdf, "%PDF-", 5) == 0, "not a PDF (%zu bytes)", len);
    snprintf(check->dir, sizeof(check->dir), "/tmp/ordo-docs-XXXXXX");
    cr_assert(mkdtemp(check->dir) != NULL);
    snprintf(check->pdf, sizeof(check->pdf), "%s/doc.pdf", check->dir);
    snprintf(check->png, sizeof(check->png), "%s/page", check->dir);
    FILE *f = fopen(check->pdf, "wb");
    cr_assert(f != NULL);
    cr_assert_eq(fwrite(pdf, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    check->output = malloc(DOCS_CHECK_OUTPUT_MAX);
    cr_assert(check->output != NULL);
    check->output[0] = '\0';
}

static inline void docs_check_release(struct docs_check *check)
{
    char path[160];
    unlink(check->pdf);
    snprintf(path, sizeof(path), "%s.png", check->png);
    unlink(path);
    rmdir(check->dir);
    free(check->output);
    check->output = NULL;
}

/* Runs a tool on the PDF; its output in check->output; asserts exit status 0. */
static inline const char *docs_check_run(struct docs_check *check, const char *const *argv)
{
    int status = test_run_capture(argv, check->output, DOCS_CHECK_OUTPUT_MAX);
    cr_assert_eq(status, 0, "%s failed (%d): %s", argv[0], status, check->output);
    return check->output;
}

/* The document's text in reading order (UTF-8), as pdftotext gives it. */
static inline const char *docs_check_text(struct docs_check *check)
{
    const char *argv[] = {"/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", check->pdf, "-", NULL};
    return docs_check_run(check, argv);
}

/* pdfinfo's report ("Pages: 1", "Page size: 288 x 432 pts"). */
static inline const char *docs_check_info(struct docs_check *check)
{
    const char *argv[] = {"/usr/bin/pdfinfo", check->pdf, NULL};
    return docs_check_run(check, argv);
}

/* The codes zbarimg finds on page 1 rendered at 300 dpi, one "TYPE:data" per line. */
static inline const char *docs_check_codes(struct docs_check *check)
{
    const char *render[] = {"/usr/bin/pdftoppm", "-r", "300", "-png",
                            "-singlefile",       "-f", "1",   check->pdf,
                            check->png,          NULL};
    docs_check_run(check, render);
    char png[160];
    snprintf(png, sizeof(png), "%s.png", check->png);
    const char *decode[] = {"/usr/bin/zbarimg", "-q", png, NULL};
    docs_check_run(check, decode);
    /* zbarimg also prints D-Bus noise to stderr; keep the "TYPE:data" lines (no space in TYPE). */
    char *out = check->output;
    size_t used = 0;
    for (char *line = out; *line != '\0';) {
        char *end = strchr(line, '\n');
        size_t len = end == NULL ? strlen(line) : (size_t)(end - line) + 1;
        char *colon = memchr(line, ':', len);
        if (colon != NULL && memchr(line, ' ', (size_t)(colon - line)) == NULL) {
            memmove(out + used, line, len);
            used += len;
        }
        line += len;
    }
    out[used] = '\0';
    return out;
}

/* Asserts that the text contains want. */
#define docs_check_has(text, want)                                                                 \
    cr_expect(strstr((text), (want)) != NULL, "missing \"%s\" in:\n%s", (want), (text))

#endif
