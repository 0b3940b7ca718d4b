#include "metadataservers.h"

namespace cachescope::test {

QString MetadataServers::start()
{
    if (!m_dir.isValid())
        return QStringLiteral("cannot create a temp dir: %1").arg(m_dir.errorString());
    const QString pg = m_pg.start();
    if (!pg.isEmpty())
        return pg;
    return m_maria.start();
}

void MetadataServers::stop()
{
    m_pg.stop();
    m_maria.stop();
}

Expected<QString> MetadataServers::database(const QString &backend, const QString &name)
{
    const QString safe = QString(name).replace(u'.', u'_').replace(u'-', u'_');
    if (backend == QStringLiteral("sqlite"))
        return QString(QStringLiteral("sqlite:///") + m_dir.filePath(safe + QStringLiteral(".db")));
    const QString error = backend == QStringLiteral("postgresql") ? m_pg.createDatabase(safe) : m_maria.createDatabase(safe);
    if (!error.isEmpty())
        return makeError(error);
    return backend == QStringLiteral("postgresql") ? m_pg.uri(safe, QStringLiteral("postgresql+psycopg2")) : m_maria.uri(safe);
}

} // namespace cachescope::test
