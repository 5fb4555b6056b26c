#include "people.h"

#include "civil.h"
#include "rng.h"

const pp_country pp_countries[PP_N_COUNTRIES] = {
    {"United States", 390000, -980000, 180}, {"India", 210000, 780000, 120},       {"Brazil", -145000, -515000, 80},
    {"United Kingdom", 540000, -20000, 70},  {"France", 468000, 24000, 60},        {"Germany", 512000, 104000, 60},
    {"Japan", 362000, 1382000, 50},          {"Mexico", 236000, -1021000, 50},     {"Canada", 561000, -1063000, 45},
    {"Spain", 404000, -37000, 40},           {"Italy", 418000, 125000, 40},        {"Australia", -250000, 1335000, 35},
    {"Nigeria", 91000, 86000, 30},           {"Indonesia", -7000, 1139000, 30},    {"Turkey", 390000, 352000, 25},
    {"Argentina", -384000, -636000, 25},     {"South Korea", 359000, 1277000, 20}, {"Kenya", 0, 379000, 15},
    {"Norway", 604000, 84000, 10},           {"New Zealand", -409000, 1746000, 5},
};

#define LIST(name, ...)                                  \
    static const char *const name##_v[] = {__VA_ARGS__}; \
    const pp_word_list pp_words_##name = {name##_v, sizeof name##_v / sizeof *name##_v}
LIST(last_names, "Smith",
     "Garc\xc3\xad"
     "a",
     "M\xc3\xbcller", "Chen", "Kumar", "Silva", "Nakamura", "Okafor", "Johansson", "Rossi", "Dubois", "Kim", "Novak",
     "O'Brien", "van der Berg", "Haddad", "Nguyen", "Kowalski", "Santos", "Ivanova");

uint64_t pp_person_of_row(uint64_t catalog_seed, uint64_t row) {
    return pp_mix64(row ^ pp_mix64(catalog_seed + UINT64_C(0x5EED0F05E5))) % PP_N_USERS;
}

void pp_person_make(uint64_t catalog_seed, uint64_t u, int64_t first_day, pp_person *p) {
    pp_rng r;
    pp_rng_seed(&r, catalog_seed ^ UINT64_C(0x05E5), u);
    p->first_name = pp_words_first_names.v[pp_rng_below(&r, pp_words_first_names.n)];
    p->last_name = pp_words_last_names.v[pp_rng_below(&r, pp_words_last_names.n)];
    /* ages by group: 0-17 8%, 18-24 25%, 25-35 30%, 36-50 22%, over 50 15% */
    static const uint32_t group_w[] = {8, 25, 30, 22, 15};
    static const int64_t lo[] = {13, 18, 25, 36, 51}, hi[] = {17, 24, 35, 50, 80};
    unsigned g = pp_rng_weighted(&r, group_w, 5);
    p->age = (int64_t)pp_rng_range(&r, (uint64_t)lo[g], (uint64_t)hi[g]);
    int64_t from = pp_days_from_civil(2012, 1, 1), to = first_day - 1;
    if (to < from) from = to; /* a run starting before 2012: joined the day before */
    p->joined_day = from + (int64_t)pp_rng_below(&r, (uint64_t)(to - from + 1));
    p->joined_sec = (uint32_t)pp_rng_below(&r, 86400);
    uint32_t w[PP_N_COUNTRIES];
    for (unsigned i = 0; i < PP_N_COUNTRIES; i++) w[i] = pp_countries[i].weight;
    p->home_country = pp_rng_weighted(&r, w, PP_N_COUNTRIES);
}
