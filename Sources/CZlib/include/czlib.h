// CZlib: zlib streams with a preset dictionary, for SPDY/3 header blocks (one compression
// context per direction for the whole connection, each block ended with Z_SYNC_FLUSH).
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cz_stream cz_stream;

/// A deflate (compress) or inflate (decompress) stream using `dictionary`. NULL when out of memory.
cz_stream *cz_create(int deflate, const uint8_t *dictionary, size_t dictionary_length);

void cz_destroy(cz_stream *stream);

/// Compresses (with Z_SYNC_FLUSH) or decompresses all of `input`; `*output` is a malloc'd
/// buffer of `*output_length` bytes to free with `cz_free`. Returns 0 or a zlib error (< 0).
int cz_process(cz_stream *stream, const uint8_t *input, size_t input_length, uint8_t **output,
               size_t *output_length);

void cz_free(void *pointer);

#ifdef __cplusplus
}
#endif
