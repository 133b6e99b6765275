/*
 * test_json.c — goal: the JSON writer produces valid, exactly expected text: escaping,
 * nesting, commas, and a sticky error past the buffer's limit. Method: write small documents
 * and compare the text byte for byte.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"

static struct buf buf;
static struct jw jw;

static void setup(void)
{
    buf_init(&buf, 4096);
    jw_init(&jw, &buf);
}

static void teardown(void)
{
    buf_release(&buf);
}

Test(json, escaping, .init = setup, .fini = teardown)
{
    jw_array_begin(&jw);
    jw_string(&jw, "say \"hi\"\\");
    jw_string(&jw, "a\nb\tc\x01\x1f");
    jw_stringn(&jw, "nul\0x", 5);
    jw_string(&jw, "Z\xc3\xbcrich </script>");
    jw_string(&jw, NULL);
    jw_array_end(&jw);
    cr_assert_eq(jw_finish(&jw), ERR_OK);
    cr_expect_str_eq(buf.ptr, "[\"say \\\"hi\\\"\\\\\",\"a\\nb\\u0009c\\u0001\\u001f\","
                              "\"nul\\u0000x\",\"Z\xc3\xbcrich </script>\",null]");
}

Test(json, nesting_and_commas, .init = setup, .fini = teardown)
{
    jw_object_begin(&jw);
    jw_kv_string(&jw, "id", "o_1");
    jw_kv_int(&jw, "total", -6317);
    jw_key(&jw, "lines");
    jw_array_begin(&jw);
    jw_object_begin(&jw);
    jw_kv_int(&jw, "qty", 2);
    jw_kv_bool(&jw, "kit", false);
    jw_object_end(&jw);
    jw_object_begin(&jw);
    jw_object_end(&jw);
    jw_array_begin(&jw);
    jw_array_end(&jw);
    jw_array_end(&jw);
    jw_kv_null(&jw, "note");
    jw_kv_double(&jw, "rate", 0.97);
    jw_kv_double(&jw, "bad", 1.0 / 0.0);
    jw_kv_time(&jw, "at", 0);
    jw_kv_time(&jw, "created_at", 1795860900000LL);
    jw_kv_raw(&jw, "raw", "{\"a\":1}");
    jw_key(&jw, "day");
    jw_day(&jw, 20790);
    jw_kv_int(&jw, "min", INT64_MIN);
    jw_object_end(&jw);
    cr_assert_eq(jw_finish(&jw), ERR_OK);
    cr_expect_str_eq(buf.ptr,
                     "{\"id\":\"o_1\",\"total\":-6317,\"lines\":[{\"qty\":2,\"kit\":false},"
                     "{},[]],\"note\":null,\"rate\":0.97,\"bad\":null,\"at\":null,"
                     "\"created_at\":\"2026-11-28T10:15:00Z\",\"raw\":{\"a\":1},"
                     "\"day\":\"2026-12-03\",\"min\":-9223372036854775808}");
}

Test(json, keys_are_escaped_too, .init = setup, .fini = teardown)
{
    jw_object_begin(&jw);
    jw_kv_int(&jw, "a\"b", 1);
    jw_object_end(&jw);
    cr_assert_eq(jw_finish(&jw), ERR_OK);
    cr_expect_str_eq(buf.ptr, "{\"a\\\"b\":1}");
}

Test(json, sticky_error_past_limit)
{
    struct buf small;
    buf_init(&small, 16);
    struct jw w;
    jw_init(&w, &small);
    jw_array_begin(&w);
    jw_string(&w, "this string is far too long for sixteen bytes");
    jw_int(&w, 1);
    jw_array_end(&w);
    cr_expect_eq(jw_finish(&w), ERR_TOO_LARGE);
    cr_expect(small.len <= 16);
    buf_release(&small);
}

Test(json, append_string, .init = setup, .fini = teardown)
{
    cr_assert_eq(json_append_string(&buf, "q\"", 2), ERR_OK);
    cr_expect_str_eq(buf.ptr, "\"q\\\"\"");
}

Test(json, invalid_utf8_becomes_replacement_character, .init = setup, .fini = teardown)
{
    jw_array_begin(&jw);
    jw_string(&jw, "ord_\xff");                  /* a stray byte, as from a URL's %FF */
    jw_string(&jw, "a\xc3");                     /* a truncated two-byte character */
    jw_string(&jw, "\xe0\x80\xaf|\xed\xa0\x80"); /* overlong form, surrogate */
    jw_string(&jw, "\xf0\x9f\x93\xa6 box");      /* valid four bytes stay as they are */
    jw_array_end(&jw);
    cr_assert_eq(jw_finish(&jw), ERR_OK);
    cr_expect_str_eq(
        buf.ptr, "[\"ord_\xef\xbf\xbd\",\"a\xef\xbf\xbd\","
                 "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
                 "\"\xf0\x9f\x93\xa6 box\"]");
}

/* Keys and strings short and long, plain or not, read back by jansson as written (the short
 * plain ones take a one-append path, the rest the escaping one). */
Test(json, strings_and_keys_read_back)
{
    static const char alphabet[] = "abcXYZ09 -_.:/\"\\\n\t\x01\x7f\xc3\xbc";
    uint64_t x = 1234567;
    for (int round = 0; round < 300; round++) {
        struct buf out;
        buf_init(&out, 1 << 20);
        struct jw w;
        jw_init(&w, &out);
        char keys[3][700];
        char values[3][700];
        jw_object_begin(&w);
        for (int k = 0; k < 3; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            size_t len = 3 + (size_t)(x % 600);
            bool plain = (x & 8) != 0;
            for (int which = 0; which < 2; which++) {
                char *text = which == 0 ? keys[k] : values[k];
                for (size_t i = 0; i < len; i++) {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    /* plain: letters and punctuation only; else any of the alphabet but the
                     * two-byte ü (kept whole below) */
                    size_t pick = (size_t)(x % (plain ? 14 : sizeof(alphabet) - 3));
                    text[i] = alphabet[pick];
                }
                text[len] = '\0';
                text[0] = 'k'; /* the keys of one object differ */
                text[1] = (char)('0' + k);
                text[2] = (char)('0' + which);
            }
            jw_kv_string(&w, keys[k], values[k]);
        }
        jw_object_end(&w);
        cr_assert_eq(jw_finish(&w), ERR_OK);
        json_error_t error;
        json_t *doc = json_loads(out.ptr, 0, &error);
        cr_assert_not_null(doc, "round %d: %s in %s", round, error.text, out.ptr);
        for (int k = 0; k < 3; k++) {
            json_t *value = json_object_get(doc, keys[k]);
            cr_assert_not_null(value, "round %d: key %d missing", round, k);
            cr_assert_str_eq(json_string_value(value), values[k]);
        }
        json_decref(doc);
        buf_release(&out);
    }
}

/* What jw_double wrote before its short path: %.15g when that reads back, else %.17g. */
static void double_reference(double value, char out[40])
{
    snprintf(out, 40, "%.15g", value);
    if (strtod(out, NULL) != value) {
        snprintf(out, 40, "%.17g", value);
    }
}

static void expect_double_text(double value)
{
    char want[40];
    double_reference(value, want);
    struct buf out;
    buf_init(&out, 128);
    struct jw w;
    jw_init(&w, &out);
    jw_double(&w, value);
    cr_assert_eq(jw_finish(&w), ERR_OK);
    cr_assert_str_eq(out.ptr, want, "%.17g", value);
    cr_assert_eq(strtod(out.ptr, NULL), value, "%s does not read back", out.ptr);
    buf_release(&out);
}

/* Decimals of 0 to 8 places over every magnitude the short path takes and beyond it (and
 * random doubles of full precision) print exactly as snprintf's %.15g/%.17g did. */
Test(json, doubles_print_as_snprintf_did)
{
    static const double edges[] = {0.0,      -0.0,        1e-4,
                                   -1e-4,    9.99999e-5,  1e9,
                                   -1e9,     999999999.5, 123456789.123456,
                                   0.1,      0.7,         961.7,
                                   -71.4128, 40.7128,     1e14,
                                   1e22,     5e-324,      1.7976931348623157e308,
                                   2.5,      1234567.25};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        expect_double_text(edges[i]);
    }
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 300000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int places = (int)(x % 9);
        int64_t digits = (int64_t)((x >> 8) % 100000000000000ULL) >> (int)((x >> 60) * 3);
        double value = (double)digits;
        for (int p = 0; p < places; p++) {
            value /= 10; /* not always the nearest double to the decimal: both paths are tried */
        }
        if ((x & 1) != 0) {
            value = -value;
        }
        expect_double_text(value);
        double bits_value;
        uint64_t bits = x;
        memcpy(&bits_value, &bits, sizeof(bits_value));
        if (isfinite(bits_value)) {
            expect_double_text(bits_value);
        }
    }
}
