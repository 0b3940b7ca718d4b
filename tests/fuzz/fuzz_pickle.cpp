// libFuzzer target: the safe pickle reader on arbitrary bytes (small limits so bombs fail
// fast). Whatever parses must write back (protocols 5, 2, 0) into pickles that read again,
// the protocol-5 writing must be a fixpoint (write(read(write(v))) == write(v): values and
// their sharing survive), and the JSON encoding must parse.
#include "codec/picklereader.h"
#include "codec/picklewriter.h"
#include "codec/valuejson.h"

#include <cstdint>
#include <cstdlib>

using namespace cachescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PickleLimits limits;
    limits.maxDepth = 200;
    limits.maxItems = 200000;
    limits.maxMemoEntries = 100000;
    limits.maxTotalBytes = 4 << 20;
    const PickleReader reader(limits);
    auto first = reader.read(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!first)
        return 0;
    QByteArray p5;
    for (int proto : {5, 2, 0}) {
        auto written = PickleWriter(proto).dumps(first->value);
        if (!written)
            continue; // e.g. NEWOBJ_EX below protocol 4
        auto second = reader.read(*written);
        if (!second)
            std::abort(); // our own output must always read back
        if (proto == 5) {
            auto again = PickleWriter(5).dumps(second->value);
            if (!again || *again != *written)
                std::abort();
        }
    }
    // Shared references expand in JSON; the budget keeps a small DAG from exploding.
    const QByteArray json = ValueJson::toJson(first->value, false, 1 << 20);
    if (!ValueJson::fromJson(json))
        std::abort();
    return 0;
}
