#pragma once

#include <QByteArrayView>
#include <QString>

namespace cachescope {

// Key-shape heuristics shared by the key tree and the CLI.
namespace keykind {

// 32/64 hex digests, UUIDs and long base64-like tokens: never split into namespaces.
bool isHashLike(QByteArrayView segment);

// What a Superset cache entry probably holds, from its key (after the cache prefix) and the
// cache purpose ("DATA_CACHE_CONFIG", "RESULTS_BACKEND", ...; empty when unknown).
QString guess(QByteArrayView keyAfterPrefix, QStringView purpose = {});
// For a stored name that is a hash of the real key (FileSystemCache files): the name says
// nothing, so only the purpose can ("cached value" when it is unknown).
QString guessForHashedName(QStringView purpose = {});

} // namespace keykind

} // namespace cachescope
