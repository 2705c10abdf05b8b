/* check_isocodes.c - countries and languages resolved from Debian's
 * iso-codes data (indexer/isocodes.c). The real data is a declared
 * dependency: without it these tests fail and say so. Expected translations
 * were checked with msgunfmt against iso-codes 4.15 (Debian 12). */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isocodes.h"

static iso_db *db;

/* Each test runs in its own process (CK_FORK): the real data, loaded once
 * per test. */
static const iso_db *real(void)
{
    char *err = NULL;
    if (!db) {
        int rc = iso_db_load(&db, NULL, &err);
        ck_assert_msg(rc == 0, "cannot load the iso-codes data (install Debian's iso-codes "
                               "package, see scripts/install-deps): %s", err ? err : "?");
    }
    return db;
}

static void teardown(void)
{
    iso_db_free(db);
    db = NULL;
}

static void country_is(const char *text, const char *code)
{
    char out[3] = "?";
    int rc = iso_country(real(), text, out);
    ck_assert_msg(rc == 0, "'%s' is no country", text);
    ck_assert_msg(strcmp(out, code) == 0, "'%s' gave %s, not %s", text, out, code);
}

static void no_country(const char *text)
{
    char out[3] = "?";
    ck_assert_msg(iso_country(real(), text, out) == -1, "'%s' gave %s", text, out);
    ck_assert_str_eq(out, "");
}

static void language_is(const char *text, const char *code)
{
    char out[4] = "?";
    int rc = iso_language(real(), text, out);
    ck_assert_msg(rc == 0, "'%s' is no language", text);
    ck_assert_msg(strcmp(out, code) == 0, "'%s' gave %s, not %s", text, out, code);
}

static void no_language(const char *text)
{
    char out[4] = "?";
    ck_assert_msg(iso_language(real(), text, out) == -1, "'%s' gave %s", text, out);
    ck_assert_str_eq(out, "");
}

/* ---- countries ------------------------------------------------------------- */

START_TEST(test_isocodes_iso_country__codes)
{
    country_is("BY", "BY");
    country_is("by", "BY");
    country_is("BLR", "BY");
    country_is("blr", "BY");
    country_is(" RU ", "RU");
    country_is("civ", "CI");
}
END_TEST

START_TEST(test_isocodes_iso_country__english_names)
{
    country_is("Belarus", "BY");
    country_is("belarus", "BY");
    country_is("BELARUS", "BY");
    country_is("Republic of Belarus", "BY");       /* official name */
    country_is("Russian Federation", "RU");
    country_is("Bolivia", "BO");                   /* common name */
    country_is("Bolivia, Plurinational State of", "BO");
    country_is("Côte d'Ivoire", "CI");
    country_is("cote d'ivoire", "CI");
    country_is("COTE D\xE2\x80\x99IVOIRE", "CI");     /* typographic apostrophe */
    country_is("Co\xCC\x82te  d'Ivoire", "CI");       /* decomposed accent, two spaces */
    country_is("Azerbaijan", "AZ");
}
END_TEST

START_TEST(test_isocodes_iso_country__translations)
{
    country_is("Беларусь", "BY");                  /* ru, be */
    country_is("БЕЛАРУСЬ", "BY");
    country_is("Białoruś", "BY");                  /* pl */
    country_is("bialorus", "BY");
    country_is("Republik Belarus", "BY");          /* de, official name */
    country_is("Weißrussland", "BY");              /* bar */
    country_is("Weissrussland", "BY");
    country_is("Aserbaidschan", "AZ");             /* de */
    country_is("Азербайджан", "AZ");               /* ru */
    country_is("Russia", "RU");                    /* it: no English name says "Russia" */
    country_is("Russische Föderation", "RU");      /* de */
    country_is("Российская Федерация", "RU");      /* ru */
    country_is("Wybrzeże Kości Słoniowej", "CI");  /* pl */
    country_is("Ελλάδα", "GR");                    /* el */
    country_is("ελλαδα", "GR");
}
END_TEST

START_TEST(test_isocodes_iso_country__unknown)
{
    no_country("Atlantis");
    no_country("XX");
    no_country("Soviet Union");        /* ISO 3166-3: no longer a country */
    no_country("");
    no_country("   ");
    no_country("Bela\xFFrus");         /* not UTF-8 */
    no_country(NULL);
}
END_TEST

START_TEST(test_isocodes_iso_country_name__forms)
{
    ck_assert_str_eq(iso_country_name(real(), "BY"), "Belarus");
    ck_assert_str_eq(iso_country_name(real(), "ci"), "Côte d'Ivoire");
    ck_assert_str_eq(iso_country_name(real(), "BO"), "Bolivia");
    ck_assert_str_eq(iso_country_name(real(), "RU"), "Russian Federation");
    ck_assert_ptr_null(iso_country_name(real(), "XX"));
    ck_assert_ptr_null(iso_country_name(real(), "Belarus"));
}
END_TEST

/* ---- languages ------------------------------------------------------------- */

START_TEST(test_isocodes_iso_language__codes)
{
    language_is("en", "en");
    language_is("EN", "en");
    language_is("eng", "en");
    language_is("rus", "ru");
    language_is("deu", "de");
    language_is("ger", "de");          /* bibliographic */
    language_is("pol", "pl");
    language_is("fre", "fr");
    language_is("bel", "be");
    language_is("und", "und");
}
END_TEST

START_TEST(test_isocodes_iso_language__names)
{
    language_is("English", "en");
    language_is("english", "en");
    language_is("Russian", "ru");
    language_is("German", "de");
    language_is("Polish", "pl");
    language_is("Belarusian", "be");
    language_is("русский", "ru");      /* ru */
    language_is("Русский", "ru");
    language_is("Deutsch", "de");      /* de */
    language_is("polski", "pl");       /* pl */
    language_is("Weißrussisch", "be"); /* de */
    language_is("Castilian", "es");    /* "Spanish; Castilian" */
}
END_TEST

START_TEST(test_isocodes_iso_language__without_639_1)
{
    language_is("ast", "ast");
    language_is("Asturian", "ast");
    language_is("Bable", "ast");
    language_is("Asturisch", "ast");   /* de */
    language_is("crh", "crh");
    language_is("Crimean Tatar", "crh");
    language_is("Klingon", "tlh");
    language_is("tly", "tly");         /* ISO 639-3 only */
    language_is("Talysh", "tly");
}
END_TEST

START_TEST(test_isocodes_iso_language__unknown)
{
    no_language("Elvish");
    no_language("xx");
    no_language("qqq");
    no_language("qaa-qtz");
    no_language("");
    no_language("\xC3");
}
END_TEST

START_TEST(test_isocodes_iso_language_name__forms)
{
    ck_assert_str_eq(iso_language_name(real(), "ru"), "Russian");
    ck_assert_str_eq(iso_language_name(real(), "ger"), "German");
    ck_assert_str_eq(iso_language_name(real(), "es"), "Spanish");
    ck_assert_ptr_null(iso_language_name(real(), "Russian"));
}
END_TEST

/* ---- folding --------------------------------------------------------------- */

static void folds(const char *in, const char *want)
{
    char out[64];
    int n = iso_fold(in, out, sizeof out);
    ck_assert_msg(n >= 0, "'%s' did not fold", in);
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(n, (int)strlen(want));
}

START_TEST(test_isocodes_iso_fold__forms)
{
    char small[4];
    folds("  Côte \t d\xE2\x80\x99Ivoire\xC2\xA0", "cote d'ivoire");
    folds("Weißrußland", "weissrussland");
    folds("ŁÓDŹ Ærø Þór", "lodz aero thor");
    folds("Ș Ț ș ț", "s t s t");
    folds("Ёлка БЕЛАРУСЬ Ґ", "елка беларусь ґ");
    folds("ΕΛΛΆΔΑ Ελληνικός", "ελλαδα ελληνικοσ");
    folds("Co\xCC\x82te", "cote");
    folds("中国 × ÷", "中国 × ÷");
    folds("", "");
    ck_assert_int_eq(iso_fold("\xC3", small, sizeof small), -1);
    ck_assert_int_eq(iso_fold("\xC0\xAF", small, sizeof small), -1);  /* overlong */
    ck_assert_int_eq(iso_fold("abcd", small, sizeof small), -1);      /* does not fit */
    ck_assert_int_eq(iso_fold("abc", small, sizeof small), 3);
}
END_TEST

/* ---- loading, on data written by the test ---------------------------------- */

static char dir[64];

static void fake_setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/reel-iso-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void fake_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *rel, const void *data, size_t len)
{
    char path[256], cmd[320];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    ck_assert_int_eq(system(cmd), 0);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void put32(unsigned char *p, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/* A gettext catalogue of n pairs, in either byte order. */
static void write_mo(const char *locale, const char *domain, int big, int n,
                     const char *const *ids, const char *const *strs)
{
    unsigned char buf[4096] = {0};
    uint32_t o = 28, t = 28 + 8 * (uint32_t)n, s = 28 + 16 * (uint32_t)n;
    char rel[128];

    put32(buf, 0x950412de, big);
    put32(buf + 8, (uint32_t)n, big);
    put32(buf + 12, o, big);
    put32(buf + 16, t, big);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            const char *str = pass ? strs[i] : ids[i];
            uint32_t len = (uint32_t)strlen(str);
            ck_assert_uint_lt(s + len + 1, sizeof buf);
            put32(buf + (pass ? t : o) + 8 * i, len, big);
            put32(buf + (pass ? t : o) + 8 * i + 4, s, big);
            memcpy(buf + s, str, len + 1);
            s += len + 1;
        }
    }
    snprintf(rel, sizeof rel, "locale/%s/LC_MESSAGES/%s.mo", locale, domain);
    write_file(rel, buf, s);
}

static void write_json(const char *name, const char *text)
{
    char rel[128];
    snprintf(rel, sizeof rel, "iso-codes/json/%s", name);
    write_file(rel, text, strlen(text));
}

/* The values of `key` in each entry of an iso-codes JSON table. */
static json_t *table_values(const char *file, const char *table, const char *key)
{
    char path[256];
    json_t *doc, *e, *out = json_array();
    size_t i;
    snprintf(path, sizeof path, "/usr/share/iso-codes/json/%s", file);
    doc = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    json_array_foreach(json_object_get(doc, table), i, e)
        if (json_is_string(json_object_get(e, key)))
            json_array_append(out, json_object_get(e, key));
    json_decref(doc);
    return out;
}

/* The quick loads a search's --country and --language use (tag.c): each
 * code and English name of the country table, and each ISO 639-2 code,
 * resolves as in the full db; a language's name is left to the full db. */
START_TEST(test_isocodes_partial_loads__same_answers_as_the_full_db)
{
    static const char *const country_keys[] = {"alpha_2", "alpha_3", "name", "common_name",
                                               "official_name", NULL};
    static const char *const language_keys[] = {"alpha_2", "alpha_3", "bibliographic", NULL};
    iso_db *countries = NULL, *codes = NULL;
    char *err = NULL;
    size_t i, n = 0;
    json_t *v, *vals;
    ck_assert_int_eq(iso_db_load_countries(&countries, NULL, &err), 0);
    ck_assert_int_eq(iso_db_load_language_codes(&codes, NULL, &err), 0);
    for (const char *const *k = country_keys; *k; k++) {
        vals = table_values("iso_3166-1.json", "3166-1", *k);
        json_array_foreach(vals, i, v) {
            char full[3], quick[3];
            int rc_full = iso_country(real(), json_string_value(v), full);
            int rc_quick = iso_country(countries, json_string_value(v), quick);
            /* a name the full db finds ambiguous may resolve in the quick one
             * only if it does not in the full one: never a different answer */
            if (rc_quick == 0 && rc_full == 0)
                ck_assert_msg(strcmp(full, quick) == 0, "%s: %s, quickly %s", json_string_value(v),
                              full, quick);
            ck_assert_msg(rc_full != 0 || rc_quick == 0, "%s resolves only in the full db",
                          json_string_value(v));
            ck_assert_msg(rc_quick != 0 || rc_full == 0, "%s resolves only quickly",
                          json_string_value(v));
            n++;
        }
        json_decref(vals);
    }
    for (const char *const *k = language_keys; *k; k++) {
        vals = table_values("iso_639-2.json", "639-2", *k);
        json_array_foreach(vals, i, v) {
            char full[4], quick[4];
            int rc_full = iso_language(real(), json_string_value(v), full);
            int rc_quick = iso_language_by_code(codes, json_string_value(v), quick);
            /* (the range "qaa-qtz" is no code to either) */
            ck_assert_msg(rc_full == rc_quick, "%s: %d, quickly %d", json_string_value(v), rc_full,
                          rc_quick);
            ck_assert_msg(rc_full != 0 || strcmp(full, quick) == 0, "%s: %s, quickly %s",
                          json_string_value(v), full, quick);
            n += rc_full == 0;
        }
        json_decref(vals);
    }
    ck_assert_uint_gt(n, 1500);
    {
        char out[4];
        ck_assert_int_eq(iso_language_by_code(codes, "Russian", out), -1);    /* a name */
        ck_assert_int_eq(iso_language_by_code(codes, "русский", out), -1);
    }
    iso_db_free(countries);
    iso_db_free(codes);
}
END_TEST

START_TEST(test_isocodes_iso_db_load__votes_and_byte_orders)
{
    iso_db *fake = NULL;
    char *err = NULL, out[4];
    const char *en[] = {"", "Alphaland", "Betaland", "Gammaland"};

    write_json("iso_3166-1.json", "{\"3166-1\": ["
               "{\"alpha_2\": \"AA\", \"alpha_3\": \"AAA\", \"name\": \"Alphaland\"},"
               "{\"alpha_2\": \"BB\", \"alpha_3\": \"BBB\", \"name\": \"Betaland\"},"
               "{\"alpha_2\": \"CC\", \"alpha_3\": \"CCC\", \"name\": \"Gammaland\"}]}");
    write_json("iso_639-2.json", "{\"639-2\": ["
               "{\"alpha_2\": \"aa\", \"alpha_3\": \"aaa\", \"name\": \"Alphish; Alphic\"},"
               "{\"alpha_3\": \"bbb\", \"bibliographic\": \"bbx\", \"name\": \"Betish\"}]}");
    write_json("iso_639-3.json", "{\"639-3\": ["
               "{\"alpha_3\": \"aaa\", \"name\": \"Modern Alphish\"},"
               "{\"alpha_3\": \"ccc\", \"name\": \"Gammish\"}]}");
    /* "Zed" is Alphaland in two locales and Betaland in one; "Yon" is
     * Betaland in one and Gammaland in another: a tie */
    write_mo("x1", "iso_3166-1", 0, 3, en, (const char *[]){"Header", "Zed", "Yon"});
    write_mo("x2", "iso_3166-1", 1, 4, en, (const char *[]){"Header", "Zed", "Alphaland", "Yon"});
    write_mo("x3", "iso_3166-1", 0, 3, en, (const char *[]){"Header", "Zed", "Zed"});
    write_mo("x1", "iso_639-2", 1, 2, (const char *[]){"Alphish; Alphic", "Betish"},
             (const char *[]){"Alfisch; Alfik", "Betisch"});
    write_file("locale/x4/LC_MESSAGES/iso_3166-1.mo", "\xde\x12\x04\x95garbage", 11);
    write_file("locale/x5/LC_MESSAGES/iso_3166-1.mo", "\xde\x12\x04\x95\0\0\0\0\xff\xff\xff\x7f"
               "\0\0\0\0\0\0\0\0", 20);

    ck_assert_int_eq(iso_db_load(&fake, dir, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(iso_country(fake, "zed", out), 0);
    ck_assert_str_eq(out, "AA");
    ck_assert_int_eq(iso_country(fake, "Yon", out), -1);
    ck_assert_int_eq(iso_country(fake, "Betaland", out), 0);   /* English beats a translation */
    ck_assert_str_eq(out, "BB");
    ck_assert_int_eq(iso_country(fake, "ccc", out), 0);
    ck_assert_str_eq(out, "CC");
    ck_assert_int_eq(iso_language(fake, "alphic", out), 0);
    ck_assert_str_eq(out, "aa");
    ck_assert_int_eq(iso_language(fake, "Alfik", out), 0);
    ck_assert_str_eq(out, "aa");
    ck_assert_int_eq(iso_language(fake, "bbx", out), 0);
    ck_assert_str_eq(out, "bbb");
    ck_assert_int_eq(iso_language(fake, "betisch", out), 0);
    ck_assert_str_eq(out, "bbb");
    ck_assert_int_eq(iso_language(fake, "Modern Alphish", out), 0);
    ck_assert_str_eq(out, "aa");
    ck_assert_int_eq(iso_language(fake, "Gammish", out), 0);
    ck_assert_str_eq(out, "ccc");
    ck_assert_str_eq(iso_language_name(fake, "aaa"), "Alphish");
    iso_db_free(fake);
}
END_TEST

START_TEST(test_isocodes_iso_db_load__missing_data)
{
    iso_db *fake = (iso_db *)1;
    char *err = NULL;

    ck_assert_int_eq(iso_db_load(&fake, dir, &err), -1);
    ck_assert_ptr_null(fake);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "iso_3166-1.json") && strstr(err, "iso-codes package"), "%s", err);
    free(err);

    write_json("iso_3166-1.json", "{\"3166-1\": [");
    ck_assert_int_eq(iso_db_load(&fake, dir, &err), -1);
    ck_assert_msg(strstr(err, "cannot parse") && strstr(err, "iso_3166-1.json"), "%s", err);
    free(err);
    iso_db_free(NULL);
}
END_TEST

static Suite *isocodes_suite(void)
{
    Suite *s = suite_create("isocodes");
    TCase *tc = tcase_create("real");
    TCase *fake = tcase_create("fake");

    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_isocodes_iso_country__codes);
    tcase_add_test(tc, test_isocodes_iso_country__english_names);
    tcase_add_test(tc, test_isocodes_iso_country__translations);
    tcase_add_test(tc, test_isocodes_iso_country__unknown);
    tcase_add_test(tc, test_isocodes_iso_country_name__forms);
    tcase_add_test(tc, test_isocodes_iso_language__codes);
    tcase_add_test(tc, test_isocodes_iso_language__names);
    tcase_add_test(tc, test_isocodes_iso_language__without_639_1);
    tcase_add_test(tc, test_isocodes_iso_language__unknown);
    tcase_add_test(tc, test_isocodes_iso_language_name__forms);
    tcase_add_test(tc, test_isocodes_iso_fold__forms);
    tcase_add_test(tc, test_isocodes_partial_loads__same_answers_as_the_full_db);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(fake, fake_setup, fake_teardown);
    tcase_add_test(fake, test_isocodes_iso_db_load__votes_and_byte_orders);
    tcase_add_test(fake, test_isocodes_iso_db_load__missing_data);
    suite_add_tcase(s, fake);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(isocodes_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
