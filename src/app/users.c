/*
 * users.c — people who sign in to the web console (issue 8). A user has a role and scope as
 * an API key does, so every permission check is the same. Passwords are hashed with argon2id
 * (libsodium crypto_pwhash_str, interactive limits); the hash is checked on the request's
 * thread, never on the writer's. A session id is 43 random characters kept only as a
 * BLAKE2b hash; its CSRF token is random too. Failed sign-ins are counted per e-mail and lock
 * it out for the rest of APP_LOGIN_WINDOW_MS after APP_LOGIN_FAILURES_MAX of them, and per
 * client address (APP_LOGIN_IP_FAILURES_MAX, any e-mail). Admins list and change users (round 2).
 */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/str.h"

#define USERS_CSRF_LEN 32

/* Writes of sign-in and sign-out act for nobody in particular: no idempotency scope. */
static const struct principal users_nobody = {.role = ROLE_ANALYST};

static enum err_code users_check_password(const char *password, struct err *err)
{
    size_t len = password == NULL ? 0 : strlen(password);
    if (len < APP_PASSWORD_LEN_MIN || len > APP_PASSWORD_LEN_MAX) {
        return err_set(err, ERR_INVALID, "password", "password must be %d to %d characters long",
                       APP_PASSWORD_LEN_MIN, APP_PASSWORD_LEN_MAX);
    }
    return ERR_OK;
}

/* Sets the user's scope fields from scope as the role needs (as keys.c does for keys). */
static enum err_code users_scope(enum role role, const char *scope, struct user *user,
                                 struct arena *arena, struct err *err)
{
    bool needs = role == ROLE_CHANNEL || role == ROLE_WAREHOUSE || role == ROLE_CUSTOMER;
    if (needs && (scope == NULL || scope[0] == '\0')) {
        return err_set(err, ERR_INVALID, "scope", "role %s needs a scope", role_name(role));
    }
    if (!needs && scope != NULL) {
        return err_set(err, ERR_INVALID, "scope", "role %s takes no scope", role_name(role));
    }
    if (role == ROLE_CUSTOMER) {
        if (!order_email_is_valid(scope)) {
            return err_set(err, ERR_INVALID, "scope", "invalid customer e-mail '%s'", scope);
        }
        user->scope_customer = app_email_normalize(arena, scope);
    } else if (role == ROLE_CHANNEL) {
        user->scope_channel = scope;
    } else if (role == ROLE_WAREHOUSE) {
        user->scope_location = scope;
    }
    return ERR_OK;
}

static enum err_code users_create_run(struct app_write *write, struct store_conn *conn,
                                      struct err *err)
{
    struct user *user = write->arg;
    struct arena *arena = write->ctx->arena;
    enum err_code code = ERR_OK;
    if (user->scope_channel != NULL) {
        struct channel channel;
        code = store_channel_get(conn, arena, user->scope_channel, &channel, err);
    } else if (user->scope_location != NULL) {
        struct location location;
        code = store_location_get(conn, arena, user->scope_location, &location, err);
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "scope", "no channel or location with that code");
    }
    if (code != ERR_OK) {
        return code;
    }
    code = store_user_insert(conn, user, err);
    if (code == ERR_CONFLICT) {
        return err_set(err, ERR_CONFLICT, "email", "a user with e-mail %s exists", user->email);
    }
    return code;
}

enum err_code app_user_create(struct app_ctx *ctx, const struct app_user_input *input,
                              const char **id_out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL && id_out != NULL);
    const char *email = input->email;
    const char *password = input->password;
    enum role role = input->role;
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    if (code != ERR_OK) {
        return code;
    }
    if ((int)role < 0 || role >= ROLE_COUNT) {
        return err_set(err, ERR_INVALID, "role", "unknown role");
    }
    if (email == NULL || !order_email_is_valid(email)) {
        return err_set(err, ERR_INVALID, "email", "invalid e-mail address");
    }
    code = users_check_password(password, err);
    struct user user;
    memset(&user, 0, sizeof(user));
    if (code == ERR_OK) {
        code = users_scope(role, input->scope, &user, ctx->arena, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory hashing the password");
    }
    char id[ID_LEN_MAX];
    id_new(id, "usr", ctx->now_ms);
    user.id = arena_strdup(ctx->arena, id);
    user.email = app_email_normalize(ctx->arena, email);
    user.password_hash = arena_strdup(ctx->arena, hash);
    user.role = role;
    user.created_at_ms = ctx->now_ms;
    if (user.id == NULL || user.email == NULL || user.password_hash == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct app_write write = {.ctx = ctx, .run = users_create_run, .arg = &user};
    code = app_write_run(&write, err);
    if (code == ERR_OK) {
        *id_out = user.id;
    }
    return code;
}

/* ---- sessions ---------------------------------------------------------------------------- */

static const char *users_scope_of(const struct user *user)
{
    if (user->scope_channel != NULL) {
        return user->scope_channel;
    }
    return user->scope_location != NULL ? user->scope_location : user->scope_customer;
}

static void users_fill(struct app_session *out, const struct user *user, const char *csrf,
                       int64_t expires_at_ms)
{
    out->csrf_token = csrf;
    out->user_id = user->id;
    out->email = user->email;
    out->role = user->role;
    out->scope = users_scope_of(user);
    out->expires_at_ms = expires_at_ms;
}

/* A hash to check passwords of unknown users against, so that they take as long. */
static char users_dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t users_dummy_once = PTHREAD_ONCE_INIT;

static void users_dummy_init(void)
{
    static const char dummy[] = "not the password of anyone";
    if (crypto_pwhash_str(users_dummy_hash, dummy, sizeof(dummy) - 1,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        users_dummy_hash[0] = '\0';
    }
}

/* At most USERS_HASHES_MAX password checks run at once (each takes 64 MiB and ~0.1 s), so a
 * burst of sign-ins queues here instead of exhausting memory. */
#define USERS_HASHES_MAX 4
static pthread_mutex_t users_hash_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t users_hash_free = PTHREAD_COND_INITIALIZER;
static int users_hashes_running;

static void users_hash_enter(void)
{
    pthread_mutex_lock(&users_hash_mutex);
    while (users_hashes_running >= USERS_HASHES_MAX) {
        pthread_cond_wait(&users_hash_free, &users_hash_mutex);
    }
    users_hashes_running++;
    pthread_mutex_unlock(&users_hash_mutex);
}

static void users_hash_leave(void)
{
    pthread_mutex_lock(&users_hash_mutex);
    users_hashes_running--;
    pthread_cond_signal(&users_hash_free);
    pthread_mutex_unlock(&users_hash_mutex);
}

/* True when password is the user's (user NULL: checks a dummy hash and answers false). */
static bool users_password_matches(const struct user *user, const char *password)
{
    const char *hash = NULL;
    if (user != NULL && user->disabled_at_ms == 0) {
        hash = user->password_hash;
    } else {
        (void)pthread_once(&users_dummy_once, users_dummy_init);
        hash = users_dummy_hash;
    }
    users_hash_enter();
    bool ok = hash[0] != '\0' && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    users_hash_leave();
    return ok && user != NULL && user->disabled_at_ms == 0;
}

struct users_signin_arg {
    const char *email;
    const char *ip_key; /* "ip:<address>", or NULL */
    bool succeeded;
    struct session session;
};

static enum err_code users_signin_run(struct app_write *write, struct store_conn *conn,
                                      struct err *err)
{
    struct users_signin_arg *arg = write->arg;
    int64_t now_ms = write->ctx->now_ms;
    if (!arg->succeeded) {
        enum err_code code =
            store_login_failure_add(conn, arg->email, now_ms, now_ms - APP_LOGIN_WINDOW_MS, err);
        if (code == ERR_OK && arg->ip_key != NULL) {
            code = store_login_failure_add(conn, arg->ip_key, now_ms, now_ms - APP_LOGIN_WINDOW_MS,
                                           err);
        }
        return code;
    }
    enum err_code code = store_login_failures_clear(conn, arg->email, err);
    if (code == ERR_OK) {
        code = store_session_purge(conn, now_ms, err);
    }
    if (code == ERR_OK) {
        code = store_session_insert(conn, &arg->session, err);
    }
    return code;
}

/* What sign-in reads before checking the password. */
struct users_signin_facts {
    struct user user;
    bool found;           /* the user exists */
    int64_t failures;     /* failed sign-ins of the e-mail in the window */
    int64_t oldest_ms;    /* the oldest of them */
    int64_t ip_failures;  /* failed sign-ins from the client address in the window */
    int64_t ip_oldest_ms; /* the oldest of those */
};

/* Reads the user and the recent failures of the e-mail and of the client address. */
static enum err_code users_signin_read(struct app_ctx *ctx, const struct users_signin_arg *arg,
                                       struct users_signin_facts *facts, struct err *err)
{
    const char *email = arg->email;
    struct user *user = &facts->user;
    bool *found = &facts->found;
    int64_t *failures = &facts->failures;
    int64_t *oldest_ms = &facts->oldest_ms;
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = store_login_failures_count(conn, email, ctx->now_ms - APP_LOGIN_WINDOW_MS, failures,
                                      oldest_ms, err);
    if (code == ERR_OK && arg->ip_key != NULL) {
        code = store_login_failures_count(conn, arg->ip_key, ctx->now_ms - APP_LOGIN_WINDOW_MS,
                                          &facts->ip_failures, &facts->ip_oldest_ms, err);
    }
    if (code == ERR_OK) {
        code = store_user_get_by_email(conn, ctx->arena, email, user, err);
        *found = code == ERR_OK;
        if (code == ERR_NOT_FOUND) {
            err_clear(err);
            code = ERR_OK;
        }
    }
    app_read_end(ctx, conn);
    return code;
}

/* Runs the sign-in's write: a failure recorded, or the new session stored. */
static enum err_code users_signin_write(struct app_ctx *ctx, struct users_signin_arg *arg,
                                        struct err *err)
{
    struct app_ctx write_ctx = *ctx;
    write_ctx.principal = &users_nobody;
    struct app_write write = {.ctx = &write_ctx, .run = users_signin_run, .arg = arg};
    return app_write_run(&write, err);
}

/* A new random session for user: its token and CSRF token into out, its row into arg. */
static enum err_code users_session_new(struct app_ctx *ctx, const struct user *user,
                                       struct users_signin_arg *arg, struct app_session *out,
                                       struct err *err)
{
    char token[APP_SESSION_TOKEN_LEN + 1];
    char csrf[USERS_CSRF_LEN + 1];
    id_random_alnum(token, APP_SESSION_TOKEN_LEN);
    id_random_alnum(csrf, USERS_CSRF_LEN);
    id_hash(arg->session.id_hash, token, APP_SESSION_TOKEN_LEN);
    arg->session.user_id = user->id;
    arg->session.csrf_token = arena_strdup(ctx->arena, csrf);
    arg->session.created_at_ms = ctx->now_ms;
    arg->session.expires_at_ms = ctx->now_ms + APP_SESSION_TTL_MS;
    out->token = arena_strdup(ctx->arena, token);
    if (out->token == NULL || arg->session.csrf_token == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    users_fill(out, user, arg->session.csrf_token, arg->session.expires_at_ms);
    return ERR_OK;
}

/* ERR_BUSY when the e-mail is locked out or the address has failed too often; else ERR_OK. */
static enum err_code users_signin_limits(const struct app_ctx *ctx,
                                         const struct users_signin_facts *facts,
                                         int64_t *retry_after_s, struct err *err)
{
    bool locked = facts->failures >= APP_LOGIN_FAILURES_MAX;
    bool busy = facts->ip_failures >= APP_LOGIN_IP_FAILURES_MAX;
    if (!locked && !busy) {
        return ERR_OK;
    }
    int64_t wait_ms =
        (locked ? facts->oldest_ms : facts->ip_oldest_ms) + APP_LOGIN_WINDOW_MS - ctx->now_ms;
    *retry_after_s = wait_ms <= 0 ? 1 : (wait_ms + 999) / 1000;
    if (locked) {
        return err_set_reason(err, ERR_BUSY, "locked_out", "email",
                              "too many failed sign-ins: try again in %lld seconds",
                              (long long)*retry_after_s);
    }
    return err_set_reason(err, ERR_BUSY, "rate_limited", NULL,
                          "too many failed sign-ins from this address: try again in %lld seconds",
                          (long long)*retry_after_s);
}

enum err_code app_session_create(struct app_ctx *ctx, struct app_signin *in,
                                 struct app_session *out, struct err *err)
{
    ASSERT(ctx != NULL && in != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    in->retry_after_s = 0;
    const char *email = in->email;
    const char *password = in->password;
    if (email == NULL || !order_email_is_valid(email)) {
        return err_set(err, ERR_INVALID, "email", "invalid e-mail address");
    }
    if (password == NULL || password[0] == '\0' || strlen(password) > APP_PASSWORD_LEN_MAX) {
        return err_set(err, ERR_INVALID, "password", "password must be 1 to %d characters long",
                       APP_PASSWORD_LEN_MAX);
    }
    struct users_signin_arg arg = {.email = app_email_normalize(ctx->arena, email)};
    if (in->client_ip != NULL) {
        arg.ip_key = arena_sprintf(ctx->arena, "ip:%s", in->client_ip);
    }
    struct users_signin_facts facts;
    memset(&facts, 0, sizeof(facts));
    enum err_code code = users_signin_read(ctx, &arg, &facts, err);
    if (code == ERR_OK) {
        code = users_signin_limits(ctx, &facts, &in->retry_after_s, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    arg.succeeded = users_password_matches(facts.found ? &facts.user : NULL, password);
    if (arg.succeeded) {
        code = users_session_new(ctx, &facts.user, &arg, out, err);
    }
    if (code == ERR_OK) {
        code = users_signin_write(ctx, &arg, err);
    }
    if (code == ERR_OK && !arg.succeeded) {
        code = err_set(err, ERR_AUTH, NULL, "wrong e-mail or password");
    }
    return code;
}

/* True for exactly APP_SESSION_TOKEN_LEN characters of [A-Za-z0-9]. */
static bool users_token_is_valid(const char *token)
{
    if (token == NULL || strlen(token) != APP_SESSION_TOKEN_LEN) {
        return false;
    }
    for (size_t i = 0; i < APP_SESSION_TOKEN_LEN; i++) {
        char c = token[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

enum err_code app_session_resolve(struct app_ctx *ctx, const char *token, struct app_session *out,
                                  struct principal *principal, struct err *err)
{
    ASSERT(ctx != NULL && out != NULL && principal != NULL);
    memset(out, 0, sizeof(*out));
    if (!users_token_is_valid(token)) {
        return err_set(err, ERR_AUTH, NULL, "not signed in");
    }
    unsigned char hash[ID_HASH_BYTES];
    id_hash(hash, token, APP_SESSION_TOKEN_LEN);
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct session session;
    struct user user;
    code = store_session_get(conn, ctx->arena, hash, &session, &user, err);
    app_read_end(ctx, conn);
    if (code == ERR_NOT_FOUND ||
        (code == ERR_OK && (session.expires_at_ms <= ctx->now_ms || user.disabled_at_ms != 0))) {
        err_clear(err);
        return err_set(err, ERR_AUTH, NULL, "not signed in");
    }
    if (code != ERR_OK) {
        return code;
    }
    users_fill(out, &user, session.csrf_token, session.expires_at_ms);
    memset(principal, 0, sizeof(*principal));
    principal->role = user.role;
    principal->key_id = user.id;
    principal->scope_channel = user.scope_channel;
    principal->scope_location = user.scope_location;
    principal->scope_customer = user.scope_customer;
    return ERR_OK;
}

struct users_signout_arg {
    unsigned char id_hash[ID_HASH_BYTES];
};

static enum err_code users_signout_run(struct app_write *write, struct store_conn *conn,
                                       struct err *err)
{
    struct users_signout_arg *arg = write->arg;
    return store_session_delete(conn, arg->id_hash, err);
}

enum err_code app_session_delete(struct app_ctx *ctx, const char *token, struct err *err)
{
    ASSERT(ctx != NULL);
    if (!users_token_is_valid(token)) {
        return ERR_OK;
    }
    struct users_signout_arg arg;
    id_hash(arg.id_hash, token, APP_SESSION_TOKEN_LEN);
    struct app_ctx write_ctx = *ctx;
    write_ctx.principal = &users_nobody;
    struct app_write write = {.ctx = &write_ctx, .run = users_signout_run, .arg = &arg};
    return app_write_run(&write, err);
}

/* ---- people management (web console round 2) --------------------------------------------- */

/* Users are handed out without their password hashes. */
static void users_forget_hashes(struct user *users, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        users[i].password_hash = NULL;
    }
}

enum err_code app_user_list(struct app_ctx *ctx, const char *after_email, size_t limit,
                            struct user **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && out != NULL && count != NULL);
    ASSERT(limit > 0 && limit <= APP_USERS_PAGE_MAX);
    *out = NULL;
    *count = 0;
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct user_page page = {.after_email = after_email, .limit = limit};
    code = store_user_list(conn, ctx->arena, &page, out, count, err);
    app_read_end(ctx, conn);
    users_forget_hashes(*out, *count);
    return code;
}

/* A user by id ("usr_...") or e-mail; ERR_NOT_FOUND naming it when there is none. */
static enum err_code users_find(struct app_ctx *ctx, struct store_conn *conn,
                                const char *id_or_email, struct user *out, struct err *err)
{
    memset(out, 0, sizeof(*out));
    enum err_code code = ERR_NOT_FOUND;
    if (strncmp(id_or_email, "usr_", 4) == 0) {
        code = store_user_get(conn, ctx->arena, id_or_email, out, err);
    } else if (order_email_is_valid(id_or_email)) {
        const char *email = app_email_normalize(ctx->arena, id_or_email);
        code = email == NULL ? ERR_NOT_FOUND
                             : store_user_get_by_email(conn, ctx->arena, email, out, err);
    }
    if (code == ERR_NOT_FOUND) {
        err_clear(err);
        return err_set(err, ERR_NOT_FOUND, NULL, "no user '%s'", id_or_email);
    }
    return code;
}

enum err_code app_user_get(struct app_ctx *ctx, const char *id_or_email, struct user *out,
                           struct err *err)
{
    ASSERT(ctx != NULL && id_or_email != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    code = users_find(ctx, conn, id_or_email, out, err);
    app_read_end(ctx, conn);
    out->password_hash = NULL;
    return code;
}

struct users_update_arg {
    const struct app_user_patch *patch;
    struct user scoped;   /* with patch->has_role: the scope fields the role takes */
    const char *new_hash; /* the new password's hash, or NULL */
    struct user *out;     /* the user after the change */
};

/* How many enabled admins there are. */
static enum err_code users_enabled_admins(struct app_ctx *ctx, struct store_conn *conn,
                                          int64_t *admins, struct err *err)
{
    *admins = 0;
    struct user_page page = {.after_email = NULL, .limit = APP_USERS_PAGE_MAX};
    for (;;) {
        struct user *users = NULL;
        size_t count = 0;
        enum err_code code = store_user_list(conn, ctx->arena, &page, &users, &count, err);
        if (code != ERR_OK) {
            return code;
        }
        for (size_t i = 0; i < count; i++) {
            *admins += users[i].role == ROLE_ADMIN && users[i].disabled_at_ms == 0 ? 1 : 0;
        }
        if (count < APP_USERS_PAGE_MAX) {
            return ERR_OK;
        }
        page.after_email = users[count - 1].email;
    }
}

/* Refuses a change that would lock people out: of oneself, or of the last enabled admin. */
static enum err_code users_update_allowed(struct app_write *write, struct store_conn *conn,
                                          const struct user *user, struct err *err)
{
    const struct app_user_patch *patch = ((struct users_update_arg *)write->arg)->patch;
    bool disable = patch->has_disabled && patch->disabled && user->disabled_at_ms == 0;
    bool new_role = patch->has_role && patch->role != user->role;
    const char *self = write->ctx->principal->key_id;
    if ((disable || new_role) && self != NULL && user->id != NULL && strcmp(self, user->id) == 0) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              "you cannot disable yourself or change your own role");
    }
    if (user->role != ROLE_ADMIN || user->disabled_at_ms != 0 || !(disable || new_role)) {
        return ERR_OK;
    }
    int64_t admins = 0;
    enum err_code code = users_enabled_admins(write->ctx, conn, &admins, err);
    if (code == ERR_OK && admins <= 1) {
        code = err_set_reason(err, ERR_STATE, "invalid_state", NULL, "%s is the last enabled admin",
                              user->email);
    }
    return code;
}

/* The channel or location of a scope exists (a customer's e-mail need not). */
static enum err_code users_scope_exists(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct user *user, struct err *err)
{
    enum err_code code = ERR_OK;
    if (user->scope_channel != NULL) {
        struct channel channel;
        code = store_channel_get(conn, ctx->arena, user->scope_channel, &channel, err);
    } else if (user->scope_location != NULL) {
        struct location location;
        code = store_location_get(conn, ctx->arena, user->scope_location, &location, err);
    }
    if (code == ERR_NOT_FOUND) {
        err_clear(err);
        return err_set(err, ERR_INVALID, "scope", "no channel or location with that code");
    }
    return code;
}

static enum err_code users_update_run(struct app_write *write, struct store_conn *conn,
                                      struct err *err)
{
    struct users_update_arg *arg = write->arg;
    const struct app_user_patch *patch = arg->patch;
    struct user user;
    enum err_code code = users_find(write->ctx, conn, patch->id_or_email, &user, err);
    if (code == ERR_OK) {
        code = users_update_allowed(write, conn, &user, err);
    }
    if (code == ERR_OK && patch->has_role) {
        code = users_scope_exists(write->ctx, conn, &arg->scoped, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    bool ends_sessions = arg->new_hash != NULL || (patch->has_role && patch->role != user.role);
    if (patch->has_role) {
        user.role = patch->role;
        user.scope_channel = arg->scoped.scope_channel;
        user.scope_location = arg->scoped.scope_location;
        user.scope_customer = arg->scoped.scope_customer;
    }
    if (patch->has_disabled && patch->disabled) {
        ends_sessions = true;
        user.disabled_at_ms = user.disabled_at_ms != 0 ? user.disabled_at_ms : write->ctx->now_ms;
    } else if (patch->has_disabled) {
        user.disabled_at_ms = 0;
    }
    if (arg->new_hash != NULL) {
        user.password_hash = arg->new_hash;
    }
    code = store_user_update(conn, &user, err);
    if (code == ERR_OK && ends_sessions) {
        code = store_session_delete_user(conn, user.id, err);
    }
    *arg->out = user;
    return code;
}

/* The argon2id hash of a new password (on the caller's thread, never the writer's). */
static enum err_code users_hash_new(struct app_ctx *ctx, const char *password, const char **out,
                                    struct err *err)
{
    enum err_code code = users_check_password(password, err);
    if (code != ERR_OK) {
        return code;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory hashing the password");
    }
    *out = arena_strdup(ctx->arena, hash);
    sodium_memzero(hash, sizeof(hash));
    if (*out == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

enum err_code app_user_update(struct app_ctx *ctx, const struct app_user_patch *patch,
                              struct user *out, struct err *err)
{
    ASSERT(ctx != NULL && patch != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    if (code != ERR_OK) {
        return code;
    }
    if (patch->id_or_email == NULL || patch->id_or_email[0] == '\0') {
        return err_set(err, ERR_NOT_FOUND, NULL, "no such user");
    }
    if (!patch->has_role && !patch->has_disabled && patch->password == NULL) {
        return err_set(err, ERR_INVALID, NULL,
                       "nothing to change: give role, disabled or password");
    }
    struct users_update_arg arg;
    memset(&arg, 0, sizeof(arg));
    arg.patch = patch;
    arg.out = out;
    if (patch->has_role) {
        if ((int)patch->role < 0 || patch->role >= ROLE_COUNT) {
            return err_set(err, ERR_INVALID, "role", "unknown role");
        }
        code = users_scope(patch->role, patch->scope, &arg.scoped, ctx->arena, err);
    }
    if (code == ERR_OK && patch->password != NULL) {
        code = users_hash_new(ctx, patch->password, &arg.new_hash, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct app_write write = {.ctx = ctx, .run = users_update_run, .arg = &arg};
    code = app_write_run(&write, err);
    out->password_hash = NULL;
    return code;
}
