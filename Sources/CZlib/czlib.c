#include "czlib.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct cz_stream {
    z_stream z;
    int deflate;
    uint8_t *dictionary;  // a copy: inflate asks for it when the stream starts
    size_t dictionary_length;
};

cz_stream *cz_create(int deflate, const uint8_t *dictionary, size_t dictionary_length) {
    cz_stream *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->deflate = deflate;
    s->dictionary = malloc(dictionary_length ? dictionary_length : 1);
    if (!s->dictionary) {
        free(s);
        return NULL;
    }
    memcpy(s->dictionary, dictionary, dictionary_length);
    s->dictionary_length = dictionary_length;
    int rc = deflate ? deflateInit(&s->z, Z_DEFAULT_COMPRESSION) : inflateInit(&s->z);
    if (rc != Z_OK) {
        free(s->dictionary);
        free(s);
        return NULL;
    }
    if (deflate && deflateSetDictionary(&s->z, s->dictionary, (uInt)dictionary_length) != Z_OK) {
        deflateEnd(&s->z);
        free(s->dictionary);
        free(s);
        return NULL;
    }
    return s;
}

void cz_destroy(cz_stream *s) {
    if (!s) return;
    if (s->deflate) deflateEnd(&s->z); else inflateEnd(&s->z);
    free(s->dictionary);
    free(s);
}

void cz_free(void *p) { free(p); }

int cz_process(cz_stream *s, const uint8_t *input, size_t input_length, uint8_t **output,
               size_t *output_length) {
    size_t capacity = input_length * 4 + 256, length = 0;
    uint8_t *out = malloc(capacity);
    if (!out) return Z_MEM_ERROR;
    s->z.next_in = (Bytef *)input;
    s->z.avail_in = (uInt)input_length;
    for (;;) {
        if (capacity - length < 128) {
            size_t grown = capacity * 2;
            uint8_t *bigger = realloc(out, grown);
            if (!bigger) {
                free(out);
                return Z_MEM_ERROR;
            }
            out = bigger;
            capacity = grown;
        }
        s->z.next_out = out + length;
        s->z.avail_out = (uInt)(capacity - length);
        int rc = s->deflate ? deflate(&s->z, Z_SYNC_FLUSH) : inflate(&s->z, Z_SYNC_FLUSH);
        length = capacity - s->z.avail_out;
        if (!s->deflate && rc == Z_NEED_DICT) {
            rc = inflateSetDictionary(&s->z, s->dictionary, (uInt)s->dictionary_length);
            if (rc == Z_OK) continue;
        }
        if (rc == Z_BUF_ERROR) break;  // no progress possible: everything consumed
        if (rc != Z_OK && rc != Z_STREAM_END) {
            free(out);
            return rc;
        }
        // Done once all input is consumed and the output buffer was not filled up.
        if (s->z.avail_in == 0 && s->z.avail_out > 0) break;
    }
    *output = out;
    *output_length = length;
    return 0;
}
