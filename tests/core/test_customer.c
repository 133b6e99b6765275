/*
 * test_customer.c — goal: customer_validate accepts consumers and businesses and names the
 * field at fault. Method: one valid business broken one field at a time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/customer.h"
#include "core/limits.h"

static struct customer acme(void)
{
    return (struct customer){.email = "buyer@acme.example",
                             .name = "Acme Corp",
                             .type = CUSTOMER_TYPE_BUSINESS,
                             .payment_terms_days = 30,
                             .credit_limit = 1000000,
                             .has_credit_limit = true};
}

static void expect_field(const struct customer *c, const char *field)
{
    struct err err = {0};
    cr_expect_eq(customer_validate(c, &err), ERR_INVALID, "on %s", field);
    cr_expect_str_eq(err.field, field);
}

Test(customer, validate)
{
    struct err err = {0};
    struct customer c = acme();
    cr_expect_eq(customer_validate(&c, &err), ERR_OK, "%s", err.message);
    struct customer consumer = {.email = "ana@example.com"};
    cr_expect_eq(customer_validate(&consumer, &err), ERR_OK, "only the e-mail is required");
    c.email = NULL;
    expect_field(&c, "email");
    c.email = "not-an-email";
    expect_field(&c, "email");
    c = acme();
    char name[NAME_LEN_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    c.name = name;
    expect_field(&c, "name");
    c = acme();
    c.phone = "555\x01";
    expect_field(&c, "phone");
    c = acme();
    c.type = (enum customer_type)9;
    expect_field(&c, "type");
    c = acme();
    c.payment_terms_days = PAYMENT_TERMS_DAYS_MAX + 1;
    expect_field(&c, "payment_terms_days");
    c.payment_terms_days = -1;
    expect_field(&c, "payment_terms_days");
    c = acme();
    c.credit_limit = -1;
    expect_field(&c, "credit_limit");
    c.has_credit_limit = false;
    cr_expect_eq(customer_validate(&c, &err), ERR_OK, "the limit counts only when given");
}
