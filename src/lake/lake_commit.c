#include "lake/lake_commit.h"

int64_t pp_lake_committable(const int64_t *open_first, size_t n, int64_t next) {
    int64_t c = next;
    for (size_t i = 0; i < n; i++)
        if (c < 0 || open_first[i] < c) c = open_first[i];
    return c;
}
