#pragma once

#include "common/expected.h"

#include <QByteArray>
#include <QByteArrayView>

namespace cachescope {

// One FileSystemCache file, split into its expiry header and the value pickle.
//  - Struct (cachelib >= 0.7): 4-byte little-endian uint32 expiry, then the pickle.
//  - Legacy (werkzeug.contrib.cache, cachelib <= 0.6): a pickled int expiry, then the pickle.
// In both, expiry is absolute Unix seconds and 0 means "never".
struct FileSystemEntry
{
    enum class Layout { Struct, Legacy };
    Layout layout = Layout::Struct;
    qint64 expiry = 0;
    qint64 headerSize = 4;  // bytes before the value pickle
    qint64 fileSize = 0;
    QByteArray pickle;      // the value pickle (may be empty: cachelib writes a bare header
                            // when pickling failed)
};

// Header-only view from the first bytes of a file (has/ttl must not read big payloads).
// Struct when byte 4 is a pickle PROTO (0x80, protocol 2-5) or the file is too short to hold
// anything else; Legacy when the leading bytes are one complete pickle of an int followed by
// more data. A legacy header whose timestamp bytes happen to put 0x80,2..5 at offset 4 (about
// 1 in 16384 timestamps) is taken as Struct here; parseFileSystemEntry() resolves that by
// checking which reading consumes the file exactly.
// Errors: fewer than 4 bytes (cachelib: struct.error, i.e. a miss).
Expected<FileSystemEntry> parseFileSystemHeader(QByteArrayView head);

// The whole file: header plus the value pickle bytes (not unpickled).
Expected<FileSystemEntry> parseFileSystemEntry(const QByteArray &data);

// cachelib 0.9.0's own view: the first 4 bytes as a uint32, whatever the layout. Pruning uses
// this so it removes exactly what cachelib would. nullopt when the file is shorter than 4 bytes.
std::optional<quint32> rawStructExpiry(QByteArrayView head);

// How many leading bytes parseFileSystemHeader() wants to see.
constexpr qint64 kFileSystemHeadBytes = 64;

} // namespace cachescope
