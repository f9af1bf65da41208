/*
 * A second reference for the Flow endpoint benchmark: what one process does when it does
 * nothing but the endpoint's RSA work. THREADS threads each decrypt the same RSA-OAEP-SHA256
 * ciphertext (MGF1-SHA256, as Meta sends) with the given private key, N times, each decryption
 * on a context of its own, as the server makes them. Prints decryptions per second.
 *
 *   rsa-oaep-threads KEY.pem THREADS N
 *
 * `openssl speed -multi` runs separate processes signing; this measures the same operation
 * the server performs, with threads sharing one key, so the gap between the two is not the
 * server's to close.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static EVP_PKEY *key;
static unsigned char ciphertext[512];
static size_t ciphertext_length = sizeof ciphertext;
static long per_thread;
static int failures;

static EVP_PKEY_CTX *oaep_context(int decrypt) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    if (ctx == NULL || (decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx)) != 1
        || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1
        || EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) != 1
        || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha256()) != 1) {
        fprintf(stderr, "cannot set up rsa-oaep\n");
        exit(1);
    }
    return ctx;
}

static void *decrypt_loop(void *unused) {
    (void)unused;
    unsigned char out[512];
    for (long i = 0; i < per_thread; i++) {
        EVP_PKEY_CTX *ctx = oaep_context(1);
        size_t length = sizeof out;
        if (EVP_PKEY_decrypt(ctx, out, &length, ciphertext, ciphertext_length) != 1 || length != 16) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
        EVP_PKEY_CTX_free(ctx);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s KEY.pem THREADS N\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "r");
    if (file == NULL || (key = PEM_read_PrivateKey(file, NULL, NULL, NULL)) == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(file);
    int threads = atoi(argv[2]);
    per_thread = atol(argv[3]);
    if (threads < 1 || threads > 64 || per_thread < 1) {
        fprintf(stderr, "THREADS is 1 to 64, N at least 1\n");
        return 2;
    }
    unsigned char aes_key[16] = {0x5a};
    EVP_PKEY_CTX *encrypt = oaep_context(0);
    if (EVP_PKEY_encrypt(encrypt, ciphertext, &ciphertext_length, aes_key, sizeof aes_key) != 1) {
        fprintf(stderr, "cannot encrypt\n");
        return 1;
    }
    EVP_PKEY_CTX_free(encrypt);

    pthread_t ids[64];
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, decrypt_loop, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (failures > 0) {
        fprintf(stderr, "%d decryptions failed\n", failures);
        return 1;
    }
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%.1f\n", (double)threads * (double)per_thread / seconds);
    return 0;
}
