// libFuzzer: what memcached servers send back — text-protocol reply lines (VALUE, mg, STAT,
// lru_crawler metadump, stats detail PREFIX), binary response headers, item envelopes, and the
// flags codec of both Python clients on whatever the data is. Round trip: an envelope that
// parses is rebuilt with the same key, flags and data.
#include "memcached/memcachedbinary.h"
#include "memcached/memcachedreplies.h"
#include "memcached/memcachedvalue.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cachescope;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    for (QByteArrayView rest = input; !rest.isEmpty();) {
        const qsizetype nl = rest.indexOf('\n');
        QByteArrayView line = nl < 0 ? rest : rest.first(nl);
        rest = nl < 0 ? QByteArrayView() : rest.sliced(nl + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        memcachedreplies::parseValueLine(line);
        memcachedreplies::parseMetaLine(line);
        memcachedreplies::parseStatLine(line);
        memcachedreplies::parsePrefixLine(line);
        memcachedreplies::errorReply(line);
        if (auto m = memcachedreplies::parseMetadumpLine(line); m && (m->key.isEmpty() || m->key.size() > 250))
            std::abort(); // the parser promises a memcached-sized key
    }
    if (input.size() >= memcachedbinary::kHeaderSize)
        memcachedbinary::parseResponseHeader(input.first(memcachedbinary::kHeaderSize));
    if (auto e = memcachedvalue::parseEnvelope(input)) {
        // The parser also reads what a person pastes from `gets` (a CAS field, runs of spaces), so
        // the promise is about meaning, not bytes: the data sits where dataOffset says, and the
        // envelope CacheScope writes for it reads back as the same key, flags and data.
        if (input.sliced(e->dataOffset, e->item.data.size()) != QByteArrayView(e->item.data))
            std::abort();
        const auto again = memcachedvalue::parseEnvelope(memcachedvalue::envelope(e->key, e->item));
        if (!again || again->key != e->key || again->item.flags != e->item.flags || again->item.data != e->item.data)
            std::abort();
    }
    if (input.size() >= 4) {
        const quint32 flags = quint32(data[0]) | quint32(data[1]) << 8 | quint32(data[2]) << 16 | quint32(data[3]) << 24;
        const MemcachedItem item{flags, input.sliced(4).toByteArray()};
        memcachedvalue::decode(item, MemcachedClientKind::Pylibmc, 16 << 20);
        memcachedvalue::decode(item, MemcachedClientKind::PythonMemcache, 16 << 20);
    }
    return 0;
}
