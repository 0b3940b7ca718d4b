#pragma once

#include "codec/pyvalue.h"
#include "common/expected.h"
#include "memcacheddistribution.h"

#include <QByteArray>
#include <QString>

namespace cachescope {

// A memcached item's client-visible part: the 32-bit flags word and the data bytes.
struct MemcachedItem
{
    quint32 flags = 0;
    QByteArray data;
    bool operator==(const MemcachedItem &other) const = default;
};

// How cachelib's clients turn Python values into (flags, bytes) and back. cachelib hands
// values to the client unserialised (FORMATS.md §1.9), so the bytes are the client's:
//   pylibmc 1.6.3        bytes -> 0 raw; str -> 16 UTF-8; bool -> 2 "1"/"0"; int -> 4 ASCII
//                        (any size); anything else -> 1 pickle protocol 5 (HIGHEST_PROTOCOL).
//                        Reading: flags & 8 -> zlib first; then flags & (1|2|4|16) must be one of
//                        them or 0, else "unknown memcached key flags"; 2 and 4 read as int (so a
//                        stored bool comes back as 1/0).
//   python-memcache 1.58 type(v) is bytes -> 0; str -> 16; int (exactly) -> 2 ASCII; anything
//                        else, bool included -> 1 pickle protocol 0 (I01, Fnan, V..., _codecs.encode
//                        for bytes, __builtin__.set REDUCE). Reading: zlib bit first, then 0 bytes,
//                        else the first of TEXT, INTEGER, LONG, PICKLE that is set.
// Sources: lericson/pylibmc › src/_pylibmcmodule.c › _PylibMC_serialize_native,
// _PylibMC_deserialize_native (@1.6.3); Debian python3-memcache 1.58 › memcache.py ›
// Client._val_to_store_info, Client._recv_value. Checked byte for byte by tst_memcachedinterop.
// Deliberate difference: a pickle that does not load is an error here, where python-memcache
// returns None.
namespace memcachedvalue {

constexpr quint32 kPickle = 1;
constexpr quint32 kInteger = 2;
constexpr quint32 kLong = 4;
constexpr quint32 kZlib = 8;
constexpr quint32 kText = 16;

Expected<MemcachedItem> encode(const PyValue &value, MemcachedClientKind client);
Expected<PyValue> decode(const MemcachedItem &item, MemcachedClientKind client,
                         qint64 maxInflatedBytes = 512ll << 20);
// What the flags say the data is: "pickle", "str", "int", "bytes", "zlib+pickle", "flags 96"...
QString flagsName(quint32 flags);

// One item as memcached's text protocol returns it to `get`:
// "VALUE <key> <flags> <bytes>\r\n" <data> "\r\n". CacheScope's raw view of a memcached entry
// (Cache::rawGet, the Keys page, `decode`): the flags travel with the data.
QByteArray envelope(QByteArrayView key, const MemcachedItem &item);
struct Envelope
{
    QByteArray key;
    MemcachedItem item;
    qsizetype dataOffset = 0; // where the data starts in the envelope
};
// Strict: header fields, the length and the final "\r\n" must all agree; errors say which.
// Also reads pasted `gets` output (a trailing CAS field, runs of spaces); envelope() writes the
// canonical form, so a round trip keeps key, flags and data, not every byte of the header.
Expected<Envelope> parseEnvelope(QByteArrayView bytes);
bool looksLikeEnvelope(QByteArrayView bytes);

} // namespace memcachedvalue

} // namespace cachescope
