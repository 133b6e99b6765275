/*
 * lsan.c — LeakSanitizer suppressions for every test program. Criterion's runner process
 * leaks one 48-byte block of its own when tests run in parallel (--jobs 2) while their workers
 * start child processes (seen with libcriterion 2.4.1); it is not ours, and without this the
 * runner's exit status would report a leak after every test passed. Nothing else is suppressed.
 */
const char *__lsan_default_suppressions(void);

const char *__lsan_default_suppressions(void)
{
    return "leak:libcriterion.so\n";
}
