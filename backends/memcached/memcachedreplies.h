#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <optional>

namespace cachescope::memcachedreplies {

// Parsers for the lines memcached 1.6 sends back in its text protocol. Pure (no I/O), bounded,
// and fuzzed (tests/fuzz/fuzz_memcached): every malformed line is an Error naming the line.
// Source of the formats: memcached/memcached › doc/protocol.txt and proto_text.c (@1.6.18),
// confirmed against Debian 12's memcached 1.6.18.

// "VALUE <key> <flags> <bytes> [<cas>]" (without the line end).
struct ValueLine
{
    QByteArray key;
    quint32 flags = 0;
    qint64 bytes = 0;
    std::optional<quint64> cas;
};
Expected<ValueLine> parseValueLine(QByteArrayView line);

// Meta get ("mg <key> t s f") answers: "HD t<ttl> s<size> f<flags>", "VA <n> ..." or "EN".
struct MetaLine
{
    bool found = false;
    qint64 ttl = -1;   // seconds left; -1 never expires
    qint64 size = -1;  // value bytes; -1 not asked
    quint32 flags = 0;
    qint64 valueBytes = -1; // "VA <n>": a value block of n bytes follows
};
Expected<MetaLine> parseMetaLine(QByteArrayView line);

// "STAT <name> <value>" -> (name, value); the value may contain spaces (stats settings).
Expected<std::pair<QByteArray, QByteArray>> parseStatLine(QByteArrayView line);

// One `lru_crawler metadump` line: "key=<url-encoded> exp=<abs|-1> la=<abs> cas=<n> fetch=<yes|no>
// cls=<n> size=<n>" (fields after key in any order; unknown fields ignored, as newer servers add
// some). Keys are percent-decoded: "%3A" -> ':', "%252F" -> "%2F", "%C3%BC" -> the two UTF-8 bytes.
// The line ends in "\n" (only the final END has "\r\n"), so this takes the line without it.
struct MetadumpLine
{
    QByteArray key;
    qint64 exp = -1;          // absolute Unix time; -1 never expires
    qint64 lastAccess = 0;    // absolute Unix time
    quint64 cas = 0;
    bool fetched = false;
    int slabClass = 0;
    qint64 size = 0;          // item size in memory (key + value + headers)
};
Expected<MetadumpLine> parseMetadumpLine(QByteArrayView line);
// Percent-decoding as memcached's uriencode undoes it; a malformed escape is an error.
Expected<QByteArray> percentDecode(QByteArrayView text);

// "PREFIX <prefix> get <n> hit <n> set <n> del <n>" from `stats detail dump`.
struct PrefixLine
{
    QByteArray prefix;
    quint64 gets = 0, hits = 0, sets = 0, deletes = 0;
};
Expected<PrefixLine> parsePrefixLine(QByteArrayView line);

// "CLIENT_ERROR ...", "SERVER_ERROR ...", "ERROR" -> the message to show; nullopt otherwise.
std::optional<QString> errorReply(QByteArrayView line);

} // namespace cachescope::memcachedreplies
