// libFuzzer: the trace readers (CacheScope's format, Twitter CSV, oracleGeneral, zstd around any
// of them). The first byte picks the format (auto-detection, or one of the three forced); what
// is read must read again the same after a rewind, and a small trace is replayed through every
// simulator, whose counts must stay consistent whatever sizes, TTLs and times the bytes hold.
#include "capacity/mrc.h"
#include "capacity/tracereader.h"

#include <QBuffer>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cachescope;
    if (size < 1)
        return 0;
    static const TraceFormat formats[] = {TraceFormat::Auto, TraceFormat::CacheScope, TraceFormat::Twitter, TraceFormat::Oracle};
    const TraceFormat format = formats[data[0] % 4];
    const QByteArray bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    auto buffer = std::make_unique<QBuffer>();
    buffer->setData(bytes);
    buffer->open(QIODevice::ReadOnly);
    auto reader = TraceReader::open(std::move(buffer), QStringLiteral("fuzz"), format);
    if (!reader)
        return 0;
    constexpr size_t kMaxRecords = 100000;
    auto readAll = [&](TraceRecords &out) {
        while (out.size() < kMaxRecords) {
            auto got = (*reader)->read(out, 4096);
            if (!got || *got == 0)
                return bool(got);
        }
        return true;
    };
    TraceRecords first, second;
    const bool ok = readAll(first);
    if (!(*reader)->rewind())
        return 0;
    const bool again = readAll(second);
    if (ok != again || first.size() != second.size() || !(first == second))
        std::abort(); // a second pass must see the same trace
    if (!ok || first.empty() || first.size() > 2000)
        return 0;
    for (const TraceRecord &r : first)
        if (r.cache >= (*reader)->header().caches.size() || int(r.op) >= kTraceOpCount)
            std::abort();
    MemoryRecordSource source((*reader)->header(), std::make_shared<TraceRecords>(first));
    for (CachePolicy policy : {CachePolicy::Lru, CachePolicy::RedisAllKeysLfu, CachePolicy::SimpleThreshold}) {
        for (SizeUnit unit : {SizeUnit::Keys, SizeUnit::Bytes}) {
            CurveRequest request;
            request.policy = policy;
            request.unit = unit;
            request.points = 4;
            auto curve = computeCurve(source, request);
            if (!curve)
                std::abort(); // records that were read are always replayable
            for (const CurvePoint &p : curve->points)
                if (!(p.hitRatio >= 0 && p.hitRatio <= 1))
                    std::abort();
        }
    }
    return 0;
}
