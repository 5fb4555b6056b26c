/* people — the vocabulary of the geo and user events (--kinds all): countries
 * with a centre to scatter coordinates around, last names, and the users who post.
 *
 * Data only, like words.h: changing a table changes every generated geo and user
 * byte (never a pin's). Country names are ASCII; user names come from
 * pp_words_first_names and the last names below.
 */
#ifndef PINPIPE_EMU_PEOPLE_H
#define PINPIPE_EMU_PEOPLE_H

#include <stdint.h>

#include "words.h"

typedef struct {
    const char *name;
    int32_t lat_e4, lon_e4; /* centre, in 1e-4 degrees */
    uint32_t weight;        /* relative frequency of home countries */
} pp_country;

#define PP_N_COUNTRIES 20
extern const pp_country pp_countries[PP_N_COUNTRIES];

extern const pp_word_list pp_words_last_names;

/* A user: a pure function of (catalog seed, user number). */
typedef struct {
    const char *first_name, *last_name;
    int64_t age;           /* 13 .. 80 */
    int64_t joined_day;    /* date_joined: days since 1970-01-01 */
    uint32_t joined_sec;   /* and second of that day */
    unsigned home_country; /* index into pp_countries */
} pp_person;

#define PP_N_USERS 5000u /* distinct users; row r is posted by user pp_person_of_row(r) */

uint64_t pp_person_of_row(uint64_t catalog_seed, uint64_t row);
/* Fills *p with user u; users joined between 2012-01-01 and the day before first_day. */
void pp_person_make(uint64_t catalog_seed, uint64_t u, int64_t first_day, pp_person *p);

#endif
