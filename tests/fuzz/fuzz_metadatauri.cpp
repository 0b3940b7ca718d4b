// Fuzzes SQLAlchemy URI parsing (SQLALCHEMY_DATABASE_URI comes from a user's config) and the
// redaction that keeps passwords out of every message: the redacted form must parse again to
// the same connection with the password hidden.
#include "metadata/metadatauri.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto uri = cachescope::MetadataUri::parse(text, QStringLiteral("/base"));
    if (!uri)
        return 0;
    (void)uri->qtDriver();
    if (uri->password.isEmpty())
        return 0;
    const auto again = cachescope::MetadataUri::parse(uri->redacted(), QStringLiteral("/base"));
    if (!again || again->password != QStringLiteral("***") || again->user != uri->user || again->host != uri->host
        || again->port != uri->port || again->database != uri->database || again->dialect != uri->dialect)
        std::abort();
    return 0;
}
