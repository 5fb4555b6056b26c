/* kafka_types — the plain data types shared by pinpipe's Kafka producer, consumer
 * and admin modules (no functions here).
 *
 * Ownership: every pointer in these structs is borrowed. For a record passed to
 * the producer, the producer copies what it needs before returning. For a message
 * returned by the consumer, the pointers stay valid until the batch that holds it
 * is refilled or freed (see kafka_consumer.h).
 */
#ifndef PINPIPE_KAFKA_TYPES_H
#define PINPIPE_KAFKA_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Special offsets (the values are librdkafka's, so they pass straight through). */
#define PP_KAFKA_OFFSET_BEGINNING (-2)    /* the oldest offset the partition holds */
#define PP_KAFKA_OFFSET_END (-1)          /* only messages produced from now on */
#define PP_KAFKA_OFFSET_COMMITTED (-1001) /* the group's committed offset, else auto.offset.reset */

/* Let the partitioner choose from the key (murmur2, as the Java client does). */
#define PP_KAFKA_PARTITION_ANY (-1)

/* One Kafka record header: a name and a binary value. value == NULL with
 * value_len == 0 is a null header; duplicate names are allowed and kept in order. */
typedef struct {
    const char *name;
    const void *value;
    size_t value_len;
} pp_kafka_header;

/* What the producer sends. */
typedef struct {
    const char *topic; /* NULL: the configured topic (pp_kafka_conf.topic) */
    int32_t partition; /* PP_KAFKA_PARTITION_ANY, or an explicit partition */
    const void *key;   /* may be NULL */
    size_t key_len;
    const void *value; /* may be NULL (a tombstone) */
    size_t value_len;
    const pp_kafka_header *headers;
    size_t nheaders;
    int64_t timestamp_ms; /* 0: now */
} pp_kafka_record;

/* What the consumer returns. */
typedef struct {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key; /* NULL when the record has no key */
    size_t key_len;
    const void *value; /* NULL for a tombstone */
    size_t value_len;
    const pp_kafka_header *headers;
    size_t nheaders;
    int64_t timestamp_ms; /* -1 when the record carries none */
} pp_kafka_message;

/* A topic partition and an offset: the start offset chosen on assignment, or the
 * offset to commit (always the NEXT offset to read: last processed + 1). */
typedef struct {
    const char *topic;
    int32_t partition;
    int64_t offset;
} pp_kafka_partition;

#endif
