/* check_hash.c - SHA-256 over file descriptors, against known digests. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"

static int temp_with(const void *data, size_t len, size_t repeat)
{
    char path[] = "/tmp/reel-hash-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    for (size_t i = 0; i < repeat; i++)
        ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    return fd;
}

START_TEST(test_hash_fd_sha256__empty)
{
    char hex[65];
    int64_t n = -1;
    int fd = temp_with("", 0, 0);
    ck_assert_int_eq(hash_fd_sha256(fd, hex, &n), 0);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_int_eq(n, 0);
    close(fd);
}
END_TEST

START_TEST(test_hash_fd_sha256__abc)
{
    char hex[65];
    int fd = temp_with("abc", 3, 1);
    ck_assert_int_eq(hash_fd_sha256(fd, hex, NULL), 0);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    close(fd);
}
END_TEST

/* One million 'a' (FIPS 180-2 test vector): spans several read chunks. */
START_TEST(test_hash_fd_sha256__million_a)
{
    char hex[65], block[1000];
    int64_t n = 0;
    int fd;
    memset(block, 'a', sizeof block);
    fd = temp_with(block, sizeof block, 1000);
    /* the hash reads from offset 0 whatever the file position */
    lseek(fd, 12345, SEEK_SET);
    ck_assert_int_eq(hash_fd_sha256(fd, hex, &n), 0);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    ck_assert_int_eq(n, 1000000);
    close(fd);
}
END_TEST

START_TEST(test_hash_fd_sha256__bad_fd)
{
    char hex[65];
    ck_assert_int_lt(hash_fd_sha256(-1, hex, NULL), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("sha256");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_hash_fd_sha256__empty);
    tcase_add_test(tc, test_hash_fd_sha256__abc);
    tcase_add_test(tc, test_hash_fd_sha256__million_a);
    tcase_add_test(tc, test_hash_fd_sha256__bad_fd);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
