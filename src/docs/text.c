/*
 * text.c — what the documents print as text: UTF-8 brought down to Windows-1252 (the WinAnsi
 * encoding of the PDF base-14 fonts) and amounts of money with their currency's exponent. Pure:
 * no libHaru here, so both are unit-tested on their own.
 */
#include "docs/docs.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

/* U+0100..U+017F (Latin Extended-A) without their accents; cp1252 has Œ œ Š š Ÿ Ž ž itself. */
static const char text_latin_ext_a[] = "AaAaAaCcCcCcCcDd"
                                       "DdEeEeEeEeEeGgGg"
                                       "GgGgHhHhIiIiIiIi"
                                       "IiIiJjKkkLlLlLlL"
                                       "lLlNnNnNnnNnOoOo"
                                       "OoOoRrRrRrSsSsSs"
                                       "SsTtTtTtUuUuUuUu"
                                       "UuUuWwYyYZzZzZzs";

static_assert(sizeof(text_latin_ext_a) == 0x80 + 1, "one letter per code point of the block");

struct text_cp1252 {
    uint32_t code_point;
    unsigned char byte;
};

/* The cp1252 bytes 0x80..0x9F that are not C1 controls. */
static const struct text_cp1252 text_cp1252_extra[] = {
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86},
    {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
    {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
    {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
    {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F},
};

/*
 * Decodes one UTF-8 sequence at s (not NUL). Returns its length in bytes (>= 1) and the code
 * point in *cp, or U+FFFD with length 1 for a broken, overlong or surrogate sequence.
 */
static size_t text_decode(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = 0;
    uint32_t value = 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        value = s[0] & 0x1Fu;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        value = s[0] & 0x0Fu;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        value = s[0] & 0x07u;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { /* also stops at the NUL */
            len = 0;
            break;
        }
        value = (value << 6) | (s[i] & 0x3Fu);
    }
    if (len == 0 || value < min_for_len[len] || value > 0x10FFFF ||
        (value >= 0xD800 && value <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = value;
    return len;
}

/* The cp1252 byte drawn for a code point ('?' when there is none). */
static unsigned char text_byte(uint32_t cp)
{
    if (cp == '\t') {
        return ' ';
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
        return '?';
    }
    if (cp < 0x100) {
        return (unsigned char)cp;
    }
    for (size_t i = 0; i < ARRAY_LEN(text_cp1252_extra); i++) {
        if (text_cp1252_extra[i].code_point == cp) {
            return text_cp1252_extra[i].byte;
        }
    }
    if (cp >= 0x100 && cp < 0x180) {
        return (unsigned char)text_latin_ext_a[cp - 0x100];
    }
    return '?';
}

void docs_text_winansi(const char *text, char *out, size_t out_size)
{
    ASSERT(out != NULL);
    ASSERT(out_size > 0);
    size_t used = 0;
    const unsigned char *s = (const unsigned char *)(text == NULL ? "" : text);
    while (*s != '\0' && used + 1 < out_size) {
        uint32_t cp = 0;
        s += text_decode(s, &cp);
        out[used++] = (char)text_byte(cp);
    }
    out[used] = '\0';
    ASSERT(used < out_size);
}

void docs_format_amount(int64_t amount, const char *currency, char out[DOCS_AMOUNT_LEN_MAX])
{
    ASSERT(out != NULL);
    bool known = currency != NULL && money_currency_is_valid(currency);
    int exponent = known ? money_currency_exponent(currency) : 2;
    ASSERT(exponent >= 0 && exponent <= 4);
    /* The magnitude as an unsigned number, so INT64_MIN does not overflow. */
    uint64_t magnitude = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%0*" PRIu64, exponent + 1, magnitude);
    ASSERT(n > exponent && (size_t)n < sizeof(digits));
    size_t whole = (size_t)n - (size_t)exponent;
    char text[DOCS_AMOUNT_LEN_MAX]; /* sign, digits and separators, not terminated */
    size_t used = 0;
    if (amount < 0) {
        text[used++] = '-';
    }
    for (size_t i = 0; i < whole; i++) {
        if (i > 0 && (whole - i) % 3 == 0) {
            text[used++] = ',';
        }
        text[used++] = digits[i];
    }
    if (exponent > 0) {
        text[used++] = '.';
        memcpy(text + used, digits + whole, (size_t)exponent);
        used += (size_t)exponent;
    }
    const char *code = known ? currency : "?";
    size_t code_len = strlen(code);
    ASSERT(used + 1 + code_len < DOCS_AMOUNT_LEN_MAX);
    memcpy(out, text, used);
    out[used] = ' ';
    memcpy(out + used + 1, code, code_len + 1);
}
