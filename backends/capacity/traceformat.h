#pragma once

#include "common/expected.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace cachescope {

// The trace files CacheScope reads (and, except recordings, writes):
//  - cachescope: its own compact binary format (tracebinary.h), with the caches' configuration;
//  - twitter: Twitter's cache-trace CSV (github twitter/cache-trace README: `timestamp,anonymized
//    key,key size,value size,client id,operation,TTL`, seconds, operations get/gets/set/add/
//    replace/cas/append/prepend/delete/incr/decr, TTL 0 on requests that are not writes);
//  - oracle: libCacheSim's oracleGeneral binary records (traceoracle.h);
//  - recording: a CacheScope recording (SQLite) that holds a request trace (tracerecording.h).
// Any of them may be zstd-compressed (Twitter publishes .zst files); that is detected by magic.
enum class TraceFormat { Auto, CacheScope, Twitter, Oracle, Recording };

QString traceFormatName(TraceFormat format); // "auto", "cachescope", "twitter", "oracle", "recording"
std::optional<TraceFormat> traceFormatFromName(const QString &name);

namespace traceformat {

inline constexpr char kBinaryMagic[] = "CSTRACE\n";     // 8 bytes
inline constexpr char kSqliteMagic[] = "SQLite format 3"; // + NUL, 16 bytes
inline constexpr unsigned char kZstdMagic[] = {0x28, 0xB5, 0x2F, 0xFD};

bool isZstd(QByteArrayView head);
// Guesses the format from the first bytes (at least 4 KiB when the file has them) and the size
// (-1 when unknown, e.g. after decompression). Fails with the reasons each format was ruled out.
Expected<TraceFormat> detect(QByteArrayView head, qint64 size, const QString &name);

} // namespace traceformat

} // namespace cachescope
