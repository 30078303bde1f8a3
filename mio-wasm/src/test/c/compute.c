// A compute-bound guest for comparing guest memories (mio-wasm's SegmentMemory against Chicory's ByteArrayMemory):
// byte, i32 and i64 loads and stores in loops, no host calls inside the timed part. Prints the time it took.
//   compute [rounds]   (default 5)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIEVE (8u << 20)
#define WORDS (1u << 20)

static uint8_t sieve[SIEVE];
static uint32_t words[WORDS];
static uint64_t longs[WORDS / 2];

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static uint64_t round_once(uint32_t seed) {
    // bytes: a sieve of Eratosthenes
    memset(sieve, 1, SIEVE);
    uint32_t primes = 0;
    for (uint32_t i = 2; i < SIEVE; i++) {
        if (sieve[i]) {
            primes++;
            for (uint32_t j = i + i; j < SIEVE; j += i) {
                sieve[j] = 0;
            }
        }
    }
    // i32: xorshift fill, then a prefix sum, then strided reads
    uint32_t x = seed | 1;
    for (uint32_t i = 0; i < WORDS; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        words[i] = x;
    }
    for (uint32_t i = 1; i < WORDS; i++) {
        words[i] += words[i - 1];
    }
    uint32_t acc = 0;
    for (uint32_t s = 1; s < 64; s += 7) {
        for (uint32_t i = 0; i < WORDS; i += s) {
            acc ^= words[i];
        }
    }
    // i64: mixing in place
    for (uint32_t i = 0; i < WORDS / 2; i++) {
        longs[i] = ((uint64_t) words[2 * i] << 32) | words[2 * i + 1];
    }
    uint64_t h = 1469598103934665603ull;
    for (int pass = 0; pass < 4; pass++) {
        for (uint32_t i = 0; i < WORDS / 2; i++) {
            h = (h ^ longs[i]) * 1099511628211ull;
            longs[i] = h;
        }
    }
    return primes ^ acc ^ h;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    uint64_t check = 0;
    double best = 1e30, total = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ms();
        check ^= round_once((uint32_t) r + 1);
        double t = now_ms() - t0;
        total += t;
        if (t < best) {
            best = t;
        }
        printf("round %d: %.1f ms\n", r + 1, t);
    }
    printf("compute: %d rounds, best %.1f ms, mean %.1f ms, checksum %016llx\n", rounds, best, total / rounds,
           (unsigned long long) check);
    return 0;
}
