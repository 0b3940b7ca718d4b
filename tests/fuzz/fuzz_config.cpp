// Fuzzes the lexer, parser, evaluator, cache resolution, doctor and JSON output of config loading.
#include "config/configjson.h"
#include "config/configloader.h"

#include <QString>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    const QString source = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    cachescope::ConfigLoader::Options options;
    options.environment.insert(QStringLiteral("REDIS_HOST"), QStringLiteral("redis"));
    options.maxSteps = 100'000;
    // No file name: sibling imports have no directory to search, so the fuzzer cannot read files.
    const cachescope::ConfigReport report = cachescope::ConfigLoader::loadSource(source, QString(), options);
    const QByteArray json = cachescope::ConfigJson::report(report, {false, true});
    (void)json;
    return 0;
}
