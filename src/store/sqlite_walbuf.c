/*
 * sqlite_walbuf.c — the writer connection's VFS: SQLite's default one, except that the WAL's
 * appends are gathered in memory and written with one call per commit.
 *
 * SQLite writes each WAL frame with two calls (its 24-byte header, then the page): a batch of
 * ~15 orders writes ~200 frames, ~400 pwrite() calls, and each costs the kernel a page-cache
 * lookup, a dirty mark and a time update whatever its size (17% of the writer's CPU under
 * `make bench`). Here contiguous writes are kept in a buffer and written out together (in
 * parts of 124 KiB, the most the default VFS writes at once):
 *   - when the page of a commit frame (a frame header whose "database size after commit" is
 *     not 0) has been added: before sqlite3WalFrames() returns and publishes the frames in the
 *     wal-index, so no reader (each reads the WAL through its own file) can see a frame that is
 *     not in the file yet;
 *   - before anything else touches the file (a read — the writer reading back a frame it
 *     spilled —, a write elsewhere, sync, truncate, size, file control, close) and when the
 *     buffer is full.
 * A failed write-out is the error of the call that caused it: at the latest the commit frame's
 * write, so the commit fails as if its own pwrite() had. Other files' writes (the database,
 * temporary files) go to the default VFS in parts of 124 KiB; every other method goes
 * straight to it.
 */
#include "store/sqlite_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define WALBUF_VFS_NAME    "ordo-walbuf"
#define WALBUF_FRAME_HDR   24 /* SQLite's WAL frame header (wal.c WAL_FRAME_HDRSIZE) */
#define WALBUF_BYTES_MAX   ((size_t)4 * 1024 * 1024)
#define WALBUF_BYTES_FIRST ((size_t)256 * 1024)
#define WALBUF_WRITE_MAX   ((size_t)124 * 1024)

struct walbuf_file {
    sqlite3_file base;    /* pMethods: walbuf_methods */
    sqlite3_file *real;   /* the default VFS's file, in the memory right after this one */
    bool is_wal;          /* only a WAL's writes are gathered */
    bool commit_frame;    /* the last header gathered was a commit frame's */
    unsigned char *bytes; /* gathered writes, for [offset, offset + len) of the file */
    size_t len;
    size_t cap;
    sqlite3_int64 offset;
};

static sqlite3_vfs walbuf_vfs;
static sqlite3_io_methods walbuf_methods;
static pthread_once_t walbuf_once = PTHREAD_ONCE_INIT;
static int walbuf_registered = SQLITE_ERROR;

static struct walbuf_file *walbuf(sqlite3_file *file)
{
    return (struct walbuf_file *)file;
}

/* Writes bytes[0..len) at offset in writes the default VFS takes whole: it writes at most
 * 128 KiB - 1 bytes per call (the count masked to 17 bits: a write of 128 KiB writes nothing)
 * and calls a shorter write a full disk. */
static int walbuf_write_parts(struct walbuf_file *f, const unsigned char *bytes, size_t len,
                              sqlite3_int64 offset)
{
    int rc = SQLITE_OK;
    for (size_t done = 0; rc == SQLITE_OK && done < len; done += WALBUF_WRITE_MAX) {
        size_t part = len - done < WALBUF_WRITE_MAX ? len - done : WALBUF_WRITE_MAX;
        rc = f->real->pMethods->xWrite(f->real, bytes + done, (int)part,
                                       offset + (sqlite3_int64)done);
    }
    return rc;
}

/* Writes out what was gathered. */
static int walbuf_flush(struct walbuf_file *f)
{
    int rc = walbuf_write_parts(f, f->bytes, f->len, f->offset);
    f->len = 0;
    f->commit_frame = false;
    return rc;
}

static int walbuf_close(sqlite3_file *file)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    int close_rc = f->real->pMethods != NULL ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    free(f->bytes);
    f->bytes = NULL;
    f->cap = 0;
    return rc != SQLITE_OK ? rc : close_rc;
}

static int walbuf_read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, out, amount, offset);
}

/* Room for amount more bytes; false when the buffer cannot grow (then it is written out). */
static bool walbuf_reserve(struct walbuf_file *f, size_t amount)
{
    if (f->len + amount <= f->cap) {
        return true;
    }
    size_t cap = f->cap != 0 ? f->cap : WALBUF_BYTES_FIRST;
    while (cap < f->len + amount && cap < WALBUF_BYTES_MAX) {
        cap *= 2;
    }
    if (cap < f->len + amount) {
        return false;
    }
    unsigned char *bytes = realloc(f->bytes, cap);
    if (bytes == NULL) {
        return false;
    }
    f->bytes = bytes;
    f->cap = cap;
    return true;
}

static int walbuf_write(sqlite3_file *file, const void *data, int amount, sqlite3_int64 offset)
{
    struct walbuf_file *f = walbuf(file);
    if (!f->is_wal || amount <= 0) {
        /* The statement journal spills its chunks of SQLITE_CONFIG_STMTJRNL_SPILL (4 MiB,
         * store_sqlite.c) to a temporary file in one write each. */
        int rc = walbuf_flush(f);
        return rc != SQLITE_OK || amount <= 0 ? rc
                                              : walbuf_write_parts(f, data, (size_t)amount, offset);
    }
    if (f->len > 0 && offset != f->offset + (sqlite3_int64)f->len) {
        int rc = walbuf_flush(f); /* not an append: a frame rewritten in place, the header */
        if (rc != SQLITE_OK) {
            return rc;
        }
    }
    if (!walbuf_reserve(f, (size_t)amount)) {
        int rc = walbuf_flush(f);
        if (rc != SQLITE_OK || !walbuf_reserve(f, (size_t)amount)) {
            return rc != SQLITE_OK ? rc : walbuf_write_parts(f, data, (size_t)amount, offset);
        }
    }
    if (f->len == 0) {
        f->offset = offset;
    }
    memcpy(f->bytes + f->len, data, (size_t)amount);
    f->len += (size_t)amount;
    if (amount == WALBUF_FRAME_HDR) {
        const unsigned char *header = data; /* bytes 4..7: database size after a commit */
        f->commit_frame = (header[4] | header[5] | header[6] | header[7]) != 0;
        return SQLITE_OK;
    }
    return f->commit_frame ? walbuf_flush(f) : SQLITE_OK;
}

static int walbuf_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int walbuf_sync(sqlite3_file *file, int flags)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int walbuf_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int walbuf_lock(sqlite3_file *file, int level)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xLock(f->real, level);
}

static int walbuf_unlock(sqlite3_file *file, int level)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xUnlock(f->real, level);
}

static int walbuf_check_reserved_lock(sqlite3_file *file, int *out)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int walbuf_file_control(sqlite3_file *file, int op, void *arg)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xFileControl(f->real, op, arg);
}

static int walbuf_sector_size(sqlite3_file *file)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xSectorSize(f->real);
}

static int walbuf_device_characteristics(sqlite3_file *file)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int walbuf_shm_map(sqlite3_file *file, int page, int page_size, int extend,
                          void volatile **out)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xShmMap(f->real, page, page_size, extend, out);
}

static int walbuf_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void walbuf_shm_barrier(sqlite3_file *file)
{
    struct walbuf_file *f = walbuf(file);
    f->real->pMethods->xShmBarrier(f->real);
}

static int walbuf_shm_unmap(sqlite3_file *file, int delete_flag)
{
    struct walbuf_file *f = walbuf(file);
    return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

static int walbuf_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
    struct walbuf_file *f = walbuf(file);
    int rc = walbuf_flush(f);
    if (rc != SQLITE_OK || f->real->pMethods->iVersion < 3) {
        *out = NULL; /* no mapping: SQLite reads the page instead */
        return rc;
    }
    return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

static int walbuf_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
    struct walbuf_file *f = walbuf(file);
    if (f->real->pMethods->iVersion < 3) {
        return SQLITE_OK;
    }
    return f->real->pMethods->xUnfetch(f->real, offset, page);
}

static int walbuf_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                       int *out_flags)
{
    sqlite3_vfs *real_vfs = vfs->pAppData;
    struct walbuf_file *f = walbuf(file);
    memset(f, 0, sizeof(*f));
    f->real = (sqlite3_file *)(f + 1);
    f->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    /* SQLite calls xClose only when pMethods is set: set it once the real file is open. */
    f->base.pMethods = rc == SQLITE_OK ? &walbuf_methods : NULL;
    return rc;
}

static void walbuf_register(void)
{
    sqlite3_vfs *real_vfs = sqlite3_vfs_find(NULL);
    if (real_vfs == NULL || real_vfs->iVersion < 2) {
        return;
    }
    walbuf_vfs = *real_vfs; /* every other method is the default VFS's own */
    walbuf_vfs.zName = WALBUF_VFS_NAME;
    walbuf_vfs.pNext = NULL;
    walbuf_vfs.pAppData = real_vfs;
    walbuf_vfs.szOsFile = (int)sizeof(struct walbuf_file) + real_vfs->szOsFile;
    walbuf_vfs.xOpen = walbuf_open;
    walbuf_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = walbuf_close,
        .xRead = walbuf_read,
        .xWrite = walbuf_write,
        .xTruncate = walbuf_truncate,
        .xSync = walbuf_sync,
        .xFileSize = walbuf_file_size,
        .xLock = walbuf_lock,
        .xUnlock = walbuf_unlock,
        .xCheckReservedLock = walbuf_check_reserved_lock,
        .xFileControl = walbuf_file_control,
        .xSectorSize = walbuf_sector_size,
        .xDeviceCharacteristics = walbuf_device_characteristics,
        .xShmMap = walbuf_shm_map,
        .xShmLock = walbuf_shm_lock,
        .xShmBarrier = walbuf_shm_barrier,
        .xShmUnmap = walbuf_shm_unmap,
        .xFetch = walbuf_fetch,
        .xUnfetch = walbuf_unfetch,
    };
    walbuf_registered = sqlite3_vfs_register(&walbuf_vfs, 0);
}

const char *sqlite_walbuf_vfs(void)
{
    (void)pthread_once(&walbuf_once, walbuf_register);
    return walbuf_registered == SQLITE_OK ? WALBUF_VFS_NAME : NULL;
}
