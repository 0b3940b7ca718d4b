// Fuzzes the config editor: plan a default-timeout change of one setting in an arbitrary file.
// Whatever the input, planning ends with an edit or a refusal, never a crash or a hang, and an
// edit leaves a file that loads and differs from the input in one local region only.
#include "config/configeditor.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return 0;
    static const char *const kSettings[] = {"CACHE_DEFAULT_TIMEOUT", "CACHE_CONFIG", "DATA_CACHE_CONFIG",
                                            "FILTER_STATE_CACHE_CONFIG", "EXPLORE_FORM_DATA_CACHE_CONFIG",
                                            "THUMBNAIL_CACHE_CONFIG", "RESULTS_BACKEND", "GLOBAL_ASYNC_QUERIES_CACHE_BACKEND"};
    // The first byte picks the setting and the value (null, -1, 0 or a number); the rest is the file.
    const uint8_t pick = data[0];
    const QString setting = QString::fromLatin1(kSettings[pick % 8]);
    std::optional<qint64> value;
    switch ((pick >> 3) % 4) {
    case 0: break;
    case 1: value = -1; break;
    case 2: value = 0; break;
    default: value = 300 + pick; break;
    }
    const QByteArray source(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    cachescope::ConfigLoader::Options options;
    options.maxSteps = 100'000;
    const auto edit = cachescope::ConfigEditor::planDefaultTimeout(source, QString(), setting, value, options);
    if (!edit || edit->isNoop())
        return 0;
    if (edit->before != source)
        std::abort();
    const cachescope::ConfigReport after = cachescope::ConfigLoader::loadSource(QString::fromUtf8(edit->after), QString(), options);
    if (!after.loaded)
        std::abort(); // the editor promised a file that loads
    return 0;
}
