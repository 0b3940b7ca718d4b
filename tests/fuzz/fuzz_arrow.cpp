// libFuzzer: the Arrow IPC stream reader, then every cell of the first rows of every batch.
#include "codec/arrowcell.h"
#include "codec/arrowreader.h"
#include "codec/decodejson.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace cachescope;
    ArrowReadLimits limits;
    limits.maxDecompressedBytes = 16 << 20;
    auto t = ArrowReader(limits).read(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (t.hasValue()) {
        for (const auto &batch : t->batches) {
            for (size_t c = 0; c < batch.columns.size(); ++c) {
                for (qint64 r = 0; r < batch.length && r < 20; ++r)
                    DecodeJson::cell(ArrowCell::at(batch.columns[c], r, &t->schema[c]));
            }
        }
    }
    return 0;
}
