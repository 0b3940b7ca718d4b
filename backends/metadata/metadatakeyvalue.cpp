// MetadataDatabase, second part: the cache tables, cache_keys and key_value (the metastore
// cache's rows). The connection, the schema and the timeouts are in metadatadatabase.cpp.
#include "metadatadatabase.h"

#include <QSqlDatabase>
#include <QSqlQuery>

namespace cachescope {

namespace {

QVariant naiveParameter(const QDateTime &naive)
{
    return naive.isValid() ? QVariant(MetadataDatabase::formatNaive(naive)) : QVariant(QMetaType::fromType<QString>());
}

} // namespace

Expected<QList<CacheKeyRow>> MetadataDatabase::cacheKeys(qint64 afterId, int limit, const QString &datasourceUid)
{
    auto ok = requireTable(QStringLiteral("cache_keys"));
    if (!ok)
        return Error{ok.error()};
    QSqlQuery q(database());
    q.setForwardOnly(true);
    const QString filter = datasourceUid.isEmpty() ? QString()
                                                   : QStringLiteral(" AND %1 = ?").arg(quoted(QStringLiteral("datasource_uid")));
    q.prepare(QStringLiteral("SELECT %1, %2, %3, %4, %5 FROM %6 WHERE %1 > ?%7 ORDER BY %1 LIMIT %8")
                  .arg(quoted(QStringLiteral("id")), quoted(QStringLiteral("cache_key")),
                       quoted(QStringLiteral("cache_timeout")), quoted(QStringLiteral("datasource_uid")),
                       m_schema.hasColumn(QStringLiteral("cache_keys"), QStringLiteral("created_on"))
                           ? quoted(QStringLiteral("created_on"))
                           : QStringLiteral("NULL"),
                       quoted(QStringLiteral("cache_keys")), filter)
                  .arg(std::max(1, limit)));
    q.addBindValue(afterId);
    if (!datasourceUid.isEmpty())
        q.addBindValue(datasourceUid);
    if (!q.exec())
        return failure(QStringLiteral("cannot read cache_keys"), q);
    QList<CacheKeyRow> rows;
    while (q.next()) {
        CacheKeyRow row;
        row.id = q.value(0).toLongLong();
        row.cacheKey = q.value(1).toString();
        row.cacheTimeout = nullableInt(q.value(2));
        row.datasourceUid = q.value(3).toString();
        row.createdOn = toNaive(q.value(4));
        rows.append(std::move(row));
    }
    return rows;
}

Expected<qint64> MetadataDatabase::cacheKeyCount()
{
    auto ok = requireTable(QStringLiteral("cache_keys"));
    if (!ok)
        return Error{ok.error()};
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(quoted(QStringLiteral("cache_keys")))) || !q.next())
        return failure(QStringLiteral("cannot count cache_keys"), q);
    return q.value(0).toLongLong();
}

QString MetadataDatabase::keyValueColumns(bool withValue) const
{
    const QString value = quoted(QStringLiteral("value"));
    const bool pg = m_uri.dialect == MetadataUri::Dialect::Postgresql;
    return QStringList{quoted(QStringLiteral("id")),
                       quoted(QStringLiteral("resource")),
                       quoted(QStringLiteral("uuid")),
                       (pg ? QStringLiteral("octet_length(%1)") : QStringLiteral("length(%1)")).arg(value),
                       quoted(QStringLiteral("created_on")),
                       quoted(QStringLiteral("changed_on")),
                       quoted(QStringLiteral("expires_on")),
                       quoted(QStringLiteral("created_by_fk")),
                       quoted(QStringLiteral("changed_by_fk")),
                       withValue ? value : QStringLiteral("NULL")}
        .join(QStringLiteral(", "));
}

KeyValueRow MetadataDatabase::keyValueRow(const QSqlQuery &q) const
{
    KeyValueRow row;
    row.id = q.value(0).toLongLong();
    row.resource = q.value(1).toString();
    row.uuid = uuidFrom(q.value(2));
    row.valueSize = q.value(3).toLongLong();
    row.createdOn = toNaive(q.value(4));
    row.changedOn = toNaive(q.value(5));
    row.expiresOn = toNaive(q.value(6));
    row.createdByFk = nullableInt(q.value(7));
    row.changedByFk = nullableInt(q.value(8));
    row.value = q.value(9).toByteArray();
    return row;
}

Expected<std::optional<KeyValueRow>> MetadataDatabase::keyValueEntry(const QString &resource, const QUuid &uuid)
{
    auto ok = requireTable(QStringLiteral("key_value"));
    if (!ok)
        return Error{ok.error()};
    QSqlQuery q(database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ? AND %4 = ?")
                  .arg(keyValueColumns(true), quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource")),
                       quoted(QStringLiteral("uuid"))));
    q.addBindValue(resource);
    q.addBindValue(uuidParameter(uuid));
    if (!q.exec())
        return failure(QStringLiteral("cannot read key_value"), q);
    if (!q.next())
        return std::optional<KeyValueRow>();
    return std::optional<KeyValueRow>(keyValueRow(q));
}

Expected<QList<KeyValueRow>> MetadataDatabase::keyValueEntries(const QString &resource, qint64 afterId, int limit)
{
    auto ok = requireTable(QStringLiteral("key_value"));
    if (!ok)
        return Error{ok.error()};
    QSqlQuery q(database());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ? AND %4 > ? ORDER BY %4 LIMIT %5")
                  .arg(keyValueColumns(false), quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource")),
                       quoted(QStringLiteral("id")))
                  .arg(std::max(1, limit)));
    q.addBindValue(resource);
    q.addBindValue(afterId);
    if (!q.exec())
        return failure(QStringLiteral("cannot read key_value"), q);
    QList<KeyValueRow> rows;
    while (q.next())
        rows.append(keyValueRow(q));
    return rows;
}

Expected<qint64> MetadataDatabase::keyValueCount(const QString &resource)
{
    auto ok = requireTable(QStringLiteral("key_value"));
    if (!ok)
        return Error{ok.error()};
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE %2 = ?")
                  .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource"))));
    q.addBindValue(resource);
    if (!q.exec() || !q.next())
        return failure(QStringLiteral("cannot count key_value"), q);
    return q.value(0).toLongLong();
}

Expected<bool> MetadataDatabase::requireKeyValueWrite(const QString &operation) const
{
    auto writable = requireWritable(operation);
    if (!writable)
        return writable;
    return requireTable(QStringLiteral("key_value"));
}

bool MetadataDatabase::insertKeyValue(QSqlQuery &q, const QString &resource, const QUuid &uuid, const QByteArray &value,
                                      const QDateTime &expiresOn, const QDateTime &now) const
{
    // KeyValueDAO.create_entry: created_on = datetime.now(), created_by_fk = get_user_id() (NULL
    // outside a request); changed_on stays NULL.
    q.prepare(QStringLiteral("INSERT INTO %1 (%2, %3, %4, %5, %6) VALUES (?, ?, ?, ?, ?)")
                  .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource")), quoted(QStringLiteral("value")),
                       quoted(QStringLiteral("uuid")), quoted(QStringLiteral("created_on")),
                       quoted(QStringLiteral("expires_on"))));
    q.addBindValue(resource);
    q.addBindValue(value);
    q.addBindValue(uuidParameter(uuid));
    q.addBindValue(naiveParameter(now));
    q.addBindValue(naiveParameter(expiresOn));
    return q.exec();
}

Expected<bool> MetadataDatabase::keyValueUpsert(const QString &resource, const QUuid &uuid, const QByteArray &value,
                                                const QDateTime &expiresOn, const QDateTime &now)
{
    const QString what = QStringLiteral("writing key_value row %1").arg(uuid.toString(QUuid::WithoutBraces));
    auto ok = requireKeyValueWrite(what);
    if (!ok)
        return ok;
    auto began = begin();
    if (!began)
        return began;
    // KeyValueDAO.upsert_entry: update value, expires_on, changed_on, changed_by_fk; else create.
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE %1 SET %2 = ?, %3 = ?, %4 = ?, %5 = NULL WHERE %6 = ? AND %7 = ?")
                  .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("value")),
                       quoted(QStringLiteral("expires_on")), quoted(QStringLiteral("changed_on")),
                       quoted(QStringLiteral("changed_by_fk")), quoted(QStringLiteral("resource")),
                       quoted(QStringLiteral("uuid"))));
    q.addBindValue(value);
    q.addBindValue(naiveParameter(expiresOn));
    q.addBindValue(naiveParameter(now));
    q.addBindValue(resource);
    q.addBindValue(uuidParameter(uuid));
    if (!q.exec() || (q.numRowsAffected() == 0 && !insertKeyValue(q, resource, uuid, value, expiresOn, now))) {
        Error e = failure(what, q);
        rollback();
        return e;
    }
    return commit();
}

Expected<bool> MetadataDatabase::keyValueAdd(const QString &resource, const QUuid &uuid, const QByteArray &value,
                                             const QDateTime &expiresOn, const QDateTime &now)
{
    const QString what = QStringLiteral("adding key_value row %1").arg(uuid.toString(QUuid::WithoutBraces));
    auto ok = requireKeyValueWrite(what);
    if (!ok)
        return ok;
    auto began = begin();
    if (!began)
        return began;
    QSqlQuery q(database());
    // KeyValueDAO.delete_expired_entries(resource): expires_on <= datetime.now().
    q.prepare(QStringLiteral("DELETE FROM %1 WHERE %2 = ? AND %3 <= ?")
                  .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource")),
                       quoted(QStringLiteral("expires_on"))));
    q.addBindValue(resource);
    q.addBindValue(naiveParameter(now));
    bool failed = !q.exec();
    if (!failed) {
        // The uuid is unique over the whole table: create_entry fails on any resource's row.
        q.prepare(QStringLiteral("SELECT 1 FROM %1 WHERE %2 = ?").arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("uuid"))));
        q.addBindValue(uuidParameter(uuid));
        failed = !q.exec();
    }
    if (!failed && q.next()) {
        // create_entry fails on the unique uuid and SupersetMetastoreCache.add rolls the whole
        // session back: the expired rows stay (superset/extensions/metastore_cache.py @ 4.1.0).
        q.finish();
        rollback();
        return false;
    }
    if (failed || !insertKeyValue(q, resource, uuid, value, expiresOn, now)) {
        Error e = failure(what, q);
        rollback();
        return e;
    }
    auto committed = commit();
    if (!committed)
        return committed;
    return true;
}

Expected<bool> MetadataDatabase::keyValueDelete(const QString &resource, const QUuid &uuid)
{
    const QString what = QStringLiteral("deleting key_value row %1").arg(uuid.toString(QUuid::WithoutBraces));
    auto ok = requireKeyValueWrite(what);
    if (!ok)
        return ok;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("DELETE FROM %1 WHERE %2 = ? AND %3 = ?")
                  .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("resource")), quoted(QStringLiteral("uuid"))));
    q.addBindValue(resource);
    q.addBindValue(uuidParameter(uuid));
    if (!q.exec())
        return failure(what, q);
    return q.numRowsAffected() > 0;
}

Expected<bool> MetadataDatabase::keyValueSetExpiry(const QString &resource, const QUuid &uuid, const QDateTime &expiresOn,
                                                   const QDateTime &now)
{
    const QString what = QStringLiteral("changing the expiry of key_value row %1").arg(uuid.toString(QUuid::WithoutBraces));
    auto ok = requireKeyValueWrite(what);
    if (!ok)
        return ok;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE %1 SET %2 = ?, %3 = ? WHERE %4 = ? AND %5 = ?")
                  .arg(quoted(QStringLiteral("key_value")), quoted(QStringLiteral("expires_on")),
                       quoted(QStringLiteral("changed_on")), quoted(QStringLiteral("resource")),
                       quoted(QStringLiteral("uuid"))));
    q.addBindValue(naiveParameter(expiresOn));
    q.addBindValue(naiveParameter(now));
    q.addBindValue(resource);
    q.addBindValue(uuidParameter(uuid));
    if (!q.exec())
        return failure(what, q);
    return q.numRowsAffected() > 0;
}

} // namespace cachescope
